package dev.glad.model.encoder;

import dev.glad.model.data.SpecialTokens;

/**
 * Builds the right-aligned token matrix the encoder reads: each row's last token in the last
 * column, PAD on the left. Pure Java, so the layout is unit-tested without an engine.
 */
public final class TokenBatch {
  private TokenBatch() {}

  /**
   * The flat (row-major) matrix for {@code rows}, {@code width} columns wide. Each row keeps its
   * last {@code width} tokens (or {@code width - 1} plus MASK when {@code appendMask}).
   */
  public static long[] rightAligned(int[][] rows, int width, boolean appendMask) {
    long[] flat = new long[rows.length * width];
    for (int r = 0; r < rows.length; r++) {
      int[] row = rows[r];
      int end = (r + 1) * width;
      int column = end - 1;
      if (appendMask) {
        flat[column--] = SpecialTokens.MASK;
      }
      for (int i = row.length - 1; i >= 0 && column >= r * width; i--) {
        flat[column--] = row[i];
      }
      // Remaining left columns stay 0 == PAD.
    }
    return flat;
  }

  /**
   * The narrowest width that holds every row (plus MASK when {@code appendMask}), capped at {@code
   * maxLength}.
   */
  public static int width(int[][] rows, boolean appendMask, int maxLength) {
    int longest = 1;
    for (int[] row : rows) {
      longest = Math.max(longest, row.length + (appendMask ? 1 : 0));
    }
    return Math.min(longest, maxLength);
  }
}
