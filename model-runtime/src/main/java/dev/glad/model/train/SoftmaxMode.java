package dev.glad.model.train;

import java.util.Locale;

/** How the Cloze loss normalises over items. */
public enum SoftmaxMode {
  /** Cross-entropy over every item (BERT4Rec's choice; the output layer dominates the cost). */
  FULL,
  /**
   * Cross-entropy over the target and a batch-shared set of uniformly sampled items, with the log-Q
   * correction so the loss estimates the full softmax.
   */
  SAMPLED,
  /**
   * Like {@link #SAMPLED}, plus the batch's other masked targets as further negatives (they are
   * drawn by popularity, so popular items are pushed down as the full softmax would); every
   * negative is corrected by {@code -log(expected count)} under the mixed proposal.
   */
  MIXED;

  /** Parses {@code full} or {@code sampled}. */
  public static SoftmaxMode parse(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "full" -> FULL;
      case "sampled" -> SAMPLED;
      case "mixed" -> MIXED;
      default ->
          throw new IllegalArgumentException(
              "softmax must be full, sampled or mixed but was '" + value + "'");
    };
  }
}
