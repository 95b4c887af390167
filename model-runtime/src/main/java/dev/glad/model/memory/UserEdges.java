package dev.glad.model.memory;

import java.util.Arrays;
import java.util.TreeMap;

/**
 * The user side of the memory before the GNN: edges and h_U^0, folded chunk by chunk with {@link
 * GraphMemoryMath#runningMean} (= {@link GraphMemoryMath#userInputAfterChunk}) — the single
 * definition used by the trainer, the evaluator and the stream-equality tests.
 *
 * @param clusterIds ascending
 * @param edgeWeights aligned with {@code clusterIds}
 * @param hU0 null without chunks
 * @param chunkCount chunks folded in
 */
public record UserEdges(int[] clusterIds, int[] edgeWeights, float[] hU0, long chunkCount) {

  /**
   * Folds the first {@code count} chunks (time order) into edges and h_U^0.
   *
   * @param chunkEmbeddings the user's chunk embeddings in time order
   * @param assignments the node of each chunk
   */
  public static UserEdges replay(float[][] chunkEmbeddings, int[] assignments, int count) {
    if (count > chunkEmbeddings.length || count > assignments.length) {
      throw new IllegalArgumentException(
          "cannot replay "
              + count
              + " chunks from "
              + chunkEmbeddings.length
              + " embeddings and "
              + assignments.length
              + " assignments");
    }
    TreeMap<Integer, Integer> edges = new TreeMap<>();
    float[] hU0 = null;
    for (int m = 0; m < count; m++) {
      hU0 = GraphMemoryMath.runningMean(hU0, m, chunkEmbeddings[m]);
      edges.merge(assignments[m], 1, Integer::sum);
    }
    int[] ids = new int[edges.size()];
    int[] weights = new int[edges.size()];
    int i = 0;
    for (var edge : edges.entrySet()) {
      ids[i] = edge.getKey();
      weights[i++] = edge.getValue();
    }
    return new UserEdges(ids, weights, hU0, count);
  }

  /** The weight of the edge to {@code clusterId} (0 when there is none). */
  public int weightOf(int clusterId) {
    int at = Arrays.binarySearch(clusterIds, clusterId);
    return at >= 0 ? edgeWeights[at] : 0;
  }
}
