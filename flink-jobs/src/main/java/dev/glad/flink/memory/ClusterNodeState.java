package dev.glad.flink.memory;

import dev.glad.flink.state.ClusterState;

/**
 * A cluster node of the graph memory as code works on it: the centroid and its size (sequential
 * k-means), the user-side sum Σ w·h_U^0, and the count of deltas applied ({@code version}). Plain
 * arrays, mutable; {@link ClusterState} is its stored form. The cluster-memory operator and the
 * bootstrap apply deltas through {@link #apply}, so both fold them the same way.
 */
public final class ClusterNodeState {
  private float[] centroid;
  private long size;
  private final float[] userSum;
  private long version;

  private ClusterNodeState(float[] centroid, long size, float[] userSum, long version) {
    this.centroid = centroid;
    this.size = size;
    this.userSum = userSum;
    this.version = version;
  }

  /** The artifact's cluster {@code clusterId}, no delta applied. */
  public static ClusterNodeState initial(StreamingModel model, int clusterId) {
    // new arrays (StreamingModel's contract): the user-side sum is added to in place
    StreamingModel.ClusterNode node = model.initialCluster(clusterId);
    return new ClusterNodeState(node.centroid(), node.size(), node.userSum(), 0);
  }

  /**
   * The node {@code stored} holds, or the artifact's when there is none or another model wrote it.
   */
  public static ClusterNodeState of(ClusterState stored, StreamingModel model, int clusterId) {
    if (stored == null || !stored.getModelVersion().equals(model.modelVersion())) {
      return initial(model, clusterId);
    }
    return new ClusterNodeState(
        Vectors.toArray(stored.getCentroid()),
        stored.getSize(),
        Vectors.toArray(stored.getUserSum()),
        stored.getVersion());
  }

  /** One delta: a k-means step when a chunk joins, then the user-side sum moves. */
  public void apply(StreamingModel model, ClusterDelta delta) {
    if (delta.joinsCluster()) {
      centroid = model.centroidAfterChunk(centroid, size, delta.chunkEmbedding);
      size++;
    }
    Vectors.addInPlace(userSum, delta.userSumDelta);
    version++;
  }

  /** The stored form, under {@code modelVersion}. */
  public ClusterState toState(String modelVersion) {
    return ClusterState.newBuilder()
        .setModelVersion(modelVersion)
        .setCentroid(Vectors.toList(centroid))
        .setSize(size)
        .setUserSum(Vectors.toList(userSum))
        .setVersion(version)
        .build();
  }

  /** The current centroid (not a copy: a k-means step replaces it, never writes into it). */
  public float[] centroid() {
    return centroid;
  }

  public long size() {
    return size;
  }

  /** The user-side sum (not a copy: read it before the next delta). */
  public float[] userSum() {
    return userSum;
  }

  public long version() {
    return version;
  }
}
