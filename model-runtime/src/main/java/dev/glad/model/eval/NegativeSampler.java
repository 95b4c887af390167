package dev.glad.model.eval;

import dev.glad.model.data.SpecialTokens;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws distinct negative items a user never interacted with, uniformly or in proportion to
 * interaction counts (BERT4Rec's popularity sampling).
 */
public final class NegativeSampler {
  private final int tokenCount;
  private final double[] cumulative; // null for uniform

  private NegativeSampler(int tokenCount, double[] cumulative) {
    this.tokenCount = tokenCount;
    this.cumulative = cumulative;
  }

  /** Uniform over item indices {@code FIRST_ITEM .. tokenCount-1}. */
  public static NegativeSampler uniform(int tokenCount) {
    return new NegativeSampler(tokenCount, null);
  }

  /**
   * Proportional to {@code counts[item]} (indexed by token); items with count 0 are never drawn.
   */
  public static NegativeSampler popularity(long[] counts) {
    double[] cumulative = new double[counts.length];
    double sum = 0;
    for (int i = 0; i < counts.length; i++) {
      if (i >= SpecialTokens.FIRST_ITEM) {
        sum += counts[i];
      }
      cumulative[i] = sum;
    }
    if (sum == 0) {
      throw new IllegalArgumentException("popularity sampling needs at least one counted item");
    }
    return new NegativeSampler(counts.length, cumulative);
  }

  /**
   * {@code count} distinct items not in {@code userItems}.
   *
   * @throws IllegalStateException when fewer than {@code count} items are eligible
   */
  public int[] sample(int[] userItems, int count, SplittableRandom random) {
    boolean[] taken = new boolean[tokenCount];
    int eligible = tokenCount - SpecialTokens.FIRST_ITEM;
    for (int item : userItems) {
      if (item >= SpecialTokens.FIRST_ITEM && !taken[item]) {
        taken[item] = true;
        eligible--;
      }
    }
    if (eligible < count) {
      throw new IllegalStateException(
          "only " + eligible + " items are eligible as negatives but " + count + " were asked");
    }
    int[] negatives = new int[count];
    int found = 0;
    long attempts = 0;
    while (found < count) {
      int item = draw(random);
      if (!taken[item]) {
        taken[item] = true;
        negatives[found++] = item;
      }
      if (++attempts > 1000L * count + 1_000_000L) {
        throw new IllegalStateException(
            "could not draw " + count + " distinct negatives (too few items with a count)");
      }
    }
    return negatives;
  }

  private int draw(SplittableRandom random) {
    if (cumulative == null) {
      return SpecialTokens.FIRST_ITEM + random.nextInt(tokenCount - SpecialTokens.FIRST_ITEM);
    }
    double total = cumulative[cumulative.length - 1];
    double u = random.nextDouble() * total;
    int index = Arrays.binarySearch(cumulative, u);
    // binarySearch gives -(insertion)-1 when absent: the first entry > u owns u.
    index = index >= 0 ? index + 1 : -index - 1;
    // skip zero-count entries that share the same cumulative value
    while (index < cumulative.length - 1 && cumulative[index] <= u) {
      index++;
    }
    return Math.max(index, SpecialTokens.FIRST_ITEM);
  }
}
