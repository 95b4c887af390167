package dev.glad.model.glad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.glad.model.memory.UserMemory;
import java.util.List;

/**
 * Packs per-user memories into padded batch arrays: N = the largest neighbour count in the batch
 * (at least 1); padded slots have weight 0 and zero vectors.
 */
final class MemoryTensors {
  private MemoryTensors() {}

  /** Phase-2 inputs: {@code [hasMemory (B,1), hU0, centroids, userSums, sizes, weights]}. */
  static NDArray[] fromViews(List<TrainingMemory.Neighbours> views, int e, NDManager manager) {
    int b = views.size();
    int n = 1;
    for (var v : views) {
      n = Math.max(n, v == null ? 0 : v.clusterIds().length);
    }
    float[] has = new float[b];
    float[] hU0 = new float[b * e];
    float[] centroids = new float[b * n * e];
    float[] userSums = new float[b * n * e];
    float[] sizes = new float[b * n];
    float[] weights = new float[b * n];
    for (int r = 0; r < b; r++) {
      var v = views.get(r);
      if (v == null) {
        continue;
      }
      has[r] = 1f;
      System.arraycopy(v.hU0(), 0, hU0, r * e, e);
      for (int j = 0; j < v.clusterIds().length; j++) {
        System.arraycopy(v.centroids()[j], 0, centroids, (r * n + j) * e, e);
        System.arraycopy(v.userSums()[j], 0, userSums, (r * n + j) * e, e);
        sizes[r * n + j] = v.sizes()[j];
        weights[r * n + j] = v.edgeWeights()[j];
      }
    }
    return new NDArray[] {
      manager.create(has, new Shape(b, 1)),
      manager.create(hU0, new Shape(b, e)),
      manager.create(centroids, new Shape(b, n, e)),
      manager.create(userSums, new Shape(b, n, e)),
      manager.create(sizes, new Shape(b, n)),
      manager.create(weights, new Shape(b, n))
    };
  }

  /**
   * Serving inputs: {@code [hasMemory (B,1), longTerm (B,e), clusterHidden (B,N,e), weights (B,N),
   * hU1 (B,e)]}.
   */
  static NDArray[] fromMemories(List<UserMemory> memories, int e, NDManager manager) {
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
      UserMemory m = memories.get(r);
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
      manager.create(has, new Shape(b, 1)),
      manager.create(longTerm, new Shape(b, e)),
      manager.create(hidden, new Shape(b, n, e)),
      manager.create(weights, new Shape(b, n)),
      manager.create(hU1, new Shape(b, e))
    };
  }
}
