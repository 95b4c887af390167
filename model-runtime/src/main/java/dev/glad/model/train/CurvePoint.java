package dev.glad.model.train;

/**
 * One point of the learning curve, recorded after each epoch (or a time-limited partial epoch).
 *
 * @param epoch epochs completed (fractional for a partial epoch)
 * @param trainLoss mean Cloze loss over the epoch's steps
 * @param validationHr10 validation HR@10, popularity-sampled negatives (NaN if not evaluated)
 * @param validationNdcg10 validation NDCG@10, popularity-sampled negatives (NaN if not evaluated)
 * @param elapsedSeconds training wall time so far (evaluation excluded)
 * @param samplesPerSecond training throughput over the epoch
 */
public record CurvePoint(
    double epoch,
    double trainLoss,
    double validationHr10,
    double validationNdcg10,
    double elapsedSeconds,
    double samplesPerSecond) {}
