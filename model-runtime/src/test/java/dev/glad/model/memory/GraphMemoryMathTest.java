package dev.glad.model.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glad.model.data.ItemVocabulary;
import dev.glad.model.memory.GladOptions.Aggregation;
import dev.glad.model.memory.GladOptions.AttentionNormalisation;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Every equation against a hand-computed example with e = 2 and the identity as σ. Tolerance 1e-5
 * (float arithmetic on small integers).
 */
class GraphMemoryMathTest {
  private static final float TOL = 1e-5f;

  /**
   * W_U^0 = [I I] (h_U^1 = h_U^0 + agg), W_CE^0 = [I 0.5I] + b (h_CE^1 = m + 0.5 agg + b), W_U^1
   * picks (self[0], agg[1]), W_T = I, W_G = -I, gate bias 0.
   */
  static HeadWeights handWeights() {
    return new HeadWeights(
        new float[][] {{1, 0, 1, 0}, {0, 1, 0, 1}},
        new float[] {0, 0},
        new float[][] {{1, 0, 0.5f, 0}, {0, 1, 0, 0.5f}},
        new float[] {0.1f, -0.1f},
        new float[][] {{1, 0, 0, 0}, {0, 0, 0, 1}},
        new float[] {0, 0},
        new float[][] {{1, 0}, {0, 1}},
        new float[][] {{-1, 0}, {0, -1}},
        new float[] {0, 0});
  }

  static GraphMemoryMath math(Aggregation aggregation, AttentionNormalisation attention) {
    GladOptions options =
        GladOptions.builder()
            .optActivation(HeadActivation.IDENTITY)
            .optAggregation(aggregation)
            .optAttention(attention)
            .optItemBias(true)
            .optDecay(0f)
            .build();
    float[][] table = {{0, 0}, {0, 0}, {0, 0}, {2, 1}, {1, 0}};
    float[] bias = {0, 0, 0, 0.5f, -0.5f};
    return new GraphMemoryMath(
        options, handWeights(), table, bias, ItemVocabulary.of(List.of("a", "b")));
  }

  private final GraphMemoryMath sum = math(Aggregation.SUM, AttentionNormalisation.DOT);
  private final GraphMemoryMath mean = math(Aggregation.MEAN, AttentionNormalisation.DOT);

  @Test
  void userInputIsTheRunningMeanOfChunkEmbeddings() {
    float[] h = sum.userInputAfterChunk(null, 0, new float[] {1, 2});
    assertArrayEquals(new float[] {1, 2}, h, TOL);
    h = sum.userInputAfterChunk(h, 1, new float[] {3, 4});
    assertArrayEquals(new float[] {2, 3}, h, TOL);
    h = sum.userInputAfterChunk(h, 2, new float[] {5, -1});
    assertArrayEquals(new float[] {3, 5f / 3}, h, TOL);
  }

  @Test
  void centroidMovesByOneOverSizeOrByTheDecayFloor() {
    assertArrayEquals(
        new float[] {1, 2}, sum.centroidAfterChunk(new float[] {0, 0}, 3, new float[] {4, 8}), TOL);
    assertArrayEquals(
        new float[] {2, 4},
        GraphMemoryMath.sequentialKMeansStep(new float[] {0, 0}, 3, new float[] {4, 8}, 0.5f),
        TOL);
  }

  @Test
  void sequentialKMeansWithoutDecayEqualsTheBatchMean() {
    SplittableRandom random = new SplittableRandom(3);
    float[][] points = new float[50][8];
    double[] batchMean = new double[8];
    for (float[] p : points) {
      for (int d = 0; d < 8; d++) {
        p[d] = (float) random.nextGaussian();
        batchMean[d] += p[d] / points.length;
      }
    }
    float[] centroid = points[0].clone();
    for (int i = 1; i < points.length; i++) {
      centroid = sum.centroidAfterChunk(centroid, i, points[i]);
    }
    for (int d = 0; d < 8; d++) {
      assertEquals(batchMean[d], centroid[d], 1e-5);
    }
  }

  @Test
  void clusterUserSumDeltaReplacesTheUsersWeightedContribution() {
    assertArrayEquals(
        new float[] {3, 5},
        sum.clusterUserSumDelta(new float[] {1, 1}, 1, new float[] {2, 3}, 2),
        TOL);
    assertArrayEquals(
        new float[] {2, 3}, sum.clusterUserSumDelta(null, 0, new float[] {2, 3}, 1), TOL);
  }

  @Test
  void userLayerOneIsEquationOne() {
    float[][] centroids = {{1, 0}, {0, 3}};
    // SUM: agg = 2*(1,0) + 1*(0,3) = (2,3); h = (1,2) + (2,3)
    assertArrayEquals(
        new float[] {3, 5},
        sum.userHidden(new float[] {1, 2}, new int[] {0, 1}, new int[] {2, 1}, centroids),
        TOL);
    // MEAN: agg = (2,3) / 3
    assertArrayEquals(
        new float[] {5f / 3, 3},
        mean.userHidden(new float[] {1, 2}, new int[] {0, 1}, new int[] {2, 1}, centroids),
        TOL);
  }

