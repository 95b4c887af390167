package dev.glad.model.memory;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import dev.glad.model.data.ItemVocabulary;
import dev.glad.model.encoder.EncoderConfig;
import dev.glad.model.encoder.SequenceEncoder;
import dev.glad.model.memory.GladOptions.Aggregation;
import dev.glad.model.memory.GladOptions.AttentionNormalisation;
import java.util.Map;

/**
 * GLAD's memory and head equations (design §2) as pure functions on float arrays: what the stream
 * and the ranking service call. Immutable and thread-safe; no engine needed. Training computes the
 * same equations with DJL ({@code dev.glad.model.head.GladHead}); tests hold the two to 1e-4.
 *
 * <p>Conventions: e-wide vectors; an edge weight is the number of the user's chunks assigned to the
 * cluster; "aggregate" is {@link Aggregation#SUM} (the paper) or {@link Aggregation#MEAN}.
 */
public final class GraphMemoryMath {
  private final GladOptions options;
  private final HeadWeights weights;
  private final float[][] itemEmbeddings;
  private final float[] itemBiases;
  private final ItemVocabulary vocabulary;
  private final int e;

  /** The equations with this encoder's item table (its tied embeddings and output bias). */
  public static GraphMemoryMath of(
      GladOptions options, HeadWeights head, SequenceEncoder encoder, ItemVocabulary vocabulary) {
    EncoderConfig ec = encoder.config();
    float[][] table = null;
    float[] bias = null;
    for (Map.Entry<String, Parameter> p : encoder.model().parameters().entrySet()) {
      NDArray array = p.getValue().getArray();
      if (p.getKey().endsWith("tokenEmbedding")) {
        table = rowsOf(array.toFloatArray(), ec.tokenCount(), ec.hiddenSize());
      } else if (p.getKey().endsWith("outputBias")) {
        bias = array.toFloatArray();
      }
    }
    if (table == null || bias == null) {
      throw new IllegalStateException("the encoder has no tokenEmbedding/outputBias parameter");
    }
    return new GraphMemoryMath(options, head, table, bias, vocabulary);
  }

