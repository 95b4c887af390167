package dev.glad.model.encoder;

/**
 * Shape and regularisation of the Bert4Rec encoder. Build with {@link #builder()}; {@code build()}
 * checks every value and names the offending one.
 *
 * @param tokenCount rows of the item embedding table: items plus special tokens
 * @param hiddenSize e, the width of every hidden state and embedding
 * @param layers number of bidirectional transformer layers
 * @param heads attention heads per layer; must divide {@code hiddenSize}
 * @param innerSize width of the position-wise feed-forward layer
 * @param maxLength longest input, the appended MASK included; learned positions exist for this many
 * @param chunkSize c, the chunk length the stream encodes; needs {@code c + 1 <= maxLength}
 * @param hiddenDropout dropout on embeddings and sub-layer outputs while training
 * @param attentionDropout dropout on attention probabilities while training
 */
public record EncoderConfig(
    int tokenCount,
    int hiddenSize,
    int layers,
    int heads,
    int innerSize,
    int maxLength,
    int chunkSize,
    float hiddenDropout,
    float attentionDropout) {

  public static final int DEFAULT_HIDDEN_SIZE = 64;
  public static final int DEFAULT_LAYERS = 2;
  public static final int DEFAULT_HEADS = 2;

  /** The feed-forward width by default: {@code 4 * hiddenSize} (BERT). */
  public static final int DEFAULT_INNER_SIZE = -1;

  public static final int DEFAULT_MAX_LENGTH = 50;

  /**
   * c, the chunk size, when nobody chose one: the paper's size for its larger data sets. The one
   * default of c in the project; the stream takes c from the artifact it runs.
   */
  public static final int DEFAULT_CHUNK_SIZE = 20;

  public static final float DEFAULT_HIDDEN_DROPOUT = 0.5f;
  public static final float DEFAULT_ATTENTION_DROPOUT = 0.2f;

  /** Validates through the builder's rules. */
  public EncoderConfig {
    validate(
        tokenCount,
        hiddenSize,
        layers,
        heads,
        innerSize,
        maxLength,
        chunkSize,
        hiddenDropout,
        attentionDropout);
  }

  /** A builder with BERT4Rec's Beauty defaults (e=64, 2 layers, 2 heads, max length 50, c=20). */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder initialised from this config. */
  public Builder toBuilder() {
    return new Builder()
        .setTokenCount(tokenCount)
        .optHiddenSize(hiddenSize)
        .optLayers(layers)
        .optHeads(heads)
        .optInnerSize(innerSize)
        .optMaxLength(maxLength)
        .optChunkSize(chunkSize)
        .optHiddenDropout(hiddenDropout)
        .optAttentionDropout(attentionDropout);
  }

  /** Width of one attention head. */
  public int headSize() {
    return hiddenSize / heads;
  }

  private static void validate(
      int tokenCount,
      int hiddenSize,
      int layers,
      int heads,
      int innerSize,
      int maxLength,
      int chunkSize,
      float hiddenDropout,
      float attentionDropout) {
    if (tokenCount < 4) {
      throw new IllegalArgumentException(
          "tokenCount must be at least 4 (3 special tokens and one item) but was " + tokenCount);
    }
    if (hiddenSize < 1) {
      throw new IllegalArgumentException("hiddenSize must be positive but was " + hiddenSize);
    }
    if (layers < 1) {
      throw new IllegalArgumentException("layers must be positive but was " + layers);
    }
    if (heads < 1 || hiddenSize % heads != 0) {
      throw new IllegalArgumentException(
          "heads must be positive and divide hiddenSize " + hiddenSize + " but was " + heads);
    }
    if (innerSize < 1) {
      throw new IllegalArgumentException("innerSize must be positive but was " + innerSize);
    }
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunkSize must be positive but was " + chunkSize);
    }
    if (maxLength < chunkSize + 1) {
      throw new IllegalArgumentException(
          "maxLength must be at least chunkSize + 1 = "
              + (chunkSize + 1)
              + " (a chunk plus the appended MASK) but was "
              + maxLength);
    }
    checkProbability("hiddenDropout", hiddenDropout);
    checkProbability("attentionDropout", attentionDropout);
  }

  private static void checkProbability(String name, float value) {
    if (!(value >= 0f && value < 1f)) {
      throw new IllegalArgumentException(name + " must be in [0, 1) but was " + value);
    }
  }

  /** Builder: {@code setX} for required values, {@code optX} for values with defaults. */
  public static final class Builder {
    private int tokenCount = -1;
    private int hiddenSize = DEFAULT_HIDDEN_SIZE;
    private int layers = DEFAULT_LAYERS;
    private int heads = DEFAULT_HEADS;
    private int innerSize = DEFAULT_INNER_SIZE;
    private int maxLength = DEFAULT_MAX_LENGTH;
    private int chunkSize = DEFAULT_CHUNK_SIZE;
    private float hiddenDropout = DEFAULT_HIDDEN_DROPOUT;
    private float attentionDropout = DEFAULT_ATTENTION_DROPOUT;

    private Builder() {}

    /** Required: item count plus the special tokens. */
    public Builder setTokenCount(int tokenCount) {
      this.tokenCount = tokenCount;
      return this;
    }

    public Builder optHiddenSize(int hiddenSize) {
      this.hiddenSize = hiddenSize;
      return this;
    }

    public Builder optLayers(int layers) {
      this.layers = layers;
      return this;
    }

    public Builder optHeads(int heads) {
      this.heads = heads;
      return this;
    }

    /** Feed-forward width; defaults to {@code 4 * hiddenSize}. */
    public Builder optInnerSize(int innerSize) {
      this.innerSize = innerSize;
      return this;
    }

    public Builder optMaxLength(int maxLength) {
      this.maxLength = maxLength;
      return this;
    }

    public Builder optChunkSize(int chunkSize) {
      this.chunkSize = chunkSize;
      return this;
    }

    public Builder optHiddenDropout(float hiddenDropout) {
      this.hiddenDropout = hiddenDropout;
      return this;
    }

    public Builder optAttentionDropout(float attentionDropout) {
      this.attentionDropout = attentionDropout;
      return this;
    }

    /** Checks all values; throws {@link IllegalArgumentException} naming the first bad one. */
    public EncoderConfig build() {
      if (tokenCount == -1) {
        throw new IllegalArgumentException("tokenCount is required (call setTokenCount)");
      }
      int inner = innerSize == -1 ? 4 * hiddenSize : innerSize;
      return new EncoderConfig(
          tokenCount,
          hiddenSize,
          layers,
          heads,
          inner,
          maxLength,
          chunkSize,
          hiddenDropout,
          attentionDropout);
    }
  }
}