  @Test
  void clusterLayerOneIsEquationTwo() {
    // m + 0.5 * agg + b with agg = (4,-2) (SUM) or (4,-2)/2 (MEAN)
    assertArrayEquals(
        new float[] {3.1f, 0.9f},
        sum.clusterHidden(new float[] {1, 2}, new float[] {4, -2}, 2),
        TOL);
    assertArrayEquals(
        new float[] {2.1f, 1.4f},
        mean.clusterHidden(new float[] {1, 2}, new float[] {4, -2}, 2),
        TOL);
  }

  @Test
  void targetFreeLayerTwoAggregatesClusterHiddenStates() {
    // agg = 2*(1,1) + 1*(2,0) = (4,2); W_U^1 picks (self[0], agg[1]) = (3, 2)
    assertArrayEquals(
        new float[] {3, 2},
        sum.userLongTerm(new float[] {3, 5}, new int[] {2, 1}, new float[][] {{1, 1}, {2, 0}}),
        TOL);
  }

  @Test
  void attentiveReadIsEquationFive() {
    float[] target = {1, 0};
    int[] weights = {2, 1};
    float[][] hidden = {{1, 1}, {2, 0}};
    // α = (1, 2); a = w α = (2, 2); read = 2*(1,1) + 2*(2,0)
    assertArrayEquals(new float[] {6, 2}, sum.attentiveRead(target, weights, hidden), TOL);
    assertArrayEquals(new float[] {2, 2f / 3}, mean.attentiveRead(target, weights, hidden), TOL);
    // softmax of (1 + ln 2, 2): (2/(2+e), e/(2+e))
    GraphMemoryMath softmax = math(Aggregation.SUM, AttentionNormalisation.SOFTMAX);
    double p1 = 2 / (2 + Math.E);
    double p2 = Math.E / (2 + Math.E);
    assertArrayEquals(
        new float[] {(float) (p1 + 2 * p2), (float) p1},
        softmax.attentiveRead(target, weights, hidden),
        TOL);
  }

  @Test
  void attentiveReadWeightsTheClusterAlignedWithTheTargetHighest() {
    SplittableRandom random = new SplittableRandom(5);
    int e = 16;
    float[][] hidden = new float[6][e];
    for (float[] row : hidden) {
      for (int d = 0; d < e; d++) {
        row[d] = (float) random.nextGaussian() * 0.3f;
      }
    }
    float[] target = hidden[4].clone();
    for (int d = 0; d < e; d++) {
      target[d] *= 3; // the target points along cluster 4
    }
    int[] weights = {1, 1, 1, 1, 1, 1};
    for (AttentionNormalisation attention : AttentionNormalisation.values()) {
      double[] a = math16(e, attention).attentionCoefficients(target, weights, hidden);
      for (int j = 0; j < a.length; j++) {
        if (j != 4) {
          assertTrue(a[4] > a[j], attention + ": a_4 = " + a[4] + " <= a_" + j + " = " + a[j]);
        }
      }
    }
  }

  private static GraphMemoryMath math16(int e, AttentionNormalisation attention) {
    HeadWeights w =
        new HeadWeights(
            new float[e][2 * e],
            new float[e],
            new float[e][2 * e],
            new float[e],
            new float[e][2 * e],
            new float[e],
            new float[e][e],
            new float[e][e],
            new float[e]);
    return new GraphMemoryMath(
        GladOptions.builder().optAttention(attention).build(),
        w,
        new float[][] {new float[e], new float[e], new float[e], new float[e]},
        new float[4],
        ItemVocabulary.of(List.of("a")));
  }

  @Test
  void gateIsEquationThree() {
    // sigmoid(I z - I h) = sigmoid((1,-1))
    assertArrayEquals(
        new float[] {0.7310586f, 0.2689414f},
        sum.gate(new float[] {1, 0}, new float[] {0, 1}),
        TOL);
  }

  @Test
  void scoreIsEquationsFourAndSix() {
    // h = g z + (1-g) h_L = (0.7310586, 0.7310586); h · (2,1) + bias 0.5
    float s = sum.score(new float[] {1, 0}, new float[] {0, 1}, new float[] {2, 1}, 0.5f);
    assertEquals(3 * 0.7310586f + 0.5f, s, TOL);
    // no memory: z · h_T + b
    assertEquals(2.5f, sum.score(new float[] {1, 0}, null, new float[] {2, 1}, 0.5f), TOL);
    // item "a" is vocabulary index 3: embedding (2,1), bias 0.5
    assertArrayEquals(new float[] {2, 1}, sum.itemEmbedding("a"), TOL);
    assertEquals(0.5f, sum.itemBias("a"), TOL);
  }
}
