package dev.glad.flink.memory;

import java.util.List;
import java.util.Optional;

/**
 * What the memory stages of the job need from a trained GLAD model: the encoder and the graph
 * memory math of design §2. Opened once per task by a {@link StreamingModel.Factory}, used by that
 * task's thread only, closed with the task.
 *
 * <p>The production implementation delegates to model-runtime's {@code GladModel}, so the stream
 * computes exactly what the trainer trained and the evaluator measured.
 */
public interface StreamingModel extends AutoCloseable {
  /** Id of the artifact, written into every output record. */
  String modelVersion();

  /** Where the encoder runs: {@code cpu} or {@code gpu:N}. */
  String device();

  /** e, the width of every vector. */
  int dimension();

  /** K, the number of cluster nodes. */
  int clusterCount();

  /** Encodes every chunk in one forward pass; item ids unknown to the model map to UNK. */
  float[][] encode(List<List<String>> chunks);

  /** How many item ids {@link #encode} met that the model does not know (since open). */
  long unknownItems();

  /** Index of the nearest centroid of every embedding. */
  int[] nearestClusters(float[][] embeddings, float[][] centroids);

  /** The user node's input h_U^0 after one more chunk ({@code hU0} null for the first). */
  float[] userInputAfterChunk(float[] hU0, long chunksBefore, float[] chunkEmbedding);

  /** Sequential k-means: the centroid after one more chunk joins the cluster. */
  float[] centroidAfterChunk(float[] centroid, long sizeBefore, float[] chunkEmbedding);

  /**
   * How a cluster's user-side sum changes when a user's input goes from {@code oldHU0} with edge
   * weight {@code oldWeight} (null and 0 for a new edge) to {@code newHU0} with {@code newWeight}.
   */
  float[] clusterUserSumDelta(float[] oldHU0, int oldWeight, float[] newHU0, int newWeight);

  /** h_CE^1 of a cluster (eq. 2). */
  float[] clusterHidden(float[] centroid, float[] userSum, long size);

  /** h_U^1 of a user (eq. 1) from the centroids of the user's clusters. */
  float[] userHidden(float[] hU0, int[] clusterIds, int[] edgeWeights, float[][] centroids);

  /** The target-free long-term vector: the plain GraphSAGE layer 2 over h_CE^1. */
  float[] userLongTerm(float[] hU1, int[] edgeWeights, float[][] clusterHidden);

  /** Cluster {@code id} as the artifact holds it, in new arrays the caller may change. */
  ClusterNode initialCluster(int id);

  @Override
  void close();

  /** A cluster node: centroid h_CE^0, size n, user-side sum, and h_CE^1. */
  record ClusterNode(float[] centroid, long size, float[] userSum, float[] hidden) {}

  /** Opens a model on a task; serializable so it travels with the job graph. */
  interface Factory extends java.io.Serializable {
    /**
     * @param gpuIndicesOfTask GPU indices Flink assigned to this TaskManager (external resource
     *     "gpu"), empty when it declares none
     */
    StreamingModel open(List<String> gpuIndicesOfTask);

    /**
     * The model for the user and cluster nodes, which never run the encoder: on the CPU whatever
     * device the encoder stage uses, so a GPU holds one encoder per TaskManager slot, not three.
     */
    default StreamingModel openOnCpu() {
      return open(List.of());
    }

    /**
     * Checks the model before the job is submitted, failing with a clear message, and returns its
     * chunk size c: with a model, the job chunks at the model's c.
     *
     * @param jobChunkSize the job's {@code chunk-size} when it was set explicitly: it must be the
     *     model's
     */
    int checkedChunkSize(Optional<Integer> jobChunkSize);
  }
}
