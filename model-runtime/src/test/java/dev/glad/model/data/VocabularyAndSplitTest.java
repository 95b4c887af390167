package dev.glad.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class VocabularyAndSplitTest {

  private static UserSequences data() {
    return new UserSequences(
        List.of("u1", "u2"), List.of(List.of("a", "b", "c", "d"), List.of("b", "e")));
  }

  @Test
  void vocabularyMapsInFirstAppearanceOrderAndCountsUnknowns() {
    ItemVocabulary vocabulary = ItemVocabulary.fromSequences(data());
    assertEquals(5, vocabulary.itemCount());
    assertEquals(8, vocabulary.tokenCount());
    assertEquals(SpecialTokens.FIRST_ITEM, vocabulary.indexOf("a"));
    assertEquals(SpecialTokens.FIRST_ITEM + 4, vocabulary.indexOf("e"));
    assertEquals("e", vocabulary.itemId(SpecialTokens.FIRST_ITEM + 4));
    assertArrayEquals(
        new int[] {SpecialTokens.UNK, 4, SpecialTokens.UNK},
        vocabulary.indicesOf(List.of("zz", "b", "yy")));
    assertEquals(2, vocabulary.unknownLookups());
    assertTrue(vocabulary.contains("a"));
    assertEquals(2, vocabulary.unknownLookups(), "contains() does not count");
  }

  @Test
  void duplicateIdsAreRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ItemVocabulary.of(List.of("a", "a")));
    assertEquals("duplicate item id 'a'", e.getMessage());
  }

  @Test
  void leaveOneOutHoldsOutLastTwo() {
    ItemVocabulary vocabulary = ItemVocabulary.fromSequences(data());
    LeaveOneOutSplit split = LeaveOneOutSplit.of(data(), vocabulary);
    // u1 = a b c d -> indices 3 4 5 6
    assertTrue(split.isEvaluable(0));
    assertArrayEquals(new int[] {3, 4}, split.trainingItems(0));
    assertArrayEquals(new int[] {3, 4}, split.input(0, LeaveOneOutSplit.Target.VALIDATION));
    assertEquals(5, split.target(0, LeaveOneOutSplit.Target.VALIDATION));
    assertArrayEquals(new int[] {3, 4, 5}, split.input(0, LeaveOneOutSplit.Target.TEST));
    assertEquals(6, split.target(0, LeaveOneOutSplit.Target.TEST));
    // u2 has two items: training only
    assertFalse(split.isEvaluable(1));
    assertArrayEquals(new int[] {4, 7}, split.trainingItems(1));
    assertEquals(2, split.itemCountsAll()[4]);
    assertEquals(0, split.itemCountsBefore(LeaveOneOutSplit.Target.TEST)[6]);
  }
}
