package dev.glad.flink.memory;

/**
 * A change to one cluster caused by one user's new chunk: the change of the cluster's user-side
 * sum, and, for the cluster the chunk joined, the chunk embedding for sequential k-means. A Flink
 * POJO.
 */
public final class ClusterDelta {
  public int clusterId;

  /** Added to the cluster's user-side sum. */
  public float[] userSumDelta;

  /** The chunk embedding when this chunk joined this cluster, else null. */
  public float[] chunkEmbedding;

  /** Cluster size the encoder saw when it assigned the chunk (0 when no chunk joined). */
  public long clusterSizeSeen;

  public String userId;
  public long sequenceNumber;
  public long lastIngestTime;

  public ClusterDelta() {}

  public ClusterDelta(
      int clusterId,
      float[] userSumDelta,
      float[] chunkEmbedding,
      long clusterSizeSeen,
      String userId,
      long sequenceNumber,
      long lastIngestTime) {
    this.clusterId = clusterId;
    this.userSumDelta = userSumDelta;
    this.chunkEmbedding = chunkEmbedding;
    this.clusterSizeSeen = clusterSizeSeen;
    this.userId = userId;
    this.sequenceNumber = sequenceNumber;
    this.lastIngestTime = lastIngestTime;
  }

  public boolean joinsCluster() {
    return chunkEmbedding != null;
  }
}
