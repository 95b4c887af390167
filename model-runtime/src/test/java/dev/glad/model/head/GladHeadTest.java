package dev.glad.model.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.glad.model.data.ItemVocabulary;
import dev.glad.model.encoder.EncoderConfig;
import dev.glad.model.memory.GladConfig;
import dev.glad.model.memory.GladOptions;
import dev.glad.model.memory.GladOptions.Aggregation;
import dev.glad.model.memory.GladOptions.AttentionNormalisation;
import dev.glad.model.memory.GladVariant;
import dev.glad.model.memory.GraphMemoryMath;
import dev.glad.model.memory.HeadActivation;
import dev.glad.model.memory.HeadWeights;
import dev.glad.model.train.TrainingMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The DJL head (training, evaluation) and the pure-Java math (stream, serving) compute the same
 * numbers: every layer and the final scores agree to 1e-4 on random inputs, for each option.
 */
class GladHeadTest {
  private static final float TOL = 1e-4f;
  private static final int E = 8;
  private static final int TOKENS = 12;

  @ParameterizedTest
  @CsvSource({
    "TANH, MEAN, SOFTMAX, true, SAGE",
    "SIGMOID, SUM, DOT, false, READ",
    "RELU, SUM, SOFTMAX, true, READ",
    "IDENTITY, MEAN, DOT, true, SAGE",
    "IDENTITY, SUM, DOT, true, SAGE",
    "IDENTITY, MEAN, DOT, true, READ"
  })
  void djlHeadEqualsPureMath(
      HeadActivation activation,
      Aggregation aggregation,
      AttentionNormalisation attention,
      boolean itemBias,
      GladOptions.AttentiveLayer attentiveLayer) {
    GladOptions options =
        GladOptions.builder()
            .optActivation(activation)
            .optAggregation(aggregation)
            .optAttention(attention)
            .optItemBias(itemBias)
            .optAttentiveLayer(attentiveLayer)
            .build();
    SplittableRandom random = new SplittableRandom(11);
    float[][] table = gaussian(random, TOKENS, E, 0.5f);
    float[] bias = gaussian(random, 1, TOKENS, 0.5f)[0];
    EncoderConfig encoder =
        EncoderConfig.builder().setTokenCount(TOKENS).optHiddenSize(E).optHeads(2).build();
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      for (GladVariant variant : List.of(GladVariant.GC, GladVariant.GCA)) {
        GladConfig config = new GladConfig(encoder, variant, 5, options);
        GladHead head = GladHead.create(config, manager, 3);
        HeadWeights weights = head.toWeights();
        GraphMemoryMath math =
            new GraphMemoryMath(options, weights, table, bias, ItemVocabulary.of(items()));
        List<TrainingMemory.Neighbours> views = new ArrayList<>();
        views.add(randomView(random, 3));
        views.add(null); // a user without memory
        views.add(randomView(random, 1));
        NDArray[] m = TrainingMemory.tensors(views, E, manager);
        NDArray clusterHidden = head.clusterHidden(m[2], m[3], m[4]);
        NDArray hU1 = head.userHidden(m[1], m[2], m[5]);
        NDArray longTerm = head.userLongTerm(hU1, clusterHidden, m[5]);
        float[][] z = gaussian(random, views.size(), E, 1f);
        long[][] candidates = {{3, 4, 5, 6}, {7, 8, 9, 10}, {11, 3, 5, 7}};
        NDArray zArray = manager.create(z);
        NDArray ids = manager.create(candidates);
        NDArray items = manager.create(table).get(ids);
        NDArray itemBiases = manager.create(bias).get(ids);
        NDArray scores =
            variant.attentive()
                ? head.scores(zArray, m[0], null, hU1, clusterHidden, m[5], items, itemBiases)
                    .head()
                : head.scores(zArray, m[0], longTerm, null, null, null, items, itemBiases).head();
        float[] djlScores = scores.toFloatArray();
        float[] djlLongTerm = longTerm.toFloatArray();
        long n = m[5].getShape().get(1);
        float[] djlClusterHidden = clusterHidden.toFloatArray();
        for (int r = 0; r < views.size(); r++) {
          TrainingMemory.Neighbours v = views.get(r);
          float[][] hidden = new float[v == null ? 0 : v.clusterIds().length][];
          float[] javaLongTerm = null;
          float[] hU1Java = null;
          if (v != null) {
            for (int j = 0; j < hidden.length; j++) {
              hidden[j] = math.clusterHidden(v.centroids()[j], v.userSums()[j], v.sizes()[j]);
              for (int d = 0; d < E; d++) {
                assertEquals(hidden[j][d], djlClusterHidden[(int) ((r * n + j) * E + d)], TOL);
              }
            }
            hU1Java = math.userHidden(v.hU0(), v.clusterIds(), v.edgeWeights(), v.centroids());
            javaLongTerm = math.userLongTerm(hU1Java, v.edgeWeights(), hidden);
            for (int d = 0; d < E; d++) {
              assertEquals(javaLongTerm[d], djlLongTerm[r * E + d], TOL);
            }
          }
          for (int k = 0; k < candidates[r].length; k++) {
            float expected =
                math.scoreItem(
                    variant,
                    z[r],
                    hU1Java,
                    v == null ? new int[0] : v.edgeWeights(),
                    hidden,
                    javaLongTerm,
                    (int) candidates[r][k]);
            assertEquals(
                expected, djlScores[r * candidates[r].length + k], TOL, variant + " row " + r);
          }
        }
      }
    }
  }

  /**
   * With zero neighbour blocks and the identity σ an untrained head publishes h_U^L = h_U^0 (the
   * mean of the user's chunk embeddings, which points at the user's items), whatever the neighbours
   * hold; the default Glorot neighbour block adds a random projection of them.
   */
  @ParameterizedTest
  @CsvSource({"true", "false"})
  void zeroNeighbourBlocksMakeAnUntrainedLongTermVectorTheUsersMeanChunk(boolean zero) {
    GladOptions options = GladOptions.builder().optActivation(HeadActivation.IDENTITY).build();
    EncoderConfig encoder =
        EncoderConfig.builder().setTokenCount(TOKENS).optHiddenSize(E).optHeads(2).build();
    SplittableRandom random = new SplittableRandom(5);
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      GladConfig config = new GladConfig(encoder, GladVariant.GCA, 5, options);
      GladHead head = GladHead.create(config, manager, 3, zero);
      TrainingMemory.Neighbours view = randomView(random, 3);
      NDArray[] m = TrainingMemory.tensors(List.of(view), E, manager);
      NDArray hU1 = head.userHidden(m[1], m[2], m[5]);
      float[] longTerm =
          head.userLongTerm(hU1, head.clusterHidden(m[2], m[3], m[4]), m[5]).toFloatArray();
      double distance = 0;
      for (int d = 0; d < E; d++) {
        distance = Math.max(distance, Math.abs(longTerm[d] - view.hU0()[d]));
      }
      if (zero) {
        assertEquals(0, distance, TOL);
      } else {
        assertTrue(distance > 0.1, "a Glorot neighbour block moves h_U^L off h_U^0: " + distance);
      }
    }
  }

  private static List<String> items() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < TOKENS - 3; i++) {
      ids.add("i" + i);
    }
    return ids;
  }

  private static TrainingMemory.Neighbours randomView(SplittableRandom random, int n) {
    int[] ids = new int[n];
    int[] weights = new int[n];
    long[] sizes = new long[n];
    for (int j = 0; j < n; j++) {
      ids[j] = j;
      weights[j] = 1 + random.nextInt(3);
      sizes[j] = weights[j] + random.nextInt(5);
    }
    return new TrainingMemory.Neighbours(
        gaussian(random, 1, E, 1f)[0],
        ids,
        weights,
        gaussian(random, n, E, 1f),
        gaussian(random, n, E, 2f),
        sizes);
  }

  static float[][] gaussian(SplittableRandom random, int rows, int columns, float std) {
    float[][] out = new float[rows][columns];
    for (float[] row : out) {
      for (int i = 0; i < columns; i++) {
        row[i] = (float) random.nextGaussian() * std;
      }
    }
    return out;
  }

  static NDArray shaped(NDManager manager, float[] flat, long... shape) {
    return manager.create(flat, new Shape(shape));
  }
}
