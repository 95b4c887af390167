package dev.glad.model.glad;

/**
 * Phase-2 (end-to-end) training settings. Build with {@link #builder()}; {@code build()} validates
 * and names the offending value.
 *
 * @param epochs passes over all training examples (every training position with at least one item
 *     before it)
 * @param batchSize examples per step
 * @param learningRate AdamW rate of the GNN and gate
 * @param encoderLearningRateScale the encoder's rate relative to {@code learningRate} (0 freezes
 *     it)
 * @param weightDecay AdamW decoupled weight decay
 * @param negatives uniformly sampled negatives per example (eq. 7)
 * @param gradientClipNorm global gradient norm limit per parameter set (0 = off)
 * @param seed seeds initialisation, k-means, order, negatives and dropout
 * @param evalUsers validation users per epoch (0 = all, -1 = none)
 * @param patience stop after this many epochs without a better validation NDCG@10 (0 = never)
 * @param timeLimitSeconds stop after this long, keeping the best model (0 = no limit)
 * @param maxExamplesPerEpoch train each epoch on a fresh random subset of this many examples (0 =
 *     all)
 */
public record Phase2Config(
    int epochs,
    int batchSize,
    float learningRate,
    float encoderLearningRateScale,
    float weightDecay,
    int negatives,
    float gradientClipNorm,
    long seed,
    int evalUsers,
    int patience,
    long timeLimitSeconds,
    int maxExamplesPerEpoch) {

  /** Validates. */
  public Phase2Config {
    positive("epochs", epochs);
    positive("batchSize", batchSize);
    positive("negatives", negatives);
    if (!(learningRate > 0f)) {
      throw new IllegalArgumentException("learningRate must be positive but was " + learningRate);
    }
    if (!(encoderLearningRateScale >= 0f)) {
      throw new IllegalArgumentException(
          "encoderLearningRateScale must be >= 0 but was " + encoderLearningRateScale);
    }
    if (!(weightDecay >= 0f)) {
      throw new IllegalArgumentException("weightDecay must be >= 0 but was " + weightDecay);
    }
    if (!(gradientClipNorm >= 0f)) {
      throw new IllegalArgumentException(
          "gradientClipNorm must be >= 0 but was " + gradientClipNorm);
    }
    if (evalUsers < -1) {
      throw new IllegalArgumentException("evalUsers must be >= -1 but was " + evalUsers);
    }
    if (patience < 0) {
      throw new IllegalArgumentException("patience must be >= 0 but was " + patience);
    }
    if (timeLimitSeconds < 0) {
      throw new IllegalArgumentException(
          "timeLimitSeconds must be >= 0 but was " + timeLimitSeconds);
    }
    if (maxExamplesPerEpoch < 0) {
      throw new IllegalArgumentException(
          "maxExamplesPerEpoch must be >= 0 but was " + maxExamplesPerEpoch);
    }
  }

  private static void positive(String name, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be positive but was " + value);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder with documented defaults. */
  public static final class Builder {
    private int epochs = 10;
    private int batchSize = 256;
    private float learningRate = 1e-3f;
    private float encoderLearningRateScale = 0.3f;
    private float weightDecay = 0.01f;
    private int negatives = 100;
    private float gradientClipNorm = 5f;
    private long seed = 42;
    private int evalUsers = 0;
    private int patience = 3;
    private long timeLimitSeconds = 0;
    private int maxExamplesPerEpoch = 0;

    private Builder() {}

    public Builder optMaxExamplesPerEpoch(int v) {
      maxExamplesPerEpoch = v;
      return this;
    }

    public Builder optEpochs(int v) {
      epochs = v;
      return this;
    }

    public Builder optBatchSize(int v) {
      batchSize = v;
      return this;
    }

    public Builder optLearningRate(float v) {
      learningRate = v;
      return this;
    }

    public Builder optEncoderLearningRateScale(float v) {
      encoderLearningRateScale = v;
      return this;
    }

    public Builder optWeightDecay(float v) {
      weightDecay = v;
      return this;
    }

    public Builder optNegatives(int v) {
      negatives = v;
      return this;
    }

    public Builder optGradientClipNorm(float v) {
      gradientClipNorm = v;
      return this;
    }

    public Builder optSeed(long v) {
      seed = v;
      return this;
    }

    public Builder optEvalUsers(int v) {
      evalUsers = v;
      return this;
    }

    public Builder optPatience(int v) {
      patience = v;
      return this;
    }

    public Builder optTimeLimitSeconds(long v) {
      timeLimitSeconds = v;
      return this;
    }

    public Phase2Config build() {
      return new Phase2Config(
          epochs,
          batchSize,
          learningRate,
          encoderLearningRateScale,
          weightDecay,
          negatives,
          gradientClipNorm,
          seed,
          evalUsers,
          patience,
          timeLimitSeconds,
          maxExamplesPerEpoch);
    }
  }
}
