package dev.glad.model.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.glad.model.data.SpecialTokens;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The Bert4Rec interaction-sequence encoder (GLAD paper §2.1) as a DJL block.
 *
 * <p>Input: {@code [tokens (B,T) int64]}, right-aligned: a sequence's last token sits in the last
 * column and learned position {@code maxLength - 1}; shorter sequences are PAD-filled on the left
 * and their PAD positions are ignored by attention. Because positions count from the right, a batch
 * may be narrower than {@code maxLength} without changing any result. Output: {@code [hidden
 * (B,T,e)]}, the final hidden states.
 *
 * <p>The item embedding table doubles as the output layer ({@link #logits}), plus an output bias.
 */
public final class Bert4RecBlock extends AbstractBlock {
  private static final byte VERSION = 1;
  private static final float LAYER_NORM_EPS = 1e-12f;

  /** Additive attention score for PAD keys: exp() of it is 0 in float32. */
  private static final float PAD_ATTENTION_BIAS = -1e9f;

  private final EncoderConfig config;
  private final Parameter tokenEmbedding;
  private final Parameter positionEmbedding;
  private final Parameter embeddingNormGamma;
  private final Parameter embeddingNormBeta;
  private final Parameter outputBias;
  private final List<TransformerLayerBlock> layers;

  /** Creates an uninitialised encoder of the given shape. */
  public Bert4RecBlock(EncoderConfig config) {
    super(VERSION);
    this.config = config;
    int e = config.hiddenSize();
    tokenEmbedding =
        addParameter(TransformerLayerBlock.weight("tokenEmbedding", config.tokenCount(), e));
    positionEmbedding =
        addParameter(TransformerLayerBlock.weight("positionEmbedding", config.maxLength(), e));
    embeddingNormGamma =
        addParameter(TransformerLayerBlock.vector("embeddingNormGamma", Parameter.Type.GAMMA, e));
    embeddingNormBeta =
        addParameter(TransformerLayerBlock.vector("embeddingNormBeta", Parameter.Type.BETA, e));
    outputBias =
        addParameter(
            TransformerLayerBlock.vector("outputBias", Parameter.Type.BIAS, config.tokenCount()));
    List<TransformerLayerBlock> blocks = new ArrayList<>();
    for (int i = 0; i < config.layers(); i++) {
      blocks.add(addChildBlock("layer" + i, new TransformerLayerBlock(config)));
    }
    layers = Collections.unmodifiableList(blocks);
  }

  public EncoderConfig config() {
    return config;
  }

  /**
   * Sets seeded initialisers on every parameter (truncated normal std 0.02 for weights, 1 for
   * layer-norm gains, 0 for biases) and allocates them on {@code manager}'s device.
   */
  public void initializeSeeded(NDManager manager, long seed) {
    for (var entry : getParameters()) {
      Parameter parameter = entry.getValue();
      long parameterSeed = seed * 0x9E3779B97F4A7C15L + entry.getKey().hashCode();
      parameter.setInitializer(
          switch (parameter.getType()) {
            case WEIGHT -> SeededInitializer.truncatedNormal(parameterSeed, 0.02f);
            case GAMMA -> SeededInitializer.constant(1f);
            default -> SeededInitializer.constant(0f);
          });
    }
    initialize(manager, DataType.FLOAT32, new Shape(1, config.maxLength()));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray tokens = inputs.head();
    return new NDList(forward(ps, tokens, value(ps, tokens, tokenEmbedding), training));
  }

  /**
   * The forward pass with the token rows taken from {@code tokenTable} instead of E: training
   * passes a small table of only the rows its step uses (so the backward pass yields gradients for
   * those rows only) with {@code tokens} indexing that table; PAD must keep index {@link
   * SpecialTokens#PAD}, which marks the padding.
   *
   * @return the final hidden states (B,T,e)
   */
  public NDArray forward(ParameterStore ps, NDArray tokens, NDArray tokenTable, boolean training) {
    NDArray x = embed(ps, tokens, tokenTable, training);
    NDArray attentionBias = attentionBias(tokens);
    for (TransformerLayerBlock layer : layers) {
      x = layer.forward(ps, new NDList(x, attentionBias), training).head();
    }
    return x;
  }

  /**
   * Inference: the final hidden state at the last position of each row, shape (B, e), equal to
   * {@code forward(ps, tokens, E, false)[:, -1, :]} within float rounding. The top layer computes
   * only that position (the stream's encoder reads the appended MASK, the last column), so it does
   * about a fifth of its work (at T = 21).
   */
  public NDArray lastPositionStates(ParameterStore ps, NDArray tokens) {
    NDArray x = embed(ps, tokens, value(ps, tokens, tokenEmbedding), false);
    NDArray attentionBias = attentionBias(tokens);
    for (int i = 0; i < layers.size() - 1; i++) {
      x = layers.get(i).forward(ps, new NDList(x, attentionBias), false).head();
    }
    return layers.get(layers.size() - 1).forwardLastPosition(ps, x, attentionBias);
  }

  /** Token plus position embeddings, layer-normed, with dropout: (B, T, e). */
  private NDArray embed(ParameterStore ps, NDArray tokens, NDArray tokenTable, boolean training) {
    long length = tokens.getShape().get(1);
    if (length > config.maxLength()) {
      throw new IllegalArgumentException(
          "input has " + length + " columns but maxLength is " + config.maxLength());
    }
    NDManager manager = tokens.getManager();
    NDArray positions =
        manager
            .arange(config.maxLength() - length, config.maxLength())
            .toType(DataType.INT64, false);
    NDArray x =
        Embedding.embedding(tokens, tokenTable, SparseFormat.DENSE)
            .head()
            .add(
                Embedding.embedding(
                        positions, value(ps, tokens, positionEmbedding), SparseFormat.DENSE)
                    .head());
    x =
        LayerNorm.layerNorm(
                x,
                new Shape(config.hiddenSize()),
                value(ps, tokens, embeddingNormGamma),
                value(ps, tokens, embeddingNormBeta),
                LAYER_NORM_EPS)
            .head();
    return Dropout.dropout(x, config.hiddenDropout(), training).head();
  }

  /** 0 for real keys and {@link #PAD_ATTENTION_BIAS} for PAD keys: (B, 1, 1, T). */
  private static NDArray attentionBias(NDArray tokens) {
    Shape shape = tokens.getShape();
    return tokens
        .eq(SpecialTokens.PAD)
        .toType(DataType.FLOAT32, false)
        .muli(PAD_ATTENTION_BIAS)
        .reshape(shape.get(0), 1, 1, shape.get(1));
  }

  /**
   * Output scores of hidden states against every token: {@code hidden · E^T + b}, shape {@code (N,
   * tokenCount)}. Special-token columns are present but never targets.
   */
  public NDArray logits(ParameterStore ps, NDArray hidden) {
    return Linear.linear(hidden, value(ps, hidden, tokenEmbedding), value(ps, hidden, outputBias))
        .head();
  }

  /** The item embedding table E, shape {@code (tokenCount, e)}. */
  public NDArray tokenEmbeddings(ParameterStore ps, NDArray like) {
    return value(ps, like, tokenEmbedding);
  }

  /** The output bias b, shape {@code (tokenCount)}. */
  public NDArray outputBias(ParameterStore ps, NDArray like) {
    return value(ps, like, outputBias);
  }

  private static NDArray value(ParameterStore ps, NDArray like, Parameter parameter) {
    return TransformerLayerBlock.value(ps, like, parameter);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape hidden = new Shape(inputShapes[0].get(0), inputShapes[0].get(1), config.hiddenSize());
    for (TransformerLayerBlock layer : layers) {
      layer.initialize(manager, dataType, hidden);
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {
      new Shape(inputShapes[0].get(0), inputShapes[0].get(1), config.hiddenSize())
    };
  }
}
