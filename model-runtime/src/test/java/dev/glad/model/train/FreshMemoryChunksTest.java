package dev.glad.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.glad.model.encoder.Bert4RecModel;
import dev.glad.model.encoder.EngineArrays;
import dev.glad.model.encoder.SequenceEncoder;
import dev.glad.model.memory.GladVariant;
import dev.glad.model.memory.UserEdges;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Hypothesis (b): the memory moves with re-encoded chunks, and gradients reach the encoder. */
class FreshMemoryChunksTest {
  private static final float TOL = 1e-5f;

  @Test
  void changedRecentChunksMoveTheMemoryAsIfTheyHadBeenEncodedSo() {
    TinyGlad tiny = new TinyGlad(30, 20, 3);
    try (SequenceEncoder encoder = tiny.encoder;
        NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      TrainingMemory memory =
          TrainingMemory.build(
              encoder, tiny.split, GladVariant.GC, tiny.options, TinyGlad.C, null, 1);
      // Given two examples, one with three memory chunks, one without memory
      int user = userWithChunks(tiny, memory, 3);
      List<TrainingMemory.Neighbours> views = new ArrayList<>();
      views.add(null);
      views.add(memory.view(user, 3));
      int[] users = {0, user};
      int e = encoder.config().hiddenSize();

      // When its two most recent chunks come back from the encoder changed by d1 and d2
      FreshMemoryChunks plan = FreshMemoryChunks.plan(memory, tiny.split, users, views, 2);
      assertNotNull(plan);
      assertEquals(2, plan.chunkCount());
      float[][] stale = memory.chunkEmbeddings(user);
      float[][] changed = Arrays.stream(stale).map(float[]::clone).toArray(float[][]::new);
      SplittableRandom random = new SplittableRandom(5);
      float[] fresh = new float[2 * e];
      for (int k = 1; k < 3; k++) {
        for (int d = 0; d < e; d++) {
          changed[k][d] += (float) random.nextGaussian();
          fresh[(k - 1) * e + d] = changed[k][d];
        }
      }
      NDArray[] before = TrainingMemory.tensors(views, e, manager);
      NDArray[] after =
          plan.apply(before, EngineArrays.create(manager, fresh, new Shape(2, e)), manager);

      // Then h_U^0 is the mean of the changed chunks, each node's centroid moves by its changed
      // chunks over its size, and the user-sums by the edge weight times the change of h_U^0
      int[] assigned = memory.assignments(user);
      float[] expectedHU0 = UserEdges.replay(changed, assigned, 3).hU0();
      TrainingMemory.Neighbours view = views.get(1);
      int n = TrainingMemory.paddedNodeCount(views);
      float[] hU0 = after[1].toFloatArray();
      assertArrayEquals(expectedHU0, Arrays.copyOfRange(hU0, e, 2 * e), TOL);
      assertArrayEquals(new float[e], Arrays.copyOfRange(hU0, 0, e), 0f, "no memory, no change");
      float[] centroids = after[2].toFloatArray();
      float[] sums = after[3].toFloatArray();
      for (int i = 0; i < view.clusterIds().length; i++) {
        float[] centroid = view.centroids()[i].clone();
        float[] sum = view.userSums()[i].clone();
        for (int k = 0; k < 3; k++) {
          if (assigned[k] == view.clusterIds()[i]) {
            for (int d = 0; d < e; d++) {
              centroid[d] += (changed[k][d] - stale[k][d]) / view.sizes()[i];
            }
          }
        }
        for (int d = 0; d < e; d++) {
          sum[d] += view.edgeWeights()[i] * (expectedHU0[d] - view.hU0()[d]);
        }
        int at = (n + i) * e;
        assertArrayEquals(centroid, Arrays.copyOfRange(centroids, at, at + e), TOL, "node " + i);
        assertArrayEquals(sum, Arrays.copyOfRange(sums, at, at + e), TOL, "user-sum " + i);
      }
    }
  }

  @Test
  void theFirstStepReadsTheSameMemoryButItsGradientReachesTheMemorysItems() {
    // One step from the same start, with and without re-encoding the memory chunks
    OneStep frozen = oneStep(0);
    OneStep fresh = oneStep(4);

    // The memory's values are the same (the encoder has not changed yet) ...
    assertEquals(frozen.loss, fresh.loss, 1e-4 * Math.abs(frozen.loss));
    // ... but items that only the memory's chunks hold now take a step too (AdamW's first step
    // moves a row with a gradient by about the rate; weight decay alone moves it far less)
    int onlyFresh = 0;
    for (int row = 0; row < frozen.moved.length; row++) {
      assertTrue(!frozen.moved[row] || fresh.moved[row], "row " + row + " moved only when frozen");
      onlyFresh += fresh.moved[row] && !frozen.moved[row] ? 1 : 0;
    }
    assertTrue(onlyFresh >= 5, onlyFresh + " item rows moved through the memory alone");
  }

  /** The first step's loss and which token rows moved by more than half the encoder's rate. */
  private record OneStep(double loss, boolean[] moved) {}

  private static OneStep oneStep(int memoryGradientChunks) {
    TinyGlad tiny = new TinyGlad(60, 150, 7);
    try (SequenceEncoder encoder = tiny.encoder) {
      // a small step (8 examples, 1 negative) touches few of the 150 items directly
      GladTrainingConfig config =
          GladTrainingConfig.builder()
              .optEpochs(1)
              .optBatchSize(8)
              .optMaxExamplesPerEpoch(8)
              .optNegatives(1)
              .optEvalUsers(0)
              .optSeed(3)
              .optMemoryGradientChunks(memoryGradientChunks)
              .build();
      Bert4RecModel model = encoder.model();
      float[] before = table(model);
      GladTrainer trainer = tiny.trainer(GladVariant.GCA, config);
      GladTrainer.Result result = trainer.train();
      float[] after = table(model);
      float rate = config.loop().learningRate() * config.encoderLearningRateScale();
      int e = model.config().hiddenSize();
      boolean[] moved = new boolean[before.length / e];
      for (int i = 0; i < before.length; i++) {
        moved[i / e] |= Math.abs(after[i] - before[i]) > rate / 2;
      }
      return new OneStep(result.curve().get(0).trainLoss(), moved);
    }
  }

  private static float[] table(Bert4RecModel model) {
    return model.parameters().get("tokenEmbedding").getArray().toFloatArray();
  }

  private static int userWithChunks(TinyGlad tiny, TrainingMemory memory, int chunks) {
    for (int u = 0; u < tiny.split.userCount(); u++) {
      if (memory.chunkEmbeddings(u).length >= chunks) {
        return u;
      }
    }
    throw new AssertionError("no user with " + chunks + " chunks");
  }
}
