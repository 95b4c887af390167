package dev.glad.model.train;

/**
 * The settings of the epoch loop that both trainers share (Cloze pretraining and GLAD's end-to-end
 * training): how long, how big a step, how fast, when to stop. Each trainer's config holds one,
 * with its own defaults.
 *
 * @param epochs passes over the training samples or examples
 * @param batchSize samples per step
 * @param learningRate peak AdamW rate
 * @param weightDecay decoupled weight decay (not applied to biases and layer-norm parameters)
 * @param gradientClipNorm gradient norm limit (0 = no clipping)
 * @param seed seeds initialisation, order, sampling and dropout
 * @param evalUsers validation users evaluated after each epoch (0 = all, -1 = no evaluation)
 * @param patience stop after this many evaluations without a better validation NDCG@10 (0 = never)
 * @param timeLimitSeconds stop training after this long, keeping the best model (0 = no limit)
 */
public record TrainingLoop(
    int epochs,
    int batchSize,
    float learningRate,
    float weightDecay,
    float gradientClipNorm,
    long seed,
    int evalUsers,
    int patience,
    long timeLimitSeconds) {

  /** Validates, naming the offending value. */
  public TrainingLoop {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be positive but was " + epochs);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be positive but was " + batchSize);
    }
    if (!(learningRate > 0f)) {
      throw new IllegalArgumentException("learningRate must be positive but was " + learningRate);
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
  }

  /**
   * The loop-setting half of a trainer config's builder, shared so that each setting has one
   * setter. {@code B} is the concrete builder, so chained calls keep its type.
   */
  public abstract static class Builder<B extends Builder<B>> {
    private int epochs;
    private int batchSize;
    private float learningRate;
    private float weightDecay;
    private float gradientClipNorm;
    private long seed;
    private int evalUsers;
    private int patience;
    private long timeLimitSeconds;

    protected Builder(TrainingLoop defaults) {
      epochs = defaults.epochs;
      batchSize = defaults.batchSize;
      learningRate = defaults.learningRate;
      weightDecay = defaults.weightDecay;
      gradientClipNorm = defaults.gradientClipNorm;
      seed = defaults.seed;
      evalUsers = defaults.evalUsers;
      patience = defaults.patience;
      timeLimitSeconds = defaults.timeLimitSeconds;
    }

    protected abstract B self();

    public B optEpochs(int v) {
      epochs = v;
      return self();
    }

    public B optBatchSize(int v) {
      batchSize = v;
      return self();
    }

    public B optLearningRate(float v) {
      learningRate = v;
      return self();
    }

    public B optWeightDecay(float v) {
      weightDecay = v;
      return self();
    }

    public B optGradientClipNorm(float v) {
      gradientClipNorm = v;
      return self();
    }

    public B optSeed(long v) {
      seed = v;
      return self();
    }

    public B optEvalUsers(int v) {
      evalUsers = v;
      return self();
    }

    public B optPatience(int v) {
      patience = v;
      return self();
    }

    public B optTimeLimitSeconds(long v) {
      timeLimitSeconds = v;
      return self();
    }

    /** The loop settings as set so far, validated. */
    protected TrainingLoop loop() {
      return new TrainingLoop(
          epochs,
          batchSize,
          learningRate,
          weightDecay,
          gradientClipNorm,
          seed,
          evalUsers,
          patience,
          timeLimitSeconds);
    }
  }
}
