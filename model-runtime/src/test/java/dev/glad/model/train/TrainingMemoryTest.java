package dev.glad.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.memory.ClusterNodes;
import dev.glad.model.memory.GladVariant;
import dev.glad.model.memory.GraphMemoryMath;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Train/serve consistency of phase 2: the memory of a training example never holds its target. */
class TrainingMemoryTest {
  private static final float TOL = 1e-4f;
  private static TinyGlad tiny;

  @BeforeAll
  static void open() {
    tiny = new TinyGlad(30, 20, 3);
  }

  @AfterAll
  static void close() {
    tiny.encoder.close();
  }

  @Test
  void exampleMemoryEqualsTheStreamStateBeforeTheTarget() {
    // Given a memory over all training chunks (centroids fixed, so both memories assign alike)
    float[][] centroids =
        TrainingMemory.build(
                tiny.encoder, tiny.split, GladVariant.GC, tiny.options, TinyGlad.C, null, 1)
            .centroids();
    TrainingMemory full =
        TrainingMemory.build(
            tiny.encoder, tiny.split, GladVariant.GC, tiny.options, TinyGlad.C, centroids, 1);
    int user = longestUser();
    int[] items = tiny.split.trainingItems(user);
    int t = 2 * TinyGlad.C + 1; // target inside chunk 2: chunks 0 and 1 are complete before it

    // When the example's memory is taken
    TrainingMemory.Neighbours view = full.view(user, t / TinyGlad.C);

    // Then it equals the memory of a stream that has seen everyone's training data except this
    // user's items from the target on
    int[][] truncated = new int[tiny.split.userCount()][];
    for (int u = 0; u < truncated.length; u++) {
      truncated[u] = tiny.split.fullSequence(u);
    }
    int[] cut = Arrays.copyOf(items, t + 2); // + validation and test placeholders
    cut[t] = items[t];
    cut[t + 1] = items[t];
    truncated[user] = cut;
    LeaveOneOutSplit beforeTarget = new LeaveOneOutSplit(truncated, tiny.split.tokenCount());
    TrainingMemory stream =
        TrainingMemory.build(
            tiny.encoder, beforeTarget, GladVariant.GC, tiny.options, TinyGlad.C, centroids, 1);
    GraphMemoryMath math = tiny.math(tiny.randomHead(tiny.config(GladVariant.GC, 1)));
    ClusterNodes streamState = stream.clusterState(math);
    for (int i = 0; i < view.clusterIds().length; i++) {
      int j = view.clusterIds()[i];
      assertArrayEquals(streamState.centroids()[j], view.centroids()[i], TOL);
      assertArrayEquals(streamState.userSums()[j], view.userSums()[i], TOL);
      assertEquals(streamState.sizes()[j], view.sizes()[i]);
    }
    // and its h_U^0 is the mean of exactly the two chunks before the target
    float[][] firstTwo =
        tiny.encoder.encodeBatch(
            new int[][] {Arrays.copyOfRange(items, 0, 3), Arrays.copyOfRange(items, 3, 6)});
    for (int d = 0; d < firstTwo[0].length; d++) {
      assertEquals((firstTwo[0][d] + firstTwo[1][d]) / 2, view.hU0()[d], TOL);
    }
    assertEquals(2, Arrays.stream(view.edgeWeights()).sum());
  }

  @Test
  void noChunkBeforeTheTargetMeansNoMemory() {
    TrainingMemory memory =
        TrainingMemory.build(
            tiny.encoder, tiny.split, GladVariant.GC, tiny.options, TinyGlad.C, null, 1);
    assertNull(memory.view(longestUser(), 0));
  }

  private static int longestUser() {
    int best = 0;
    for (int u = 1; u < tiny.split.userCount(); u++) {
      if (tiny.split.trainingItems(u).length > tiny.split.trainingItems(best).length) {
        best = u;
      }
    }
    return best;
  }
}
