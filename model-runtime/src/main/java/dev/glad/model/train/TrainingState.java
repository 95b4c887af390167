package dev.glad.model.train;

import java.util.ArrayList;
import java.util.List;

/**
 * The resumable position of a run, stored as JSON in a checkpoint. Mutable and confined to the
 * trainer's thread.
 */
final class TrainingState {
  String fingerprint;
  int epoch; // 0-based epoch in progress
  long stepInEpoch; // steps of that epoch already done
  long globalStep;
  long optimizerStep;
  double epochLossSum;
  long epochSamples;
  double epochSeconds;
  double trainingSeconds;
  long trainingSamples;
  double bestMetric = Double.NEGATIVE_INFINITY;
  double bestEpoch = -1;
  int evaluationsWithoutImprovement;
  List<CurvePoint> curve = new ArrayList<>();
}
