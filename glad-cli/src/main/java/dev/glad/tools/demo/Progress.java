package dev.glad.tools.demo;

import java.util.Locale;

/** One progress line: counts, rate over the run, and ETA towards a known total. */
final class Progress {
  private Progress() {}

  static String line(
      double elapsedSeconds,
      long produced,
      long target,
      long chunks,
      long memoryUpdates,
      long deadLetters) {
    double rate = elapsedSeconds > 0 ? produced / elapsedSeconds : 0;
    String eta =
        produced >= target
            ? "draining"
            : rate > 0
                ? String.format(Locale.ROOT, "ETA %.0fs", (target - produced) / rate)
                : "ETA ?";
    return String.format(
        Locale.ROOT,
        "[%6.1fs] events %,d/%,d (%,.0f/s) | chunks completed %,d | user memories %,d | dead"
            + " letters %,d | %s",
        elapsedSeconds,
        produced,
        target,
        rate,
        chunks,
        memoryUpdates,
        deadLetters,
        eta);
  }
}
