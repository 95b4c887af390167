package dev.glad.model.train;

/**
 * Phase-1 (Cloze) training settings. Build with {@link #builder()}; {@code build()} validates and
 * names the offending value.
 *
 * @param epochs passes over the training windows
 * @param batchSize sequences per step
 * @param learningRate peak AdamW rate
 * @param weightDecay decoupled weight decay (not applied to biases and layer-norm parameters)
 * @param warmupFraction share of all steps spent in linear warmup
 * @param maskProbability chance of masking each item of a Cloze sample
 * @param lastItemSamples whether each window also yields a sample that masks only its last item
 * @param softmax full or sampled softmax
 * @param sampledNegatives batch-shared negatives for the sampled softmax
 * @param gradientClipNorm global gradient norm limit (0 = no clipping)
 * @param seed seeds initialisation, masking, order and dropout
 * @param evalUsers validation users evaluated after each epoch (0 = all, -1 = no evaluation)
 * @param patience stop after this many evaluations without a better validation NDCG@10 (0 = never)
 * @param timeLimitSeconds stop training after this long, keeping the best model (0 = no limit)
 * @param checkpointSeconds write a checkpoint at least this often (plus at every epoch end)
 */
public record TrainingConfig(
    int epochs,
    int batchSize,
    float learningRate,
    float weightDecay,
    float warmupFraction,
    float maskProbability,
    boolean lastItemSamples,
    SoftmaxMode softmax,
    int sampledNegatives,
    float gradientClipNorm,
    long seed,
    int evalUsers,
    int patience,
    long timeLimitSeconds,
    long checkpointSeconds) {

  /** Validates. */
  public TrainingConfig {
    positive("epochs", epochs);
    positive("batchSize", batchSize);
    if (!(learningRate > 0f)) {
      throw new IllegalArgumentException("learningRate must be positive but was " + learningRate);
    }
    if (!(weightDecay >= 0f)) {
      throw new IllegalArgumentException("weightDecay must be >= 0 but was " + weightDecay);
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
    positive("sampledNegatives", sampledNegatives);
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
    positive("checkpointSeconds", checkpointSeconds);
  }

  private static void positive(String name, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be positive but was " + value);
    }
  }

  /**
   * Defaults measured on amazon-beauty (docs/RESULTS.md): mixed softmax and lr 3e-3 train best per
   * CPU hour; BERT4Rec itself used the full softmax and lr 1e-4.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder with documented defaults. */
  public static final class Builder {
    private int epochs = 30;
    private int batchSize = 256;
    private float learningRate = 3e-3f;
    private float weightDecay = 0.01f;
    private float warmupFraction = 0.05f;
    private float maskProbability = 0.6f;
    private boolean lastItemSamples = true;
    private SoftmaxMode softmax = SoftmaxMode.MIXED;
    private int sampledNegatives = 2048;
    private float gradientClipNorm = 5f;
    private long seed = 42;
    private int evalUsers = 0;
    private int patience = 0;
    private long timeLimitSeconds = 0;
    private long checkpointSeconds = 600;

    private Builder() {}

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

    public Builder optWeightDecay(float v) {
      weightDecay = v;
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

    public Builder optCheckpointSeconds(long v) {
      checkpointSeconds = v;
      return this;
    }

    /** Validates and builds. */
    public TrainingConfig build() {
      return new TrainingConfig(
          epochs,
          batchSize,
          learningRate,
          weightDecay,
          warmupFraction,
          maskProbability,
          lastItemSamples,
          softmax,
          sampledNegatives,
          gradientClipNorm,
          seed,
          evalUsers,
          patience,
          timeLimitSeconds,
          checkpointSeconds);
    }
  }
}
