package dev.glad.flink.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class UserMemoryUpdateTest {
  private final ArithmeticModel model = new ArithmeticModel();

  @Test
  void keepsEdgesSortedWhenANewClusterComesBeforeExistingOnes() {
    UserMemoryUpdate u =
        UserMemoryUpdate.apply(
            model,
            new int[] {1, 3},
            new int[] {2, 1},
            new float[] {0, 1},
            3,
            new EncodedChunk("u", 3, new float[] {1, 0}, 0, 5, 0, 0, 0));

    assertArrayEquals(new int[] {0, 1, 3}, u.clusterIds());
    assertArrayEquals(new int[] {1, 2, 1}, u.edgeWeights());
    assertArrayEquals(new float[] {0.25f, 0.75f}, u.hU0(), 1e-6f);
    assertEquals(3, u.deltas().size());
    assertEquals(5L, u.deltas().get(0).clusterSizeSeen);
    assertEquals(0L, u.deltas().get(1).clusterSizeSeen);
  }
}
