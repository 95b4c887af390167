package dev.glad.model.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.glad.model.data.SpecialTokens;
import org.junit.jupiter.api.Test;

class TokenBatchTest {
  private static final long M = SpecialTokens.MASK;

  @Test
  void rightAlignsAndAppendsMask() {
    int[][] rows = {{5, 6, 7}, {9}};
    int width = TokenBatch.width(rows, true, 50);
    assertEquals(4, width);
    assertArrayEquals(
        new long[] {5, 6, 7, M, 0, 0, 9, M}, TokenBatch.rightAligned(rows, width, true));
  }

  @Test
  void keepsTheLastItemsWhenTooLong() {
    int[][] rows = {{3, 4, 5, 6, 7}};
    int width = TokenBatch.width(rows, true, 4);
    assertEquals(4, width);
    assertArrayEquals(new long[] {5, 6, 7, M}, TokenBatch.rightAligned(rows, width, true));
  }

  @Test
  void withoutMaskRowsAreCopied() {
    int[][] rows = {{3, M_INT, 5}, {8, 9}};
    assertArrayEquals(new long[] {3, M, 5, 0, 8, 9}, TokenBatch.rightAligned(rows, 3, false));
  }

  private static final int M_INT = SpecialTokens.MASK;
}
