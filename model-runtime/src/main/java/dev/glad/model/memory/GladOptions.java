package dev.glad.model.memory;

import java.util.Locale;

/**
 * The choices the paper leaves open, plus the clustering settings. Every choice keeps the paper's
 * literal form available; the defaults are the ones picked by validation (docs/MODEL.md).
 *
 * @param activation σ of the GraphSAGE layers (eq. 1–2); the paper does not name it
 * @param aggregation neighbour aggregation: the paper's {@code SUM}, or {@code MEAN} (sum divided
 *     by the total edge weight on the user side and by the cluster size on the cluster side), which
 *     keeps high-degree nodes on the same scale as low-degree ones
 * @param attention normalisation of α in eq. 5: the paper's raw dot product ({@code DOT}, each
 *     cluster counted once per edge weight), or {@code SOFTMAX} over {@code h_T·h_j + ln w_j}
 * @param clusteringFactor chunks per cluster: K = round(training chunks / factor), at least 1
 * @param kmeansIterations Lloyd iterations after k-means++ seeding
 * @param decay sequential k-means step floor: a chunk moves its centroid by {@code max(1/n, decay)}
 *     of the distance (0 = MacQueen's running mean; larger values follow drift)
 * @param auxiliaryLossWeight weight of the target-free layer-2 score in the phase-2 loss of the
 *     attentive variant, so the vector the stream publishes ({@code h_U^L}) is trained too
 * @param itemBias whether scores add the encoder's output bias of the item ({@code s = h·h_T +
 *     b_T}); the paper's eq. 4 has no bias
 * @param longTermLossWeight weight of a phase-2 loss term that scores items with the target-free
 *     h_U^L alone ({@code h_U^L · h_T (+ b_T)}, users with memory): trains the vector the stream
 *     publishes to stand on its own as the user's long-term interests, for readers that use it
 *     without z_U and the gate (0 = off; artifacts written before the option have 0)
 * @param attentiveLayer the attentive final layer: eq. 5 as printed ({@code READ}: {@code h_UT = Σ
 *     a_j h_CE_j^1}, the user's own node is dropped) or GraphSAGE with the attentive read as its
 *     aggregator ({@code SAGE}: {@code h_UT = σ(W_U^1 [h_U^1 || Σ a_j h_CE_j^1])}, the same layer
 *     as the target-free layer 2 with another aggregator)
 */
