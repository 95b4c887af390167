package dev.glad.model.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Prints periodic progress lines: position, mean loss since the last line, samples/s and ETA. The
 * formatting is pure ({@link #formatDuration}); time is passed in, so it is testable.
 */
public final class ProgressMeter {
  private final PrintStream out;
  private final long intervalNanos;
  private long lastPrintNanos;
  private double lossSum;
  private long lossCount;

  /** Prints to {@code out} at most every {@code intervalSeconds}. */
  public ProgressMeter(PrintStream out, double intervalSeconds, long nowNanos) {
    this.out = out;
    this.intervalNanos = (long) (intervalSeconds * 1e9);
    this.lastPrintNanos = nowNanos;
  }

  /** Records one step's loss; prints a line when the interval has passed. */
  public void step(
      long nowNanos,
      float loss,
      int epoch,
      int epochs,
      long stepInEpoch,
      long stepsPerEpoch,
      double samplesPerSecond,
      double remainingSeconds) {
    lossSum += loss;
    lossCount++;
    if (nowNanos - lastPrintNanos >= intervalNanos || stepInEpoch == stepsPerEpoch) {
      out.printf(
          Locale.ROOT,
          "epoch %d/%d  step %d/%d  loss %.4f  %.0f samples/s  ETA %s%n",
          epoch,
          epochs,
          stepInEpoch,
          stepsPerEpoch,
          lossSum / lossCount,
          samplesPerSecond,
          formatDuration(remainingSeconds));
      out.flush();
      lossSum = 0;
      lossCount = 0;
      lastPrintNanos = nowNanos;
    }
  }

  /** {@code H:MM:SS}, or {@code ?} for a negative or non-finite value. */
  /** The validation part of an epoch line; "no validation" when none ran. */
  public static String validation(double hr10, double ndcg10, int users) {
    return users <= 0
        ? "no validation"
        : String.format(
            Locale.ROOT,
            "validation HR@10 %.4f NDCG@10 %.4f (popularity negatives, %d users)",
            hr10,
            ndcg10,
            users);
  }

  public static String formatDuration(double seconds) {
    if (!(seconds >= 0) || Double.isInfinite(seconds)) {
      return "?";
    }
    long s = Math.round(seconds);
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }
}
