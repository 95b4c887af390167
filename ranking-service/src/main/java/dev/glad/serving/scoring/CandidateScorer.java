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
  private final float[] layer2Neighbour; // e x e, row-major: [o][i] = W_U^1[o][e + i]
  private final float[] gateLongTerm; // e x e, row-major: [o][i] = W_G[o][i]
  private final HeadActivation activation;

  public CandidateScorer(GraphMemoryMath math, GladVariant variant, ItemTable items) {
    this.math = math;
    this.options = math.options();
    this.variant = variant;
    this.items = items;
    this.e = items.width();
    HeadWeights w = math.weights();
    this.layer2Neighbour = new float[e * e];
    this.gateLongTerm = new float[e * e];
    for (int o = 0; o < e; o++) {
      for (int i = 0; i < e; i++) {
        layer2Neighbour[o * e + i] = w.userLayer2()[o][e + i];
        gateLongTerm[o * e + i] = w.gateLongTerm()[o][i];
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
      return new UserSide(zU, false, 0, null, null, null, null, null, null, null, null, 1f);
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
          null,
          null,
          math.userVector(zU, longTerm),
          mean(math.gate(zU, longTerm)));
    }
    int n = m.edgeWeights().length;
    float[] hidden = new float[n * e];
    float[] hiddenT = new float[e * n];
    double[] logWeights = new double[n];
    double[] dotScale = new double[n];
    long total = 0;
    for (int w : m.edgeWeights()) {
      total += w;
    }
    double scale = options.aggregation() == Aggregation.MEAN ? 1.0 / Math.max(1, total) : 1;
    for (int j = 0; j < n; j++) {
      System.arraycopy(m.hidden()[j], 0, hidden, j * e, e);
      for (int i = 0; i < e; i++) {
        hiddenT[i * n + j] = m.hidden()[j][i];
      }
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
    // with fewer clusters than dimensions, project each cluster once per request (n·e² MACs)
    // instead of the read once per candidate (e² MACs each)
    float[] projected = null;
    if (options.attentiveLayer() == GladOptions.AttentiveLayer.SAGE && n < e) {
      projected = new float[n * e];
      for (int j = 0; j < n; j++) {
        for (int o = 0; o < e; o++) {
          double p = 0;
          for (int i = 0; i < e; i++) {
            p += w.userLayer2()[o][e + i] * m.hidden()[j][i];
          }
          projected[j * e + o] = (float) p;
        }
      }
    }
    return new UserSide(
        zU,
        true,
        n,
        hidden,
        hiddenT,
        projected,
        logWeights,
        dotScale,
        selfPart,
        gateShort,
        null,
        Float.NaN);
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
    scoreAttentive(user, candidates, scores, gates);
  }

  /** Candidates per block: the inner loops run over a block's candidates. */
  static final int BLOCK = 64;

  /**
   * The attentive variants, a block of candidates at a time with every array feature-major ({@code
   * [feature][candidate]}): each step is a loop over the block's candidates with the weight a
   * scalar, a unit-stride multiply-add the JIT compiles to SIMD, so the work is vectorised over the
   * candidates. The arithmetic is the equations'; only the order of float additions differs.
   */
  private void scoreAttentive(UserSide user, int[] candidates, float[] scores, float[] gates) {
    float[] table = items.embeddings();
    float[] biases = items.biases();
    boolean bias = options.itemBias();
    int n = user.neighbours;
    float[] hidden = user.hidden;
    float[] z = user.zU;
    boolean softmax = options.attention() == AttentionNormalisation.SOFTMAX;
    boolean sage = options.attentiveLayer() == GladOptions.AttentiveLayer.SAGE;
    float[] projected = user.projectedHidden;
    float[] items = new float[e * BLOCK]; // h_T
    float[] attention = new float[n * BLOCK]; // logits, then coefficients a_j
    float[] read = new float[e * BLOCK];
    float[] hUT = new float[e * BLOCK];
    float[] gatePre = new float[e * BLOCK];
    float[] max = new float[BLOCK];
    float[] sum = new float[BLOCK];
    float[] score = new float[BLOCK];
    float[] gateSum = new float[BLOCK];
    for (int start = 0; start < candidates.length; start += BLOCK) {
      int b = Math.min(BLOCK, candidates.length - start);
      for (int t = 0; t < b; t++) {
        int index = candidates[start + t];
        int row = (index < 0 ? 0 : index) * e; // an unknown item scores PAD's row, then NaN
        for (int i = 0; i < e; i++) {
          items[i * BLOCK + t] = table[row + i];
        }
      }
      // eq. 5: logits h_T · h_CE_j, then the coefficients
      for (int j = 0; j < n; j++) {
        int jb = j * BLOCK;
        java.util.Arrays.fill(attention, jb, jb + b, 0f);
        for (int i = 0; i < e; i++) {
          float h = hidden[j * e + i];
          int ib = i * BLOCK;
          for (int t = 0; t < b; t++) {
            attention[jb + t] += h * items[ib + t];
          }
        }
      }
      if (softmax) {
        java.util.Arrays.fill(max, 0, b, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < n; j++) {
          int jb = j * BLOCK;
          float logWeight = (float) user.logWeights[j];
          for (int t = 0; t < b; t++) {
            float v = attention[jb + t] + logWeight;
            attention[jb + t] = v;
            max[t] = Math.max(max[t], v);
          }
        }
        java.util.Arrays.fill(sum, 0, b, 0f);
        for (int j = 0; j < n; j++) {
          int jb = j * BLOCK;
          for (int t = 0; t < b; t++) {
            float v = (float) FloatMath.exp(attention[jb + t] - max[t]);
            attention[jb + t] = v;
            sum[t] += v;
          }
        }
        for (int j = 0; j < n; j++) {
          int jb = j * BLOCK;
          for (int t = 0; t < b; t++) {
            attention[jb + t] /= sum[t];
          }
        }
      } else {
        for (int j = 0; j < n; j++) {
          int jb = j * BLOCK;
          float scale = (float) user.dotScale[j];
          for (int t = 0; t < b; t++) {
            attention[jb + t] *= scale;
          }
        }
      }
      // the attentive layer: the read itself, or GraphSAGE with the read as its aggregator
      float[] longTerm;
      if (sage && projected != null) {
        // W_U^1[:, e:] · Σ_j a_j h_CE_j = Σ_j a_j (W_U^1[:, e:] h_CE_j): n·e per candidate
        for (int o = 0; o < e; o++) {
          int ob = o * BLOCK;
          java.util.Arrays.fill(hUT, ob, ob + b, user.selfPart[o]);
          for (int j = 0; j < n; j++) {
            float p = projected[j * e + o];
            int jb = j * BLOCK;
            for (int t = 0; t < b; t++) {
              hUT[ob + t] += p * attention[jb + t];
            }
          }
        }
        activate(hUT, e * BLOCK);
        longTerm = hUT;
      } else {
        for (int i = 0; i < e; i++) {
          int ib = i * BLOCK;
          java.util.Arrays.fill(read, ib, ib + b, 0f);
          for (int j = 0; j < n; j++) {
            float h = hidden[j * e + i];
            int jb = j * BLOCK;
            for (int t = 0; t < b; t++) {
              read[ib + t] += h * attention[jb + t];
            }
          }
        }
        if (sage) {
          multiply(layer2Neighbour, read, user.selfPart, hUT, b);
          activate(hUT, e * BLOCK);
          longTerm = hUT;
        } else {
          longTerm = read;
        }
      }
      // eq. 3: the gate; eq. 4/6: the score
      multiply(gateLongTerm, longTerm, user.gateShortTerm, gatePre, b);
      java.util.Arrays.fill(score, 0, b, 0f);
      java.util.Arrays.fill(gateSum, 0, b, 0f);
      for (int o = 0; o < e; o++) {
        int ob = o * BLOCK;
        float zo = z[o];
        for (int t = 0; t < b; t++) {
          float g = FloatMath.sigmoid(gatePre[ob + t]);
          float u = g * zo + (1 - g) * longTerm[ob + t];
          score[t] += u * items[ob + t];
          gateSum[t] += g;
        }
      }
      for (int t = 0; t < b; t++) {
        int index = candidates[start + t];
        if (index < 0) {
          scores[start + t] = Float.NaN;
          gates[start + t] = Float.NaN;
        } else {
          scores[start + t] = bias ? score[t] + biases[index] : score[t];
          gates[start + t] = gateSum[t] / e;
        }
      }
    }
  }

  /** {@code out[o][t] = offset[o] + Σ_i w[o][i] x[i][t]} for the block's {@code b} candidates. */
  private void multiply(float[] w, float[] x, float[] offset, float[] out, int b) {
    for (int o = 0; o < e; o++) {
      int ob = o * BLOCK;
      java.util.Arrays.fill(out, ob, ob + b, offset[o]);
      for (int i = 0; i < e; i++) {
        float weight = w[o * e + i];
        int ib = i * BLOCK;
        for (int t = 0; t < b; t++) {
          out[ob + t] += weight * x[ib + t];
        }
      }
    }
  }

  /**
   * σ of the attentive layer, in place: {@link HeadActivation#apply(float)}, with tanh from {@link
   * FloatMath} (the same floats to within their last bit, several times faster).
   */
  private void activate(float[] values, int length) {
    if (activation != HeadActivation.TANH) {
      for (int o = 0; o < length; o++) {
        values[o] = activation.apply(values[o]);
      }
      return;
    }
    for (int o = 0; o < length; o++) {
      values[o] = FloatMath.tanh(values[o]);
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

  /**
   * {@code Σ a[ao + i] b[bo + i]} over {@code length} with four independent partial sums: the
   * products are the equations', only the order of the float additions differs.
   */
  static float dot4(float[] a, int ao, float[] b, int bo, int length) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    for (; i + 3 < length; i += 4) {
      s0 += a[ao + i] * b[bo + i];
      s1 += a[ao + i + 1] * b[bo + i + 1];
      s2 += a[ao + i + 2] * b[bo + i + 2];
      s3 += a[ao + i + 3] * b[bo + i + 3];
    }
    for (; i < length; i++) {
      s0 += a[ao + i] * b[bo + i];
    }
    return (s0 + s1) + (s2 + s3);
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