public record GladOptions(
    HeadActivation activation,
    Aggregation aggregation,
    AttentionNormalisation attention,
    double clusteringFactor,
    int kmeansIterations,
    float decay,
    float auxiliaryLossWeight,
    boolean itemBias,
    AttentiveLayer attentiveLayer,
    float longTermLossWeight) {

  /** The form of the attentive final layer. */
  public enum AttentiveLayer {
    READ,
    SAGE;

    /** Parses {@code read|sage}. */
    public static AttentiveLayer parse(String value) {
      try {
        return valueOf(value.strip().toUpperCase(Locale.ROOT));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "attentive layer must be read or sage but was '" + value + "'");
      }
    }
  }

  /** Neighbour aggregation of eq. 1–2. */
  public enum Aggregation {
    SUM,
    MEAN;

    /** Parses {@code sum|mean}. */
    public static Aggregation parse(String value) {
      try {
        return valueOf(value.strip().toUpperCase(Locale.ROOT));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "aggregation must be sum or mean but was '" + value + "'");
      }
    }
  }

  /** Normalisation of the attention coefficients of eq. 5. */
  public enum AttentionNormalisation {
    DOT,
    SOFTMAX;

    /** Parses {@code dot|softmax}. */
    public static AttentionNormalisation parse(String value) {
      try {
        return valueOf(value.strip().toUpperCase(Locale.ROOT));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "attention must be dot or softmax but was '" + value + "'");
      }
    }
  }

  /** Validates. */
  public GladOptions {
    if (activation == null) {
      throw new IllegalArgumentException("activation is required");
    }
    if (aggregation == null) {
      throw new IllegalArgumentException("aggregation is required");
    }
    if (attention == null) {
      throw new IllegalArgumentException("attention is required");
    }
    if (attentiveLayer == null) {
      throw new IllegalArgumentException("attentiveLayer is required");
    }
    if (!(clusteringFactor >= 1.0) || Double.isInfinite(clusteringFactor)) {
      throw new IllegalArgumentException(
          "clusteringFactor must be a finite number >= 1 but was " + clusteringFactor);
    }
    if (kmeansIterations < 0) {
      throw new IllegalArgumentException(
          "kmeansIterations must be >= 0 but was " + kmeansIterations);
    }
    if (!(decay >= 0f && decay < 1f)) {
      throw new IllegalArgumentException("decay must be in [0, 1) but was " + decay);
    }
    if (!(longTermLossWeight >= 0f) || Float.isInfinite(longTermLossWeight)) {
      throw new IllegalArgumentException(
          "longTermLossWeight must be a finite number >= 0 but was " + longTermLossWeight);
    }
    if (!(auxiliaryLossWeight >= 0f) || Float.isInfinite(auxiliaryLossWeight)) {
      throw new IllegalArgumentException(
          "auxiliaryLossWeight must be a finite number >= 0 but was " + auxiliaryLossWeight);
    }
  }

  public static final String DEFAULT_ACTIVATION = "tanh";
  public static final String DEFAULT_AGGREGATION = "mean";
  public static final String DEFAULT_ATTENTION = "softmax";
  public static final String DEFAULT_ATTENTIVE_LAYER = "sage";
  public static final double DEFAULT_CLUSTERING_FACTOR = 20;
  public static final int DEFAULT_KMEANS_ITERATIONS = 15;
  public static final float DEFAULT_DECAY = 0f;
  public static final float DEFAULT_AUXILIARY_LOSS_WEIGHT = 0.5f;
  public static final float DEFAULT_LONG_TERM_LOSS_WEIGHT = 0f;

  /** A builder with the validated defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The paper's literal choices: sigmoid, sum, raw dot-product attention, no item bias. */
  public static GladOptions paperLiteral() {
    return builder()
        .optActivation(HeadActivation.SIGMOID)
        .optAggregation(Aggregation.SUM)
        .optAttention(AttentionNormalisation.DOT)
        .optAttentiveLayer(AttentiveLayer.READ)
        .optItemBias(false)
        .build();
  }

  /** A builder initialised from these options. */
  public Builder toBuilder() {
    return builder()
        .optActivation(activation)
        .optAggregation(aggregation)
        .optAttention(attention)
        .optClusteringFactor(clusteringFactor)
        .optKmeansIterations(kmeansIterations)
        .optDecay(decay)
        .optAuxiliaryLossWeight(auxiliaryLossWeight)
        .optLongTermLossWeight(longTermLossWeight)
        .optItemBias(itemBias)
        .optAttentiveLayer(attentiveLayer);
  }

  /** Builder; every value has a default. */
  public static final class Builder {
    private HeadActivation activation = HeadActivation.parse(DEFAULT_ACTIVATION);
    private Aggregation aggregation = Aggregation.parse(DEFAULT_AGGREGATION);
    private AttentionNormalisation attention = AttentionNormalisation.parse(DEFAULT_ATTENTION);
    private double clusteringFactor = DEFAULT_CLUSTERING_FACTOR;
    private int kmeansIterations = DEFAULT_KMEANS_ITERATIONS;
    private float decay = DEFAULT_DECAY;
    private float auxiliaryLossWeight = DEFAULT_AUXILIARY_LOSS_WEIGHT;
    private float longTermLossWeight = DEFAULT_LONG_TERM_LOSS_WEIGHT;
    private boolean itemBias = true;
    private AttentiveLayer attentiveLayer = AttentiveLayer.parse(DEFAULT_ATTENTIVE_LAYER);

    private Builder() {}

    public Builder optAttentiveLayer(AttentiveLayer v) {
      attentiveLayer = v;
      return this;
    }

    public Builder optActivation(HeadActivation v) {
      activation = v;
      return this;
    }

    public Builder optAggregation(Aggregation v) {
      aggregation = v;
      return this;
    }

    public Builder optAttention(AttentionNormalisation v) {
      attention = v;
      return this;
    }

    public Builder optClusteringFactor(double v) {
      clusteringFactor = v;
      return this;
    }

    public Builder optKmeansIterations(int v) {
      kmeansIterations = v;
      return this;
    }

    public Builder optDecay(float v) {
      decay = v;
      return this;
    }

    public Builder optAuxiliaryLossWeight(float v) {
      auxiliaryLossWeight = v;
      return this;
    }

    public Builder optLongTermLossWeight(float v) {
      longTermLossWeight = v;
      return this;
    }

    public Builder optItemBias(boolean v) {
      itemBias = v;
      return this;
    }

    /** Validates and builds. */
    public GladOptions build() {
      return new GladOptions(
          activation,
          aggregation,
          attention,
          clusteringFactor,
          kmeansIterations,
          decay,
          auxiliaryLossWeight,
          itemBias,
          attentiveLayer,
          longTermLossWeight);
    }
  }
}
