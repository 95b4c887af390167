package dev.glad.model.train;

import dev.glad.model.encoder.EncoderConfig;

/**
 * Model FLOPs of one Cloze training step, counted the usual way for transformer utilisation: the
 * matrix products of the forward pass (2 flops per multiply-add), times 3 for forward plus backward
 * (the backward pass costs about twice the forward). Element-wise work is not counted, so the rate
 * against the engine's matmul peak says how much of a step is useful matrix work.
 */
final class ClozeFlops {
  private ClozeFlops() {}

  /**
   * @param rows sequences in the batch
   * @param width columns of the batch (padded length)
   * @param masked masked positions scored
   * @param scoredColumns output columns each masked position is scored against
   */
  static double perStep(EncoderConfig config, int rows, int width, int masked, int scoredColumns) {
    double e = config.hiddenSize();
    double tokens = (double) rows * width;
    double perTokenPerLayer =
        2 * e * 3 * e // Q, K, V
            + 2 * width * e // scores, all heads
            + 2 * width * e // context, all heads
            + 2 * e * e // attention output
            + 2 * 2 * e * config.innerSize(); // feed-forward in and out
    double forward = tokens * config.layers() * perTokenPerLayer + 2.0 * masked * scoredColumns * e;
    return 3 * forward;
  }
}
