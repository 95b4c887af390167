package dev.glad.model.data;

import java.util.Locale;

/** The input file formats the trainer and evaluator read. */
public enum InteractionFormat {
  /** One {@code user item} pair per line, a user's lines in time order (BERT4Rec's files). */
  PAIRS,
  /** RecBole atomic {@code .inter} file: tab separated, typed header, ordered by timestamp. */
  RECBOLE;

  /** Parses a command-line value ({@code pairs} or {@code recbole}). */
  public static InteractionFormat parse(String value) {
    switch (value.toLowerCase(Locale.ROOT)) {
      case "pairs":
        return PAIRS;
      case "recbole":
        return RECBOLE;
      default:
        throw new IllegalArgumentException(
            "unknown data format '" + value + "', expected pairs or recbole");
    }
  }

  /** The format implied by a file name: {@code .inter} is RecBole, anything else pairs. */
  public static InteractionFormat fromFileName(String fileName) {
    return fileName.endsWith(".inter") ? RECBOLE : PAIRS;
  }
}
