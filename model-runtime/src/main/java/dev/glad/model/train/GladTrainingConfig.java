package dev.glad.model.train;

/**
 * Settings of GLAD's end-to-end training (paper §2.5, "phase 2"): the shared {@link TrainingLoop}
 * plus what is GLAD's own. Build with {@link #builder()}; {@code build()} validates and names the
 * offending value. The {@code DEFAULT_*} constants are the one place each default is written.
 *
 * @param loop epochs (passes over all training examples: every training position with at least one
 *     item before it), batch, the head's rate, decay, clipping per parameter set, seed, validation,
 *     patience, time limit
 * @param encoderLearningRateScale the encoder's rate relative to the head's (0 freezes it)
 * @param negatives sampled negatives per example (eq. 7)
 * @param maxExamplesPerEpoch train each epoch on a fresh random subset of this many examples (0 =
 *     all)
 * @param negativeSampling how the negatives are drawn (uniform: the paper)
 * @param leakTarget analysis only: each example's memory also holds a node whose centroid is the
 *     target's own item embedding, to test whether the memory path can carry information at all.
 *     The artifact is marked analysis-only and {@code GladModel.load} (the stream) refuses it
 * @param zeroNeighbourInit the head's GraphSAGE layers start with a zero neighbour block instead of
 *     a Glorot one ({@code GladHead.create}): an untrained h_U^L is then h_U^0 passed through σ
 *     twice (exactly h_U^0 with the identity activation)
 * @param memoryGradientChunks issue 13's hypothesis (b): each step re-encodes this many of every
 *     example's most recent memory chunks with the step's encoder, so gradients flow into the
 *     memory's chunk embeddings ({@link FreshMemoryChunks}); 0 = the memory is encoded once per
 *     epoch and is a constant within it
 */
public record GladTrainingConfig(
    TrainingLoop loop,
    float encoderLearningRateScale,
    int negatives,
    int maxExamplesPerEpoch,
    TrainingNegatives negativeSampling,
    boolean leakTarget,
    boolean zeroNeighbourInit,
    int memoryGradientChunks) {

  public static final int DEFAULT_EPOCHS = 10;
  public static final int DEFAULT_BATCH_SIZE = 256;
  public static final float DEFAULT_LEARNING_RATE = 1e-3f;
  public static final float DEFAULT_WEIGHT_DECAY = 0.01f;
  public static final float DEFAULT_GRADIENT_CLIP_NORM = 5f;
  public static final long DEFAULT_SEED = 42;
  public static final int DEFAULT_EVAL_USERS = 0;
  public static final int DEFAULT_PATIENCE = 3;
  public static final float DEFAULT_ENCODER_LEARNING_RATE_SCALE = 0.3f;
  public static final int DEFAULT_NEGATIVES = 100;
  public static final int DEFAULT_MAX_EXAMPLES_PER_EPOCH = 0;
  public static final String DEFAULT_NEGATIVE_SAMPLING = "uniform";
  public static final int DEFAULT_MEMORY_GRADIENT_CHUNKS = 0;

  static final TrainingLoop DEFAULT_LOOP =
      new TrainingLoop(
          DEFAULT_EPOCHS,
          DEFAULT_BATCH_SIZE,
          DEFAULT_LEARNING_RATE,
          DEFAULT_WEIGHT_DECAY,
          DEFAULT_GRADIENT_CLIP_NORM,
          DEFAULT_SEED,
          DEFAULT_EVAL_USERS,
          DEFAULT_PATIENCE,
          0);

  /** Validates. */
  public GladTrainingConfig {
    if (loop == null) {
      throw new IllegalArgumentException("loop is required");
    }
    if (negatives < 1) {
      throw new IllegalArgumentException("negatives must be positive but was " + negatives);
    }
    if (!(encoderLearningRateScale >= 0f)) {
      throw new IllegalArgumentException(
          "encoderLearningRateScale must be >= 0 but was " + encoderLearningRateScale);
    }
    if (negativeSampling == null) {
      throw new IllegalArgumentException("negativeSampling is required");
    }
    if (maxExamplesPerEpoch < 0) {
      throw new IllegalArgumentException(
          "maxExamplesPerEpoch must be >= 0 but was " + maxExamplesPerEpoch);
    }
    if (memoryGradientChunks < 0) {
      throw new IllegalArgumentException(
          "memoryGradientChunks must be >= 0 but was " + memoryGradientChunks);
    }
    if (memoryGradientChunks > 0 && leakTarget) {
      // the leaked node is not a chunk: its h_U^0 share would need its own fresh term
      throw new IllegalArgumentException("memoryGradientChunks cannot be combined with leakTarget");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder with the documented defaults. */
  public static final class Builder extends TrainingLoop.Builder<Builder> {
    private float encoderLearningRateScale = DEFAULT_ENCODER_LEARNING_RATE_SCALE;
    private int negatives = DEFAULT_NEGATIVES;
    private int maxExamplesPerEpoch = DEFAULT_MAX_EXAMPLES_PER_EPOCH;
    private TrainingNegatives negativeSampling = TrainingNegatives.parse(DEFAULT_NEGATIVE_SAMPLING);
    private boolean leakTarget;
    private boolean zeroNeighbourInit;
    private int memoryGradientChunks = DEFAULT_MEMORY_GRADIENT_CHUNKS;

    private Builder() {
      super(DEFAULT_LOOP);
    }

    @Override
    protected Builder self() {
      return this;
    }

    public Builder optEncoderLearningRateScale(float v) {
      encoderLearningRateScale = v;
      return this;
    }

    public Builder optNegatives(int v) {
      negatives = v;
      return this;
    }

    public Builder optNegativeSampling(TrainingNegatives v) {
      negativeSampling = v;
      return this;
    }

    /** Analysis only, see {@link GladTrainingConfig#leakTarget}. */
    public Builder optLeakTarget(boolean v) {
      leakTarget = v;
      return this;
    }

    /** See {@link GladTrainingConfig#zeroNeighbourInit}. */
    public Builder optZeroNeighbourInit(boolean v) {
      zeroNeighbourInit = v;
      return this;
    }

    /** See {@link GladTrainingConfig#memoryGradientChunks}. */
    public Builder optMemoryGradientChunks(int v) {
      memoryGradientChunks = v;
      return this;
    }

    public Builder optMaxExamplesPerEpoch(int v) {
      maxExamplesPerEpoch = v;
      return this;
    }

    /** Validates and builds. */
    public GladTrainingConfig build() {
      return new GladTrainingConfig(
          loop(),
          encoderLearningRateScale,
          negatives,
          maxExamplesPerEpoch,
          negativeSampling,
          leakTarget,
          zeroNeighbourInit,
          memoryGradientChunks);
    }
  }
}
