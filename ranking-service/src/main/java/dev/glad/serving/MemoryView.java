package dev.glad.serving;

import java.util.List;

/**
 * A user's memory as the service holds it (GET /v1/users/{id}/memory).
 *
 * @param userId the user
 * @param modelVersion the version that wrote it
 * @param servedVersion whether that is the service's version (else it is never used)
 * @param sequenceNumber the job's per-user update counter
 * @param chunkCount complete chunks in the memory
 * @param eventTimeMs event time of the newest interaction in it
 * @param updateTimeMs when the job published it
 * @param ageMs now minus {@code updateTimeMs}: how stale the memory is
 * @param clusters every edge, heaviest first (ties by cluster id)
 */
public record MemoryView(
    String userId,
    String modelVersion,
    boolean servedVersion,
    long sequenceNumber,
    long chunkCount,
    long eventTimeMs,
    long updateTimeMs,
    long ageMs,
    List<Cluster> clusters) {

  /**
   * One edge of the user and its cluster.
   *
   * @param clusterId the cluster
   * @param weight the user's chunks in it
   * @param size n_j, all chunks in it (-1 when the model has no such cluster)
   * @param version the job's update counter of the cluster state served (-1: the artifact's)
   * @param topItems the items whose embeddings score highest against the cluster's centroid, best
   *     first (only for the top clusters asked for; empty for the others)
   */
  public record Cluster(
      int clusterId, int weight, long size, long version, List<String> topItems) {}
}