  private static float[][] rowsOf(float[] flat, int rows, int columns) {
    float[][] out = new float[rows][columns];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(flat, r * columns, out[r], 0, columns);
    }
    return out;
  }

  /**
   * @param itemEmbeddings the encoder's token embedding table E (tokenCount x e), shared not copied
   * @param itemBiases the encoder's output bias per token
   */
  public GraphMemoryMath(
      GladOptions options,
      HeadWeights weights,
      float[][] itemEmbeddings,
      float[] itemBiases,
      ItemVocabulary vocabulary) {
    this.options = options;
    this.weights = weights;
    this.e = weights.hiddenSize();
    weights.requireHiddenSize(e);
    if (itemEmbeddings.length != itemBiases.length || itemEmbeddings[0].length != e) {
      throw new IllegalArgumentException(
          "item embeddings are "
              + itemEmbeddings.length
              + " x "
              + itemEmbeddings[0].length
              + " with "
              + itemBiases.length
              + " biases; expected tokenCount x "
              + e
              + " and one bias per token");
    }
    this.itemEmbeddings = itemEmbeddings;
    this.itemBiases = itemBiases;
    this.vocabulary = vocabulary;
  }

  public GladOptions options() {
    return options;
  }

  public HeadWeights weights() {
    return weights;
  }

  // ---- memory updates (no trained weights involved) ----

  /** For each embedding, the index of the nearest centroid (squared Euclidean distance). */
  public int[] nearestClusters(float[][] embeddings, float[][] centroids) {
    return KMeans.nearest(embeddings, centroids);
  }

  /**
   * h_U^0 after the user's next chunk: the running mean of the user's chunk embeddings. Needs only
   * the user's own memory, so it is defined for users never seen in training.
   *
   * @param hU0OrNull the user's h_U^0 before (null for a user without chunks)
   * @param chunksBefore how many chunks made {@code hU0OrNull}
   */
  public float[] userInputAfterChunk(float[] hU0OrNull, long chunksBefore, float[] chunkEmbedding) {
    return runningMean(hU0OrNull, chunksBefore, chunkEmbedding);
  }

  /**
   * The running mean of {@code count} vectors, updated with one more: the h_U^0 rule (the only
   * implementation; {@link UserEdges#replay} uses it too).
   */
  public static float[] runningMean(float[] meanOrNull, long count, float[] next) {
    if (meanOrNull == null || count == 0) {
      return next.clone();
    }
    float[] out = new float[next.length];
    float rate = 1f / (count + 1);
    for (int i = 0; i < out.length; i++) {
      out[i] = meanOrNull[i] + rate * (next[i] - meanOrNull[i]);
    }
    return out;
  }

  /**
   * Sequential k-means (MacQueen) with the configured decay: the centroid moves towards the chunk
   * by {@code max(1 / (sizeBefore + 1), decay)} of the distance. With decay 0 the centroid stays
   * the exact mean of every chunk it received.
   */
  public float[] centroidAfterChunk(float[] centroid, long sizeBefore, float[] chunkEmbedding) {
    return sequentialKMeansStep(centroid, sizeBefore, chunkEmbedding, options.decay());
  }

  /** {@link #centroidAfterChunk} with an explicit decay. */
  public static float[] sequentialKMeansStep(
      float[] centroid, long sizeBefore, float[] chunkEmbedding, float decay) {
    float rate = Math.max(1f / (sizeBefore + 1), decay);
    float[] out = new float[centroid.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = centroid[i] + rate * (chunkEmbedding[i] - centroid[i]);
    }
    return out;
  }

  /**
   * How a cluster's user-sum changes when one user's contribution changes. A cluster's user-sum is
   * Σ over its users of {@code weight · h_U^0} (each of the user's chunks in the cluster counts
   * once, as in the unclustered graph where each chunk node has the user as neighbour), so the
   * delta is {@code newWeight · newHU0 - oldWeight · oldHU0}.
   *
   * @param oldHU0OrNull the user's previous h_U^0 (null when it had none)
   * @param oldWeight the user's previous edge weight to the cluster (0 = no edge)
   */
  public float[] clusterUserSumDelta(
      float[] oldHU0OrNull, int oldWeight, float[] newHU0, int newWeight) {
    float[] delta = new float[newHU0.length];
    for (int i = 0; i < delta.length; i++) {
      delta[i] = newWeight * newHU0[i];
      if (oldHU0OrNull != null) {
        delta[i] -= oldWeight * oldHU0OrNull[i];
      }
    }
    return delta;
  }

  // ---- GNN layers ----

  /**
   * h_CE^1 of a cluster (eq. 2): {@code σ(W_CE [m_j || agg])}, {@code agg} = the user-sum (SUM) or
   * the user-sum divided by the cluster size (MEAN; 0 for an empty cluster).
   */
  public float[] clusterHidden(float[] centroid, float[] userSum, long size) {
    float scale = options.aggregation() == Aggregation.MEAN ? 1f / Math.max(1L, size) : 1f;
    float[] aggregated = scaled(userSum, scale);
    return layer(weights.clusterLayer1(), weights.clusterLayer1Bias(), centroid, aggregated);
  }

  /**
   * h_U^1 (eq. 1): {@code σ(W_U [h_U^0 || agg_j w_j m_j])}. {@code clusterIds} only checks that the
   * arrays line up: the equation needs the centroids themselves.
   */
  public float[] userHidden(
      float[] hU0, int[] clusterIds, int[] edgeWeights, float[][] centroidsOfThoseClusters) {
    if (clusterIds.length != edgeWeights.length) {
      throw new IllegalArgumentException(
          clusterIds.length + " cluster ids but " + edgeWeights.length + " edge weights");
    }
    float[] aggregated = aggregate(edgeWeights, centroidsOfThoseClusters);
    return layer(weights.userLayer1(), weights.userLayer1Bias(), hU0, aggregated);
  }

  /** The target-free layer 2 (plain GraphSAGE): {@code σ(W_U^1 [h_U^1 || agg_j w_j h_CE_j^1])}. */
  public float[] userLongTerm(
      float[] hU1, int[] edgeWeights, float[][] clusterHiddenOfThoseClusters) {
    float[] aggregated = aggregate(edgeWeights, clusterHiddenOfThoseClusters);
    return layer(weights.userLayer2(), weights.userLayer2Bias(), hU1, aggregated);
  }

  /**
   * The target-attentive read (eq. 5): {@code Σ_j a_j h_CE_j^1} with {@code a_j = w_j (h_T ·
   * h_CE_j^1)} (DOT; divided by Σ w under MEAN) or {@code softmax_j(h_T · h_CE_j^1 + ln w_j)}
   * (SOFTMAX).
   */
  public float[] attentiveRead(float[] itemEmbedding, int[] edgeWeights, float[][] clusterHidden) {
    double[] coefficients = attentionCoefficients(itemEmbedding, edgeWeights, clusterHidden);
    float[] out = new float[itemEmbedding.length];
    for (int j = 0; j < coefficients.length; j++) {
      for (int i = 0; i < out.length; i++) {
        out[i] += (float) (coefficients[j] * clusterHidden[j][i]);
      }
    }
    return out;
  }

  /**
   * The long-term vector for one target under the attentive variant: the read of eq. 5 itself
   * ({@link GladOptions.AttentiveLayer#READ}) or {@code σ(W_U^1 [h_U^1 || read])} ({@code SAGE}).
   */
  public float[] attentiveLongTerm(
      float[] hU1, float[] itemEmbedding, int[] edgeWeights, float[][] clusterHidden) {
    float[] read = attentiveRead(itemEmbedding, edgeWeights, clusterHidden);
    if (options.attentiveLayer() == GladOptions.AttentiveLayer.READ) {
      return read;
    }
    return layer(weights.userLayer2(), weights.userLayer2Bias(), hU1, read);
  }

  /** The coefficients {@code a_j} of {@link #attentiveRead}, one per neighbour. */
  public double[] attentionCoefficients(
      float[] itemEmbedding, int[] edgeWeights, float[][] clusterHidden) {
    requireSameLength(edgeWeights, clusterHidden);
    int n = edgeWeights.length;
    double[] coefficients = new double[n];
    if (options.attention() == AttentionNormalisation.SOFTMAX) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        coefficients[j] = dot(itemEmbedding, clusterHidden[j]) + Math.log(edgeWeights[j]);
        max = Math.max(max, coefficients[j]);
      }
      double sum = 0;
      for (int j = 0; j < n; j++) {
        coefficients[j] = Math.exp(coefficients[j] - max);
        sum += coefficients[j];
      }
      for (int j = 0; j < n; j++) {
        coefficients[j] /= sum;
      }
    } else {
      double scale =
          options.aggregation() == Aggregation.MEAN
              ? 1.0 / Math.max(1, totalWeight(edgeWeights))
              : 1;
      for (int j = 0; j < n; j++) {
        coefficients[j] = scale * edgeWeights[j] * dot(itemEmbedding, clusterHidden[j]);
      }
    }
    return coefficients;
  }

  // ---- gate and score ----

  /** The output gate (eq. 3): {@code sigmoid(W_T z_U + W_G h_UT + b)}. */
  public float[] gate(float[] zU, float[] hUT) {
    float[] a = matVec(weights.gateShortTerm(), zU);
    float[] b = matVec(weights.gateLongTerm(), hUT);
    float[] g = new float[e];
    for (int i = 0; i < e; i++) {
      g[i] = HeadActivation.sigmoid(a[i] + b[i] + weights.gateBias()[i]);
    }
    return g;
  }

  /**
   * The final user vector (eq. 4/6): {@code g ⊙ z_U + (1 - g) ⊙ h_UT}, or {@code z_U} alone when
   * the user has no memory ({@code hUTOrNull == null}).
   */
  public float[] userVector(float[] zU, float[] hUTOrNull) {
    if (hUTOrNull == null) {
      return zU.clone();
    }
    float[] g = gate(zU, hUTOrNull);
    float[] h = new float[e];
    for (int i = 0; i < e; i++) {
      h[i] = g[i] * zU[i] + (1 - g[i]) * hUTOrNull[i];
    }
    return h;
  }

  /**
   * The score of an item (eq. 4/6): {@code h · h_T (+ b_T)}, where {@code hUTOrNull} is the
   * long-term vector for this item (the attentive read for GCA, the target-free vector otherwise)
   * or null for a user without memory.
   */
  public float score(float[] zU, float[] hUTOrNull, float[] itemEmbedding, float itemBias) {
    float s = dot(userVector(zU, hUTOrNull), itemEmbedding);
    return options.itemBias() ? s + itemBias : s;
  }

  /**
   * Scores an item for a user of {@code variant}: the long-term vector is {@link
   * #attentiveLongTerm} over {@code clusterHidden} (attentive variants) or {@code longTermOrNull}.
   *
   * @param hU1 the user's h_U^1 (attentive variants; null without memory)
   * @param edgeWeights the user's edge weights (empty = no memory)
   * @param clusterHidden h_CE^1 of the user's clusters, aligned with {@code edgeWeights}
   * @param longTermOrNull the target-free h_U^L (non-attentive variants)
   */
  public float scoreItem(
      GladVariant variant,
      float[] zU,
      float[] hU1,
      int[] edgeWeights,
      float[][] clusterHidden,
      float[] longTermOrNull,
      int itemIndex) {
    float[] hT = itemEmbeddings[itemIndex];
    float[] longTerm = null;
    if (variant.hasMemory() && edgeWeights.length > 0) {
      longTerm =
          variant.attentive()
              ? attentiveLongTerm(hU1, hT, edgeWeights, clusterHidden)
              : longTermOrNull;
    }
    return score(zU, longTerm, hT, itemBiases[itemIndex]);
  }

  /** The item's embedding h_T (a row of E; unknown ids get UNK's row). */
  public float[] itemEmbedding(String itemId) {
    return itemEmbeddings[vocabulary.indexOf(itemId)].clone();
  }

  /** The item's output bias b_T. */
  public float itemBias(String itemId) {
    return itemBiases[vocabulary.indexOf(itemId)];
  }

  /** The embedding of a vocabulary index. */
  public float[] itemEmbedding(int itemIndex) {
    return itemEmbeddings[itemIndex].clone();
  }

  // ---- helpers ----

  private float[] aggregate(int[] edgeWeights, float[][] vectors) {
    requireSameLength(edgeWeights, vectors);
    float[] sum = new float[e];
    for (int j = 0; j < edgeWeights.length; j++) {
      for (int i = 0; i < e; i++) {
        sum[i] += edgeWeights[j] * vectors[j][i];
      }
    }
    if (options.aggregation() == Aggregation.MEAN) {
      return scaled(sum, 1f / Math.max(1, totalWeight(edgeWeights)));
    }
    return sum;
  }

  private float[] layer(float[][] w, float[] bias, float[] self, float[] neighbours) {
    float[] out = new float[w.length];
    for (int r = 0; r < w.length; r++) {
      float[] row = w[r];
      double s = bias[r];
      for (int i = 0; i < e; i++) {
        s += row[i] * self[i] + row[e + i] * neighbours[i];
      }
      out[r] = options.activation().apply((float) s);
    }
    return out;
  }

  static float[] matVec(float[][] w, float[] x) {
    float[] out = new float[w.length];
    for (int r = 0; r < w.length; r++) {
      double s = 0;
      for (int i = 0; i < x.length; i++) {
        s += w[r][i] * x[i];
      }
      out[r] = (float) s;
    }
    return out;
  }

  static float dot(float[] a, float[] b) {
    return (float) KMeans.dot(a, b);
  }

  private static float[] scaled(float[] v, float scale) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] * scale;
    }
    return out;
  }

  static long totalWeight(int[] weights) {
    long t = 0;
    for (int w : weights) {
      t += w;
    }
    return t;
  }

  private static void requireSameLength(int[] weights, float[][] vectors) {
    if (weights.length != vectors.length) {
      throw new IllegalArgumentException(
          weights.length + " edge weights but " + vectors.length + " vectors");
    }
  }
}
