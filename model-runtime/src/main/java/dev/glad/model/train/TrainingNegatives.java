package dev.glad.model.train;

import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.data.SpecialTokens;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How phase 2 draws the negatives of eq. 7: uniformly over the items (the paper), or in proportion
 * to their interaction counts in the training items, the distribution the popularity-sampled
 * evaluation (BERT4Rec's protocol) ranks against.
 */
public enum TrainingNegatives {
  UNIFORM,
  POPULARITY;

  /** Parses {@code uniform|popularity}. */
  public static TrainingNegatives parse(String value) {
    try {
      return valueOf(value.strip().toUpperCase(Locale.ROOT));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "training negatives must be uniform or popularity but was '" + value + "'");
    }
  }

  /** The command-line spelling. */
  public String flag() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** A sampler over the split's items (training items only, for popularity). */
  Sampler sampler(LeaveOneOutSplit split) {
    if (this == UNIFORM) {
      int items = split.tokenCount() - SpecialTokens.FIRST_ITEM;
      return random -> SpecialTokens.FIRST_ITEM + random.nextInt(items);
    }
    double[] cumulative = new double[split.tokenCount()];
    for (int u = 0; u < split.userCount(); u++) {
      for (int item : split.trainingItems(u)) {
        cumulative[item]++;
      }
    }
    for (int i = 1; i < cumulative.length; i++) {
      cumulative[i] += cumulative[i - 1];
    }
    double total = cumulative[cumulative.length - 1];
    return random -> {
      double x = random.nextDouble() * total;
      int index = Arrays.binarySearch(cumulative, x);
      index = index >= 0 ? index + 1 : -index - 1;
      // the first entry above x owns it (entries of items without count repeat the sum before)
      while (index < cumulative.length - 1 && cumulative[index] <= x) {
        index++;
      }
      return Math.max(index, SpecialTokens.FIRST_ITEM);
    };
  }

  /** Draws one item (with replacement; the caller rejects the positive). */
  @FunctionalInterface
  interface Sampler {
    int draw(SplittableRandom random);
  }
}
