package dev.glad.model.train;

import java.util.Locale;

/**
 * Where a trainer's step time goes (preparing the batch, forward pass with the loss, backward pass,
 * optimizer) and the model FLOP rate it achieved, summed over an epoch. Printed with every epoch
 * line, so a run's log says what bounds its throughput.
 */
final class StepTimes {
  private long steps;
  private long prepareNanos;
  private long forwardNanos;
  private long backwardNanos;
  private long optimizerNanos;
  private double flops;

  void add(long prepare, long forward, long backward, long optimizer, double stepFlops) {
    steps++;
    prepareNanos += prepare;
    forwardNanos += forward;
    backwardNanos += backward;
    optimizerNanos += optimizer;
    flops += stepFlops;
  }

  void reset() {
    steps = 0;
    prepareNanos = 0;
    forwardNanos = 0;
    backwardNanos = 0;
    optimizerNanos = 0;
    flops = 0;
  }

  /** Seconds of all recorded steps. */
  double seconds() {
    return (prepareNanos + forwardNanos + backwardNanos + optimizerNanos) / 1e9;
  }

  /**
   * Achieved model GFLOP/s over the recorded steps (forward + backward, see {@link ClozeFlops}).
   */
  double gflopsPerSecond() {
    return seconds() == 0 ? 0 : flops / seconds() / 1e9;
  }

  /**
   * E.g. {@code 212 ms/step: prepare 3%, forward 30%, backward 50%, optimizer 17%; 12.3 GFLOP/s}.
   */
  String summary() {
    double total = Math.max(1, prepareNanos + forwardNanos + backwardNanos + optimizerNanos);
    return String.format(
        Locale.ROOT,
        "%.0f ms/step: prepare %.0f%%, forward %.0f%%, backward %.0f%%, optimizer %.0f%%;"
            + " model %.1f GFLOP/s",
        total / 1e6 / Math.max(1, steps),
        100 * prepareNanos / total,
        100 * forwardNanos / total,
        100 * backwardNanos / total,
        100 * optimizerNanos / total,
        gflopsPerSecond());
  }
}
