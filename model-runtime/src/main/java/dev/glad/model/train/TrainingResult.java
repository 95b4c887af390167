package dev.glad.model.train;

import dev.glad.model.encoder.Bert4RecModel;
import java.util.List;

/**
 * What a training run produced. The model holds the best parameters by validation NDCG@10 (or the
 * last ones when nothing was evaluated); the caller owns and closes it.
 *
 * @param model the trained encoder
 * @param curve the learning curve
 * @param bestEpoch the epoch whose parameters the model holds
 * @param trainingSeconds training wall time, evaluation excluded, summed over resumed runs
 * @param samplesPerSecond mean training throughput
 * @param stopReason why training ended
 */
public record TrainingResult(
    Bert4RecModel model,
    List<CurvePoint> curve,
    double bestEpoch,
    double trainingSeconds,
    double samplesPerSecond,
    String stopReason) {}
