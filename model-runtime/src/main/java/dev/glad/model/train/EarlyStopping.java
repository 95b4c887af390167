package dev.glad.model.train;

import java.util.Locale;
import java.util.Optional;

/**
 * When a trainer's epoch loop stops: after its epochs, at its time limit, or after {@code patience}
 * validations without a better metric. Keeps the best metric and when it was seen, so the trainer
 * can keep the best parameters. Mutable, confined to the trainer's thread.
 */
public final class EarlyStopping {
  private final TrainingLoop loop;
  private double bestMetric;
  private double bestEpoch;
  private int withoutImprovement;

  /** A fresh run. */
  public EarlyStopping(TrainingLoop loop) {
    this(loop, Double.NEGATIVE_INFINITY, -1, 0);
  }

  /** A resumed run, continuing from a checkpoint's record. */
  public EarlyStopping(
      TrainingLoop loop, double bestMetric, double bestEpoch, int withoutImprovement) {
    this.loop = loop;
    this.bestMetric = bestMetric;
    this.bestEpoch = bestEpoch;
    this.withoutImprovement = withoutImprovement;
  }

  /**
   * Records the validation metric reached at {@code epoch}.
   *
   * @param metric the validation NDCG@10, or NaN when the run does not validate (then every epoch
   *     counts as the best: the last one is kept)
   * @return whether it is the best so far (keep these parameters)
   */
  public boolean record(double epoch, double metric) {
    if (Double.isNaN(metric) || metric > bestMetric) {
      bestMetric = Double.isNaN(metric) ? bestMetric : metric;
      bestEpoch = epoch;
      withoutImprovement = 0;
      return true;
    }
    withoutImprovement++;
    return false;
  }

  /** Whether the time limit is reached after {@code trainingSeconds} of training. */
  public boolean timeUp(double trainingSeconds) {
    return loop.timeLimitSeconds() > 0 && trainingSeconds >= loop.timeLimitSeconds();
  }

  /** Why the run stops now, if it does: time limit first, then patience. */
  public Optional<String> stopReason(double trainingSeconds) {
    if (timeUp(trainingSeconds)) {
      return Optional.of("time limit of " + loop.timeLimitSeconds() + " s reached");
    }
    if (loop.patience() > 0 && withoutImprovement >= loop.patience()) {
      return Optional.of(
          String.format(
              Locale.ROOT,
              "no validation improvement in %d evaluations (early stop)",
              loop.patience()));
    }
    return Optional.empty();
  }

  /** Why a run that used all its epochs stopped. */
  public String completedReason() {
    return "completed " + loop.epochs() + " epochs";
  }

  public double bestMetric() {
    return bestMetric;
  }

  public double bestEpoch() {
    return bestEpoch;
  }

  public int withoutImprovement() {
    return withoutImprovement;
  }
}
