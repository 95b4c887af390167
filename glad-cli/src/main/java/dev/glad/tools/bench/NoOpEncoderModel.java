package dev.glad.tools.bench;

import dev.glad.flink.memory.StreamingModel;
import java.util.List;
import java.util.Optional;

/**
 * The bench's ceiling for the encoder: the real model in every stage except the encoder, whose
 * forward pass is replaced by a table lookup. A chunk's "embedding" is the artifact's centroid of a
 * cluster picked by the hash of the chunk's item ids: the same shapes as the real encoder's output,
 * no computation, and chunks spread over the clusters (a constant vector would connect every user
 * to one cluster and understate the cluster fan-out the real job pays for).
 */
final class NoOpEncoderModel implements StreamingModel {
  private final StreamingModel real;
  private final float[][] vectors;

  private NoOpEncoderModel(StreamingModel real) {
    this.real = real;
    vectors = new float[real.clusterCount()][];
    for (int j = 0; j < vectors.length; j++) {
      vectors[j] = real.initialCluster(j).centroid().clone();
    }
  }

  /** Index of the table row a chunk gets: a function of its items only, as an encoder is. */
  static int rowOf(List<String> chunk, int rows) {
    // List.hashCode of similar ids varies little in its low bits: mix it (murmur3's finalizer)
    int h = chunk.hashCode();
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return Math.floorMod(h, rows);
  }

  @Override
  public float[][] encode(List<List<String>> chunks) {
    float[][] out = new float[chunks.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = vectors[rowOf(chunks.get(i), vectors.length)].clone();
    }
    return out;
  }

  @Override
  public String modelVersion() {
    return real.modelVersion();
  }

  @Override
  public String device() {
    return "none (no-op encoder)";
  }

  @Override
  public int dimension() {
    return real.dimension();
  }

  @Override
  public int clusterCount() {
    return real.clusterCount();
  }

  @Override
  public long unknownItems() {
    return 0;
  }

  @Override
  public int[] nearestClusters(float[][] embeddings, float[][] centroids) {
    return real.nearestClusters(embeddings, centroids);
  }

  @Override
  public float[] userInputAfterChunk(float[] hU0, long chunksBefore, float[] chunkEmbedding) {
    return real.userInputAfterChunk(hU0, chunksBefore, chunkEmbedding);
  }

  @Override
  public float[] centroidAfterChunk(float[] centroid, long sizeBefore, float[] chunkEmbedding) {
    return real.centroidAfterChunk(centroid, sizeBefore, chunkEmbedding);
  }

  @Override
  public float[] clusterUserSumDelta(float[] oldHU0, int oldWeight, float[] newHU0, int newWeight) {
    return real.clusterUserSumDelta(oldHU0, oldWeight, newHU0, newWeight);
  }

  @Override
  public float[] clusterHidden(float[] centroid, float[] userSum, long size) {
    return real.clusterHidden(centroid, userSum, size);
  }

  @Override
  public float[] userHidden(float[] hU0, int[] clusterIds, int[] edgeWeights, float[][] centroids) {
    return real.userHidden(hU0, clusterIds, edgeWeights, centroids);
  }

  @Override
  public float[] userLongTerm(float[] hU1, int[] edgeWeights, float[][] clusterHidden) {
    return real.userLongTerm(hU1, edgeWeights, clusterHidden);
  }

  @Override
  public ClusterNode initialCluster(int id) {
    return real.initialCluster(id);
  }

  @Override
  public void close() {
    real.close();
  }

  /** Opens the real model and wraps it. */
  static final class Factory implements StreamingModel.Factory {
    private static final long serialVersionUID = 1L;
    private final StreamingModel.Factory real;

    Factory(StreamingModel.Factory real) {
      this.real = real;
    }

    @Override
    public StreamingModel open(List<String> gpuIndicesOfTask) {
      return new NoOpEncoderModel(real.open(gpuIndicesOfTask));
    }

    @Override
    public StreamingModel openOnCpu() {
      return new NoOpEncoderModel(real.openOnCpu());
    }

    @Override
    public int checkedChunkSize(Optional<Integer> jobChunkSize) {
      return real.checkedChunkSize(jobChunkSize);
    }
  }
}
