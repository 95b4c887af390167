package dev.glad.model.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
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
    NDArray attended = selfAttention(ps, x, attentionBias, training);
    NDArray attendedOut = Dropout.dropout(attended, config.hiddenDropout(), training).head();
    x = layerNorm(ps, x.add(attendedOut), attentionNormGamma, attentionNormBeta);

    NDArray inner =
        Activation.gelu(
            Linear.linear(x, value(ps, x, innerWeight), value(ps, x, innerBias)).head());
    NDArray outer = Linear.linear(inner, value(ps, x, outerWeight), value(ps, x, outerBias)).head();
    outer = Dropout.dropout(outer, config.hiddenDropout(), training).head();
    x = layerNorm(ps, x.add(outer), outputNormGamma, outputNormBeta);
    return new NDList(x);
  }

  private NDArray selfAttention(
      ParameterStore ps, NDArray x, NDArray attentionBias, boolean training) {
    Shape shape = x.getShape();
    long batch = shape.get(0);
    long length = shape.get(1);
    int heads = config.heads();
    int headSize = config.headSize();
    NDArray qkv = Linear.linear(x, value(ps, x, qkvWeight), value(ps, x, qkvBias)).head();
    // (B, T, 3, H, d) -> (3, B, H, T, d)
    qkv = qkv.reshape(batch, length, 3, heads, headSize).transpose(2, 0, 3, 1, 4);
    NDArray query = qkv.get(0);
    NDArray key = qkv.get(1);
    NDArray valueVectors = qkv.get(2);
    NDArray scores = query.matMul(key.transpose(0, 1, 3, 2));
    // scaled by an engine-owned scalar: a Number would become a tensor over Java memory that the
    // backward pass reads after its wrapper is gone (EngineArrays)
    scores
        .muli(EngineArrays.scalar(scores, 1.0f / (float) Math.sqrt(headSize)))
        .addi(attentionBias);
    NDArray probabilities = scores.softmax(-1);
    probabilities = Dropout.dropout(probabilities, config.attentionDropout(), training).head();
    NDArray context =
        probabilities
            .matMul(valueVectors)
            .transpose(0, 2, 1, 3)
            .reshape(batch, length, config.hiddenSize());
    return Linear.linear(context, value(ps, x, outWeight), value(ps, x, outBias)).head();
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
