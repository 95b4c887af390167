package dev.glad.model.memory;

/**
 * The shared (cluster) side of the memory in one state, e.g. the artifact's trained state: per node
 * j its centroid {@code m_j = h_CE_j^0}, its size {@code n_j} (chunks assigned), its user-sum
 * {@code Σ_U w_Uj h_U^0} and its layer-1 vector {@code h_CE_j^1}. Arrays are shared, not copied:
 * treat them as read-only.
 *
 * @param centroids K x e
 * @param sizes K
 * @param userSums K x e; the user-sum of eq. 2 before aggregation (see {@link
 *     GraphMemoryMath#clusterUserSumDelta})
 * @param hidden K x e, {@code clusterHidden(centroids[j], userSums[j], sizes[j])}
 * @param nodeChunks for the unclustered variant G: the item indices of each node's chunk (node
 *     identity); null for clustered variants
 */
public record ClusterNodes(
    float[][] centroids, long[] sizes, float[][] userSums, float[][] hidden, int[][] nodeChunks) {

  /** Validates that all arrays describe the same K nodes of width e. */
  public ClusterNodes {
    int k = centroids.length;
    if (sizes.length != k || userSums.length != k || hidden.length != k) {
      throw new IllegalArgumentException(
          "cluster arrays disagree on K: centroids "
              + k
              + ", sizes "
              + sizes.length
              + ", userSums "
              + userSums.length
              + ", hidden "
              + hidden.length);
    }
    if (nodeChunks != null && nodeChunks.length != k) {
      throw new IllegalArgumentException(
          "nodeChunks has " + nodeChunks.length + " rows but K is " + k);
    }
  }

  /** K. */
  public int clusterCount() {
    return centroids.length;
  }

  /** e (0 when there are no clusters). */
  public int width() {
    return centroids.length == 0 ? 0 : centroids[0].length;
  }

  /** Rows of {@code matrix} at {@code ids}, shared not copied. */
  public static float[][] rows(float[][] matrix, int[] ids) {
    float[][] out = new float[ids.length][];
    for (int i = 0; i < ids.length; i++) {
      out[i] = matrix[ids[i]];
    }
    return out;
  }
}
