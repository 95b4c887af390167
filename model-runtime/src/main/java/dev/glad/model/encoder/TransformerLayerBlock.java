package dev.glad.model.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One bidirectional (post-norm, BERT-style) transformer layer: multi-head self-attention over all
 * non-PAD positions, then a GELU feed-forward layer, each with a residual connection, dropout and
 * layer normalisation.
 *
 * <p>Inputs: {@code [hidden (B,T,e), attentionBias (B,1,1,T)]} where the bias is 0 for real tokens
 * and a large negative number for PAD keys. Output: {@code [hidden (B,T,e)]}.
 */
final class TransformerLayerBlock extends AbstractBlock {
  private static final byte VERSION = 1;
  private static final float LAYER_NORM_EPS = 1e-12f;

  private final EncoderConfig config;
  private final Parameter qkvWeight;
  private final Parameter qkvBias;
  private final Parameter outWeight;
  private final Parameter outBias;
  private final Parameter attentionNormGamma;
  private final Parameter attentionNormBeta;
  private final Parameter innerWeight;
  private final Parameter innerBias;
  private final Parameter outerWeight;
  private final Parameter outerBias;
  private final Parameter outputNormGamma;
  private final Parameter outputNormBeta;

  TransformerLayerBlock(EncoderConfig config) {
    super(VERSION);
    this.config = config;
    int e = config.hiddenSize();
    int inner = config.innerSize();
    // Q, K and V in one matrix: one matmul instead of three.
    qkvWeight = addParameter(weight("qkvWeight", 3 * e, e));
    qkvBias = addParameter(vector("qkvBias", Parameter.Type.BIAS, 3 * e));
    outWeight = addParameter(weight("attentionOutWeight", e, e));
    outBias = addParameter(vector("attentionOutBias", Parameter.Type.BIAS, e));
    attentionNormGamma = addParameter(vector("attentionNormGamma", Parameter.Type.GAMMA, e));
    attentionNormBeta = addParameter(vector("attentionNormBeta", Parameter.Type.BETA, e));
    innerWeight = addParameter(weight("ffnInnerWeight", inner, e));
    innerBias = addParameter(vector("ffnInnerBias", Parameter.Type.BIAS, inner));
    outerWeight = addParameter(weight("ffnOuterWeight", e, inner));
    outerBias = addParameter(vector("ffnOuterBias", Parameter.Type.BIAS, e));
    outputNormGamma = addParameter(vector("outputNormGamma", Parameter.Type.GAMMA, e));
    outputNormBeta = addParameter(vector("outputNormBeta", Parameter.Type.BETA, e));
  }

