package dev.glad.model.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.glad.model.encoder.EngineArrays;
import dev.glad.model.memory.UserGraphMemory;
import java.util.List;

/**
 * Packs per-user serving memories into padded batch arrays: N = the largest neighbour count in the
 * batch (at least 1); padded slots have weight 0 and zero vectors.
 */
final class MemoryTensors {
  private MemoryTensors() {}

  /**
   * Serving inputs: {@code [hasMemory (B,1), longTerm (B,e), clusterHidden (B,N,e), weights (B,N),
   * hU1 (B,e)]}.
   */
  static NDArray[] fromMemories(List<UserGraphMemory> memories, int e, NDManager manager) {
    int b = memories.size();
    int n = 1;
    for (var m : memories) {
      n = Math.max(n, m.clusterIds().length);
    }
    float[] has = new float[b];
    float[] longTerm = new float[b * e];
    float[] hU1 = new float[b * e];
    float[] hidden = new float[b * n * e];
    float[] weights = new float[b * n];
    for (int r = 0; r < b; r++) {
      UserGraphMemory m = memories.get(r);
      if (!m.hasMemory()) {
        continue;
      }
      has[r] = 1f;
      System.arraycopy(m.longTerm(), 0, longTerm, r * e, e);
      System.arraycopy(m.hU1(), 0, hU1, r * e, e);
      for (int j = 0; j < m.clusterIds().length; j++) {
        System.arraycopy(m.clusterHidden()[j], 0, hidden, (r * n + j) * e, e);
        weights[r * n + j] = m.edgeWeights()[j];
      }
    }
    return new NDArray[] {
      EngineArrays.create(manager, has, new Shape(b, 1)),
      EngineArrays.create(manager, longTerm, new Shape(b, e)),
      EngineArrays.create(manager, hidden, new Shape(b, n, e)),
      EngineArrays.create(manager, weights, new Shape(b, n)),
      EngineArrays.create(manager, hU1, new Shape(b, e))
    };
  }
}
