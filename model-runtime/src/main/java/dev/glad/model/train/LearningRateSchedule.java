package dev.glad.model.train;

/**
 * Linear warmup to the peak rate, then linear decay to zero at the last step (BERT's schedule).
 *
 * @param peak the learning rate after warmup
 * @param warmupSteps steps of linear increase from 0
 * @param totalSteps the step at which the rate reaches 0
 */
public record LearningRateSchedule(float peak, long warmupSteps, long totalSteps) {

  /** Validates the schedule. */
  public LearningRateSchedule {
    if (!(peak > 0f)) {
      throw new IllegalArgumentException("learning rate must be positive but was " + peak);
    }
    if (warmupSteps < 0 || totalSteps < 1 || warmupSteps >= totalSteps) {
      throw new IllegalArgumentException(
          "need 0 <= warmupSteps < totalSteps but got warmupSteps="
              + warmupSteps
              + ", totalSteps="
              + totalSteps);
    }
  }

  /** The rate for 0-based {@code step}. */
  public float rate(long step) {
    if (step < warmupSteps) {
      return peak * (step + 1) / (float) warmupSteps;
    }
    long remaining = Math.max(0, totalSteps - step);
    return peak * remaining / (float) (totalSteps - warmupSteps);
  }
}
