package dev.glad.model.memory;

/**
 * One user's memory as the stream holds it after the user's complete chunks, with the vectors the
 * stream publishes.
 *
 * @param clusterIds the user's memory nodes, ascending
 * @param edgeWeights chunks of the user in each node, aligned with {@code clusterIds}
 * @param hU0 running mean of the user's chunk embeddings; null without chunks
 * @param chunkCount complete chunks so far
 * @param hU1 h_U^1 (eq. 1); null without chunks
 * @param longTerm the target-free h_U^L (plain GraphSAGE layer 2); null without chunks
 * @param clusterHidden h_CE^1 of the user's nodes, aligned with {@code clusterIds} (what the
 *     attentive read and the ranking service need)
 * @param zU encode(last complete chunk) = the stream's z_U at that chunk's completion; null without
 *     chunks
 */
public record UserGraphMemory(
    int[] clusterIds,
    int[] edgeWeights,
    float[] hU0,
    long chunkCount,
    float[] hU1,
    float[] longTerm,
    float[][] clusterHidden,
    float[] zU) {

  /** The memory of a user without complete chunks. */
  public static UserGraphMemory empty() {
    return new UserGraphMemory(new int[0], new int[0], null, 0, null, null, new float[0][], null);
  }

  /** Whether the user has at least one memory edge. */
  public boolean hasMemory() {
    return clusterIds.length > 0;
  }
}
