package dev.glad.flink.memory;

import java.util.List;

/**
 * A tiny, fully hand-computable {@link StreamingModel} for testing the operators' plumbing
 * (batching, state, broadcast, deltas) without a trained network. Item {@code "iN"} encodes to the
 * unit vector of axis {@code N mod 2} scaled by the chunk length; h_U^0 is the running mean;
 * clusters follow MacQueen; every layer is a plain sum. The model-runtime tests cover the real
 * math; integration tests use a real trained model.
 */
final class ArithmeticModel implements StreamingModel {
  static final int DIM = 2;
  static final float[][] CENTROIDS = {{1, 0}, {0, 1}};

  private final String version;
  private final int axisShift;
  private long unknown;
  private int forwardPasses;

  ArithmeticModel() {
    this("arith-1", 0);
  }

  private ArithmeticModel(String version, int axisShift) {
    this.version = version;
    this.axisShift = axisShift;
  }

  static Factory factory() {
    return factory("arith-1");
  }

  /**
   * A model of another version: "arith-1" encodes item iN on axis N mod 2, any other version on
   * axis (N + 1) mod 2, so an upgrade changes every vector.
   */
  static Factory factory(String version) {
    return new Factory() {
      private static final long serialVersionUID = 1L;

      @Override
      public StreamingModel open(List<String> gpuIndicesOfTask) {
        return new ArithmeticModel(version, version.equals("arith-1") ? 0 : 1);
      }

      @Override
      public int checkedChunkSize(java.util.Optional<Integer> jobChunkSize) {
        return jobChunkSize.orElse(2);
      }
    };
  }

  int forwardPasses() {
    return forwardPasses;
  }

  @Override
  public String modelVersion() {
    return version;
  }

  @Override
  public String device() {
    return "cpu";
  }

  @Override
  public int dimension() {
    return DIM;
  }

  @Override
  public int clusterCount() {
    return CENTROIDS.length;
  }

  @Override
  public float[][] encode(List<List<String>> chunks) {
    forwardPasses++;
    float[][] out = new float[chunks.size()][DIM];
    for (int c = 0; c < chunks.size(); c++) {
      for (String item : chunks.get(c)) {
        if (!item.startsWith("i")) {
          unknown++;
          continue;
        }
        out[c][(Integer.parseInt(item.substring(1)) + axisShift) % DIM] +=
            1f / chunks.get(c).size();
      }
    }
    return out;
  }

  @Override
  public long unknownItems() {
    return unknown;
  }

  @Override
  public int[] nearestClusters(float[][] embeddings, float[][] centroids) {
    int[] out = new int[embeddings.length];
    for (int i = 0; i < embeddings.length; i++) {
      double best = Double.MAX_VALUE;
      for (int j = 0; j < centroids.length; j++) {
        double d = 0;
        for (int k = 0; k < DIM; k++) {
          double x = embeddings[i][k] - centroids[j][k];
          d += x * x;
        }
        if (d < best) {
          best = d;
          out[i] = j;
        }
      }
    }
    return out;
  }

  @Override
  public float[] userInputAfterChunk(float[] hU0, long chunksBefore, float[] s) {
    return hU0 == null ? s.clone() : macQueen(hU0, chunksBefore, s);
  }

  @Override
  public float[] centroidAfterChunk(float[] centroid, long sizeBefore, float[] s) {
    return macQueen(centroid, sizeBefore, s);
  }

  private static float[] macQueen(float[] mean, long n, float[] s) {
    float[] out = new float[mean.length];
    for (int k = 0; k < out.length; k++) {
      out[k] = mean[k] + (s[k] - mean[k]) / (n + 1);
    }
    return out;
  }

  @Override
  public float[] clusterUserSumDelta(float[] oldHU0, int oldWeight, float[] newHU0, int newWeight) {
    float[] out = new float[newHU0.length];
    for (int k = 0; k < out.length; k++) {
      out[k] = newHU0[k] - (oldHU0 == null ? 0 : oldHU0[k]);
    }
    return out;
  }

  @Override
  public float[] clusterHidden(float[] centroid, float[] userSum, long size) {
    return Vectors.plus(centroid, userSum);
  }

  @Override
  public float[] userHidden(float[] hU0, int[] clusterIds, int[] edgeWeights, float[][] centroids) {
    float[] out = hU0.clone();
    for (float[] c : centroids) {
      out = Vectors.plus(out, c);
    }
    return out;
  }

  @Override
  public float[] userLongTerm(float[] hU1, int[] edgeWeights, float[][] clusterHidden) {
    float[] out = hU1.clone();
    for (float[] h : clusterHidden) {
      out = Vectors.plus(out, h);
    }
    return out;
  }

  @Override
  public ClusterNode initialCluster(int id) {
    return new ClusterNode(CENTROIDS[id].clone(), 10, new float[DIM], CENTROIDS[id].clone());
  }

  @Override
  public void close() {}
}
