package dev.glad.tools.generator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LongHistoriesTest {
  private static final LongHistories.Settings SMALL =
      new LongHistories.Settings(50, 600, 20, 3, 0.2, 4, 40, 120, 0, 7);

  @Test
  void theSameSeedWritesTheSameFile(@TempDir Path dir) throws Exception {
    new LongHistories(SMALL).write(dir.resolve("a.txt"));
    new LongHistories(SMALL).write(dir.resolve("b.txt"));
    assertArrayEquals(
        Files.readAllBytes(dir.resolve("a.txt")), Files.readAllBytes(dir.resolve("b.txt")));
    String first = Files.readAllLines(dir.resolve("a.txt")).get(0);
    assertTrue(first.matches("u0 i\\d+"), first);
  }

  @Test
  void historiesAreLongAndMostlyOnThePlantedTopics() {
    LongHistories generator = new LongHistories(SMALL);
    long onInterests = 0;
    long total = 0;
    for (int u = 0; u < SMALL.users(); u++) {
      LongHistories.History h = generator.history(u);
      assertTrue(h.items().length >= 40 && h.items().length <= 120, "length " + h.items().length);
      assertEquals(3, h.interests().length);
      for (int item : h.items()) {
        int topic = generator.topicOf(item);
        for (int t : h.interests()) {
          onInterests += t == topic ? 1 : 0;
        }
        total++;
      }
    }
    // 80% of sessions on the interests, plus random sessions that land on one by chance
    double share = onInterests / (double) total;
    assertTrue(share > 0.75 && share < 0.9, "share on interests " + share);
  }

  @Test
  void theDefaultsEndEveryHistoryOnAPlantedInterestThatTheRecentWindowMostlyHides() {
    LongHistories.Reveal reveal =
        new LongHistories(LongHistories.Settings.defaults(3).withUsers(2_000)).reveal(10);
    assertTrue(reveal.recentShare() < 0.65, "recent " + reveal);
    assertEquals(1.0, reveal.plantedShare(), "planted " + reveal);
  }

  @Test
  void withoutTheReturningTailFewInterestsRevealTheNextTopicInTheRecentWindow() {
    LongHistories.Reveal reveal =
        new LongHistories(new LongHistories.Settings(2_000, 6_000, 120, 5, 0.2, 4, 60, 300, 0, 3))
            .reveal(10);
    assertTrue(reveal.recentShare() > 0.8, "recent " + reveal);
  }

  @Test
  void aDifferentSeedGivesOtherHistories() {
    LongHistories a = new LongHistories(SMALL);
    LongHistories b =
        new LongHistories(new LongHistories.Settings(50, 600, 20, 3, 0.2, 4, 40, 120, 0, 8));
    assertTrue(!java.util.Arrays.equals(a.history(0).items(), b.history(0).items()));
  }

  @Test
  void badSettingsAreRefusedByName() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new LongHistories.Settings(10, 100, 10, 10, 0.2, 4, 40, 120, 0, 1));
    assertTrue(e.getMessage().startsWith("interestsPerUser must be in [1, topics)"));
    IllegalArgumentException tail =
        assertThrows(
            IllegalArgumentException.class,
            () -> new LongHistories.Settings(10, 100, 10, 3, 0.2, 4, 40, 120, 40, 1));
    assertEquals("returningTail must be in [0, minLength), got 40", tail.getMessage());
  }
}
