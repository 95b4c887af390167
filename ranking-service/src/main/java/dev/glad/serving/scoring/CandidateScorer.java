package dev.glad.serving.scoring;

import dev.glad.model.memory.GladOptions;
import dev.glad.model.memory.GladOptions.Aggregation;
import dev.glad.model.memory.GladOptions.AttentionNormalisation;
import dev.glad.model.memory.GladVariant;
import dev.glad.model.memory.GraphMemoryMath;
import dev.glad.model.memory.HeadActivation;
import dev.glad.model.memory.HeadWeights;

/**
 * GLAD's per-candidate equations (eq. 3–6 of docs/MODEL.md), vectorised over the candidates: the
 * same numbers as {@link GraphMemoryMath#scoreItem} for each candidate (held to it by {@code
 * CandidateScorerTest} for every option), computed without per-candidate allocation and with every
 * candidate-free term hoisted out of the loop:
 *
 * <ul>
 *   <li>per request, by {@link GraphMemoryMath} itself: h_U^1 (eq. 1), the SAGE layer's self half
 *       {@code b + W_U^1[:, :e] h_U^1}, the gate's short-term half {@code W_T z_U + b_g}, and for
 *       non-attentive variants the whole user vector;
 *   <li>per candidate: the attention over the user's clusters (eq. 5), the SAGE layer's neighbour
 *       half, the gate's long-term half and the score, as row-major loops over flat arrays whose
 *       inner loops the JIT turns into SIMD (matrices are stored transposed for that).
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class CandidateScorer {
  private final GraphMemoryMath math;
  private final GladOptions options;
  private final GladVariant variant;
  private final ItemTable items;
  private final int e;
  private final float[] layer2NeighbourT; // e x e: [i][o] = W_U^1[o][e + i]
  private final float[] gateLongTermT; // e x e: [i][o] = W_G[o][i]
  private final HeadActivation activation;

  public CandidateScorer(GraphMemoryMath math, GladVariant variant, ItemTable items) {
    this.math = math;
    this.options = math.options();
    this.variant = variant;
    this.items = items;
    this.e = items.width();
    HeadWeights w = math.weights();
    this.layer2NeighbourT = new float[e * e];
    this.gateLongTermT = new float[e * e];
    for (int o = 0; o < e; o++) {
      for (int i = 0; i < e; i++) {
        layer2NeighbourT[i * e + o] = w.userLayer2()[o][e + i];
        gateLongTermT[i * e + o] = w.gateLongTerm()[o][i];
      }
    }
    this.activation = options.activation();
  }

  /** The user's memory as scoring reads it: h_U^0 and, per edge, weight, centroid and h_CE^1. */
  public record Memory(
      float[] hU0, int[] clusterIds, int[] edgeWeights, float[][] centroids, float[][] hidden) {}

  /**
   * Prepares a user for scoring.
   *
   * @param zU the short-term vector
   * @param memoryOrNull the user's memory (null or no edges: z_U alone, g = 1)
   */
  public UserSide userSide(float[] zU, Memory memoryOrNull) {
    boolean hasMemory = memoryOrNull != null && memoryOrNull.edgeWeights().length > 0;
    if (!hasMemory || !variant.hasMemory()) {
      return new UserSide(zU, false, 0, null, null, null, null, null, null, 1f);
    }
    Memory m = memoryOrNull;
    float[] hU1 = math.userHidden(m.hU0(), m.clusterIds(), m.edgeWeights(), m.centroids());
    if (!variant.attentive()) {
      float[] longTerm = math.userLongTerm(hU1, m.edgeWeights(), m.hidden());
      return new UserSide(
          zU,
          true,
          0,
          null,
          null,
          null,
          null,
          null,
          math.userVector(zU, longTerm),
          mean(math.gate(zU, longTerm)));
    }
    int n = m.edgeWeights().length;
    float[] hidden = new float[n * e];
    double[] logWeights = new double[n];
    double[] dotScale = new double[n];
    long total = 0;
    for (int w : m.edgeWeights()) {
      total += w;
    }
    double scale = options.aggregation() == Aggregation.MEAN ? 1.0 / Math.max(1, total) : 1;
    for (int j = 0; j < n; j++) {
      System.arraycopy(m.hidden()[j], 0, hidden, j * e, e);
      logWeights[j] = Math.log(m.edgeWeights()[j]);
      dotScale[j] = scale * m.edgeWeights()[j];
    }
    HeadWeights w = math.weights();
    float[] selfPart = new float[e];
    float[] gateShort = new float[e];
    for (int o = 0; o < e; o++) {
      double s = w.userLayer2Bias()[o];
      double g = 0;
      for (int i = 0; i < e; i++) {
        s += w.userLayer2()[o][i] * hU1[i];
        g += w.gateShortTerm()[o][i] * zU[i];
      }
      selfPart[o] = (float) s;
      gateShort[o] = (float) g + w.gateBias()[o];
    }
    return new UserSide(
        zU, true, n, hidden, logWeights, dotScale, selfPart, gateShort, null, Float.NaN);
  }

  /**
   * Scores candidates for a prepared user.
   *
   * @param candidates vocabulary indices (negative: unknown, skipped: score and gate NaN)
   * @param scores out: one score per candidate
   * @param gates out: the mean over dimensions of g per candidate (1 without memory)
   */
  public void score(UserSide user, int[] candidates, float[] scores, float[] gates) {
    float[] table = items.embeddings();
    float[] biases = items.biases();
    boolean bias = options.itemBias();
    if (!user.hasMemory || user.fixedUserVector != null) {
      float[] h = user.hasMemory ? user.fixedUserVector : user.zU;
      float gate = user.hasMemory ? user.fixedMeanGate : 1f;
      for (int t = 0; t < candidates.length; t++) {
        int index = candidates[t];
        if (index < 0) {
          scores[t] = Float.NaN;
          gates[t] = Float.NaN;
          continue;
        }
        float s = dot(h, table, index * e);
        scores[t] = bias ? s + biases[index] : s;
        gates[t] = gate;
      }
      return;
    }
    int n = user.neighbours;
    float[] hidden = user.hidden;
    float[] z = user.zU;
    boolean softmax = options.attention() == AttentionNormalisation.SOFTMAX;
    boolean sage = options.attentiveLayer() == GladOptions.AttentiveLayer.SAGE;
    double[] coefficients = new double[n];
    float[] read = new float[e];
    float[] pre = new float[e];
    float[] hUT = new float[e];
    float[] gatePre = new float[e];
    for (int t = 0; t < candidates.length; t++) {
      int index = candidates[t];
      if (index < 0) {
        scores[t] = Float.NaN;
        gates[t] = Float.NaN;
        continue;
      }
      int row = index * e;
      // eq. 5: attention over the user's clusters
      if (softmax) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
          coefficients[j] = dot(table, row, hidden, j * e) + user.logWeights[j];
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
        for (int j = 0; j < n; j++) {
          coefficients[j] = user.dotScale[j] * dot(table, row, hidden, j * e);
        }
      }
      java.util.Arrays.fill(read, 0f);
      for (int j = 0; j < n; j++) {
        double c = coefficients[j];
        int base = j * e;
        for (int i = 0; i < e; i++) {
          read[i] += (float) (c * hidden[base + i]);
        }
      }
      // the attentive layer: the read itself, or GraphSAGE with the read as its aggregator
      float[] longTerm;
      if (sage) {
        System.arraycopy(user.selfPart, 0, pre, 0, e);
        for (int i = 0; i < e; i++) {
          float r = read[i];
          int base = i * e;
          for (int o = 0; o < e; o++) {
            pre[o] += r * layer2NeighbourT[base + o];
          }
        }
        for (int o = 0; o < e; o++) {
          hUT[o] = activation.apply(pre[o]);
        }
        longTerm = hUT;
      } else {
        longTerm = read;
      }
      // eq. 3: the gate; eq. 4/6: the score
      System.arraycopy(user.gateShortTerm, 0, gatePre, 0, e);
      for (int i = 0; i < e; i++) {
        float h = longTerm[i];
        int base = i * e;
        for (int o = 0; o < e; o++) {
          gatePre[o] += h * gateLongTermT[base + o];
        }
      }
      double s = 0;
      double gateSum = 0;
      for (int o = 0; o < e; o++) {
        float g = HeadActivation.sigmoid(gatePre[o]);
        float u = g * z[o] + (1 - g) * longTerm[o];
        s += u * table[row + o];
        gateSum += g;
      }
      scores[t] = bias ? (float) s + biases[index] : (float) s;
      gates[t] = (float) (gateSum / e);
    }
  }

  /**
   * Item popularity from the artifact: the encoder's output bias b_T, the item prior the Cloze
   * softmax learns (scores of a user without memory and without recent items).
   */
  public void popularity(int[] candidates, float[] scores) {
    float[] biases = items.biases();
    for (int t = 0; t < candidates.length; t++) {
      scores[t] = candidates[t] < 0 ? Float.NaN : biases[candidates[t]];
    }
  }

  /** {@code vector · h_T} per candidate, without bias: what a vector "is about". */
  public void dots(float[] vector, int[] candidates, float[] out) {
    float[] table = items.embeddings();
    for (int t = 0; t < candidates.length; t++) {
      out[t] = candidates[t] < 0 ? Float.NaN : dot(vector, table, candidates[t] * e);
    }
  }

  private float dot(float[] v, float[] table, int offset) {
    double s = 0;
    for (int i = 0; i < e; i++) {
      s += v[i] * table[offset + i];
    }
    return (float) s;
  }

  private float dot(float[] a, int aOffset, float[] b, int bOffset) {
    double s = 0;
    for (int i = 0; i < e; i++) {
      s += a[aOffset + i] * b[bOffset + i];
    }
    return (float) s;
  }

  private static float mean(float[] g) {
    double s = 0;
    for (float v : g) {
      s += v;
    }
    return (float) (s / g.length);
  }
}
