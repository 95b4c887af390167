package dev.glad.flink.memory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The pure part of a user's memory update when one chunk joins it: new edges, new h_U^0, and the
 * deltas every cluster the user is connected to must receive. Free of Flink, so the offline replay
 * and the tests can run it directly.
 *
 * @param clusterIds the user's clusters after the update, ascending
 * @param edgeWeights chunks of the user in each of those clusters
 * @param hU0 the user's input after the update
 * @param deltas changes to send to clusters (one per cluster whose user-side sum changes)
 */
public record UserMemoryUpdate(
    int[] clusterIds, int[] edgeWeights, float[] hU0, List<ClusterDelta> deltas) {

  /**
   * @param clusterIds the user's clusters before, ascending (empty for a new user)
   * @param edgeWeights their weights before
   * @param hU0 the user's input before (null for a new user)
   * @param chunksBefore complete chunks in the memory before
   * @param chunk the encoded chunk joining the memory
   */
  public static UserMemoryUpdate apply(
      StreamingModel model,
      int[] clusterIds,
      int[] edgeWeights,
      float[] hU0,
      long chunksBefore,
      EncodedChunk chunk) {
    float[] newHU0 = model.userInputAfterChunk(hU0, chunksBefore, chunk.embedding);
    int position = Arrays.binarySearch(clusterIds, chunk.clusterId);
    int[] ids;
    int[] weights;
    if (position >= 0) {
      ids = clusterIds.clone();
      weights = edgeWeights.clone();
      weights[position]++;
    } else {
      int insertAt = -position - 1;
      ids = insert(clusterIds, insertAt, chunk.clusterId);
      weights = insert(edgeWeights, insertAt, 1);
    }
    List<ClusterDelta> deltas = new ArrayList<>(ids.length);
    for (int i = 0; i < ids.length; i++) {
      int j = ids[i];
      int oldPosition = Arrays.binarySearch(clusterIds, j);
      int oldWeight = oldPosition >= 0 ? edgeWeights[oldPosition] : 0;
      float[] oldInput = oldPosition >= 0 ? hU0 : null;
      boolean joins = j == chunk.clusterId;
      deltas.add(
          new ClusterDelta(
              j,
              model.clusterUserSumDelta(oldInput, oldWeight, newHU0, weights[i]),
              joins ? chunk.embedding : null,
              joins ? chunk.clusterSizeSeen : 0,
              chunk.userId,
              chunk.sequenceNumber,
              chunk.lastIngestTime));
    }
    return new UserMemoryUpdate(ids, weights, newHU0, deltas);
  }

  /**
   * The deltas that take a user's whole contribution out of the clusters it is connected to (the
   * user is erased): each cluster's user-side sum loses {@code weight · h_U^0}.
   *
   * @param sequenceNumber the user's last update, for the deltas' provenance
   */
  public static List<ClusterDelta> removal(
      StreamingModel model,
      String userId,
      long sequenceNumber,
      int[] clusterIds,
      int[] edgeWeights,
      float[] hU0) {
    float[] none = new float[hU0.length];
    List<ClusterDelta> deltas = new ArrayList<>(clusterIds.length);
    for (int i = 0; i < clusterIds.length; i++) {
      deltas.add(
          new ClusterDelta(
              clusterIds[i],
              model.clusterUserSumDelta(hU0, edgeWeights[i], none, 0),
              null,
              0,
              userId,
              sequenceNumber,
              0));
    }
    return deltas;
  }

  /**
   * A user's memory rebuilt from the item ids of their stored chunks (oldest first) under {@code
   * model}, as if those chunks had streamed through it: one forward pass over all of them, each
   * assigned to its nearest centroid of {@code clusters} and folded in order.
   *
   * @param update the memory after the last stored chunk; its deltas: one per chunk for the cluster
   *     it joins (sequential k-means; no user-sum change), then the user's whole contribution
   *     {@code weight · h_U^0} to each of its clusters
   * @param shortTerm z_U, the last stored chunk's embedding
   */
  public record Rebuilt(UserMemoryUpdate update, float[] shortTerm) {}

  /** See {@link Rebuilt}; {@code storedChunks} must not be empty. */
  public static Rebuilt rebuild(
      StreamingModel model,
      ClusterTable clusters,
      String userId,
      long sequenceNumber,
      List<List<String>> storedChunks) {
    float[][] embeddings = model.encode(storedChunks);
    int[] nearest = model.nearestClusters(embeddings, clusters.centroids());
    int[] ids = new int[0];
    int[] weights = new int[0];
    float[] hU0 = null;
    List<ClusterDelta> deltas = new ArrayList<>();
    for (int k = 0; k < embeddings.length; k++) {
      int j = nearest[k];
      EncodedChunk chunk =
          new EncodedChunk(userId, k, embeddings[k], j, clusters.clusterSize(j), 0, 0, 0);
      UserMemoryUpdate step = apply(model, ids, weights, hU0, k, chunk);
      ids = step.clusterIds();
      weights = step.edgeWeights();
      hU0 = step.hU0();
      deltas.add(
          new ClusterDelta(
              j,
              new float[hU0.length],
              embeddings[k],
              clusters.clusterSize(j),
              userId,
              sequenceNumber,
              0));
    }
    for (int i = 0; i < ids.length; i++) {
      deltas.add(
          new ClusterDelta(
              ids[i],
              model.clusterUserSumDelta(null, 0, hU0, weights[i]),
              null,
              0,
              userId,
              sequenceNumber,
              0));
    }
    return new Rebuilt(
        new UserMemoryUpdate(ids, weights, hU0, deltas), embeddings[embeddings.length - 1]);
  }

  private static int[] insert(int[] values, int at, int value) {
    int[] out = new int[values.length + 1];
    System.arraycopy(values, 0, out, 0, at);
    out[at] = value;
    System.arraycopy(values, at, out, at + 1, values.length - at);
    return out;
  }
}