  static Parameter weight(String name, int rows, int columns) {
    return Parameter.builder()
        .setName(name)
        .setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(rows, columns))
        .build();
  }

  static Parameter vector(String name, Parameter.Type type, int length) {
    return Parameter.builder().setName(name).setType(type).optShape(new Shape(length)).build();
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.get(0);
    NDArray attentionBias = inputs.get(1);
    Shape shape = x.getShape();
    long batch = shape.get(0);
    long length = shape.get(1);
    // Positions as rows of one (B*T, e) matrix: Linear on a matrix is one matmul with the bias
    // fused (addmm); on (B,T,e) it is a matmul and a separate pass adding the bias.
    NDArray rows = x.reshape(batch * length, config.hiddenSize());
    NDArray qkv = linear(ps, rows, qkvWeight, qkvBias);
    // (B, T, 3, H, d) -> (3, B, H, T, d)
    qkv = qkv.reshape(batch, length, 3, config.heads(), config.headSize()).transpose(2, 0, 3, 1, 4);
    NDArray context = attend(qkv.get(0), qkv.get(1), qkv.get(2), attentionBias, training);
    return new NDList(finish(ps, rows, context, training).reshape(shape));
  }

  /**
   * The layer's output at the last position only, shape (B, e), equal to {@code forward(...)[:, -1,
   * :]}: inference needs nothing else from the top layer, and every other position of it would cost
   * a query, the attention output, the feed-forward layer and two layer norms that no one reads.
   * Keys and values are still computed at every position.
   */
  NDArray forwardLastPosition(ParameterStore ps, NDArray x, NDArray attentionBias) {
    Shape shape = x.getShape();
    long batch = shape.get(0);
    long length = shape.get(1);
    int e = config.hiddenSize();
    int heads = config.heads();
    int headSize = config.headSize();
    NDArray weight = value(ps, x, qkvWeight);
    NDArray bias = value(ps, x, qkvBias);
    NDArray last = x.get(new NDIndex(":, -1, :"));
    NDArray query =
        Linear.linear(last, weight.get(new NDIndex(":{}", e)), bias.get(new NDIndex(":{}", e)))
            .head()
            .reshape(batch, 1, heads, headSize)
            .transpose(0, 2, 1, 3);
    NDArray keyValue =
        Linear.linear(
                x.reshape(batch * length, e),
                weight.get(new NDIndex("{}:", e)),
                bias.get(new NDIndex("{}:", e)))
            .head()
            // (B, T, 2, H, d) -> (2, B, H, T, d)
            .reshape(batch, length, 2, heads, headSize)
            .transpose(2, 0, 3, 1, 4);
    NDArray context = attend(query, keyValue.get(0), keyValue.get(1), attentionBias, false);
    return finish(ps, last, context, false);
  }

  /**
   * Multi-head attention of queries (B, H, Tq, d) over keys and values (B, H, T, d); the context as
   * rows (B*Tq, e) in the order of the queries' positions.
   */
  private NDArray attend(
      NDArray query, NDArray key, NDArray valueVectors, NDArray attentionBias, boolean training) {
    long batch = query.getShape().get(0);
    long queries = query.getShape().get(2);
    NDArray scores = query.matMul(key.transpose(0, 1, 3, 2));
    // scaled by an engine-owned scalar: a Number would become a tensor over Java memory that the
    // backward pass reads after its wrapper is gone (EngineArrays)
    scores
        .muli(EngineArrays.scalar(scores, 1.0f / (float) Math.sqrt(config.headSize())))
        .addi(attentionBias);
    NDArray probabilities = scores.softmax(-1);
    probabilities = Dropout.dropout(probabilities, config.attentionDropout(), training).head();
    return probabilities
        .matMul(valueVectors)
        .transpose(0, 2, 1, 3)
        .reshape(batch * queries, config.hiddenSize());
  }

  /**
   * Everything after the attention, row by row: attention output projection, dropout, residual and
   * layer norm, then the GELU feed-forward layer, dropout, residual and layer norm.
   */
  private NDArray finish(ParameterStore ps, NDArray rows, NDArray context, boolean training) {
    NDArray attended = linear(ps, context, outWeight, outBias);
    attended = Dropout.dropout(attended, config.hiddenDropout(), training).head();
    NDArray x = layerNorm(ps, rows.add(attended), attentionNormGamma, attentionNormBeta);
    NDArray inner = Activation.gelu(linear(ps, x, innerWeight, innerBias));
    NDArray outer = linear(ps, inner, outerWeight, outerBias);
    outer = Dropout.dropout(outer, config.hiddenDropout(), training).head();
    return layerNorm(ps, x.add(outer), outputNormGamma, outputNormBeta);
  }

  private static NDArray linear(ParameterStore ps, NDArray rows, Parameter weight, Parameter bias) {
    return Linear.linear(rows, value(ps, rows, weight), value(ps, rows, bias)).head();
  }

  private NDArray layerNorm(ParameterStore ps, NDArray x, Parameter gamma, Parameter beta) {
    return LayerNorm.layerNorm(
            x,
            new Shape(config.hiddenSize()),
            value(ps, x, gamma),
            value(ps, x, beta),
            LAYER_NORM_EPS)
        .head();
  }

  static NDArray value(ParameterStore ps, NDArray like, Parameter parameter) {
    return ps.getValue(parameter, like.getDevice(), false);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
