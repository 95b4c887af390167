package dev.glad.model.train;

/**
 * Phase-1 (Cloze) training settings: the shared {@link TrainingLoop} plus what is Cloze's own.
 * Build with {@link #builder()}; {@code build()} validates and names the offending value. The
 * {@code DEFAULT_*} constants are the one place each default is written (the command line shows
 * them).
 *
 * @param loop epochs, batch, rate, decay, clipping, seed, validation, patience, time limit
 * @param warmupFraction share of all steps spent in linear warmup
 * @param maskProbability chance of masking each item of a Cloze sample
 * @param lastItemSamples whether each window also yields a sample that masks only its last item
 * @param softmax full or sampled softmax
 * @param sampledNegatives batch-shared negatives for the sampled softmax
 * @param checkpointSeconds write a checkpoint at least this often (plus at every epoch end)
 * @param withValidationItem train on every item but the test target: the protocol behind BERT4Rec's
 *     published numbers (its data preparation puts the validation item into training). Validation
 *     would then score items the model trained on, so it requires {@code evalUsers = -1}; take the
 *     epoch count from a run without it
 */
public record TrainingConfig(
    TrainingLoop loop,
    float warmupFraction,
    float maskProbability,
    boolean lastItemSamples,
    SoftmaxMode softmax,
    int sampledNegatives,
    long checkpointSeconds,
    boolean withValidationItem) {

  public static final int DEFAULT_EPOCHS = 30;
  public static final int DEFAULT_BATCH_SIZE = 256;

  /**
   * Measured on amazon-beauty (docs/RESULTS.md): mixed softmax and lr 3e-3 train best per CPU hour;
   * BERT4Rec itself used the full softmax and lr 1e-4.
   */
  public static final float DEFAULT_LEARNING_RATE = 3e-3f;

  public static final float DEFAULT_WEIGHT_DECAY = 0.01f;
  public static final float DEFAULT_GRADIENT_CLIP_NORM = 5f;
  public static final long DEFAULT_SEED = 42;
  public static final int DEFAULT_EVAL_USERS = 0;
  public static final int DEFAULT_PATIENCE = 0;
  public static final float DEFAULT_WARMUP_FRACTION = 0.05f;
  public static final float DEFAULT_MASK_PROBABILITY = 0.6f;
  public static final String DEFAULT_SOFTMAX = "mixed";
  public static final int DEFAULT_SAMPLED_NEGATIVES = 2048;
  public static final float DEFAULT_CHECKPOINT_MINUTES = 10f;

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
  public TrainingConfig {
    if (loop == null) {
      throw new IllegalArgumentException("loop is required");
    }
    if (!(warmupFraction >= 0f && warmupFraction < 1f)) {
      throw new IllegalArgumentException(
          "warmupFraction must be in [0, 1) but was " + warmupFraction);
    }
    if (!(maskProbability > 0f && maskProbability <= 1f)) {
      throw new IllegalArgumentException(
          "maskProbability must be in (0, 1] but was " + maskProbability);
    }
    if (softmax == null) {
      throw new IllegalArgumentException("softmax is required");
    }
    if (sampledNegatives < 1) {
      throw new IllegalArgumentException(
          "sampledNegatives must be positive but was " + sampledNegatives);
    }
    if (checkpointSeconds < 1) {
      throw new IllegalArgumentException(
          "checkpointSeconds must be positive but was " + checkpointSeconds);
    }
    if (withValidationItem && loop.evalUsers() != -1) {
      throw new IllegalArgumentException(
          "training with the validation item needs evalUsers = -1 (validation would score items"
              + " the model trained on) but evalUsers was "
              + loop.evalUsers());
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder with the documented defaults. */
  public static final class Builder extends TrainingLoop.Builder<Builder> {
    private float warmupFraction = DEFAULT_WARMUP_FRACTION;
    private float maskProbability = DEFAULT_MASK_PROBABILITY;
    private boolean lastItemSamples = true;
    private SoftmaxMode softmax = SoftmaxMode.parse(DEFAULT_SOFTMAX);
    private int sampledNegatives = DEFAULT_SAMPLED_NEGATIVES;
    private long checkpointSeconds = Math.round(DEFAULT_CHECKPOINT_MINUTES * 60);
    private boolean withValidationItem;

    private Builder() {
      super(DEFAULT_LOOP);
    }

    @Override
    protected Builder self() {
      return this;
    }

    public Builder optWarmupFraction(float v) {
      warmupFraction = v;
      return this;
    }

    public Builder optMaskProbability(float v) {
      maskProbability = v;
      return this;
    }

    public Builder optLastItemSamples(boolean v) {
      lastItemSamples = v;
      return this;
    }

    public Builder optSoftmax(SoftmaxMode v) {
      softmax = v;
      return this;
    }

    public Builder optSampledNegatives(int v) {
      sampledNegatives = v;
      return this;
    }

    public Builder optCheckpointSeconds(long v) {
      checkpointSeconds = v;
      return this;
    }

    public Builder optWithValidationItem(boolean v) {
      withValidationItem = v;
      return this;
    }

    /** Validates and builds. */
    public TrainingConfig build() {
      return new TrainingConfig(
          loop(),
          warmupFraction,
          maskProbability,
          lastItemSamples,
          softmax,
          sampledNegatives,
          checkpointSeconds,
          withValidationItem);
    }
  }
}
