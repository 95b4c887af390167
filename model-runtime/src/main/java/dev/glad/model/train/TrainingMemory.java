package dev.glad.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.encoder.EngineArrays;
import dev.glad.model.encoder.SequenceEncoder;
import dev.glad.model.memory.ClusterNodes;
import dev.glad.model.memory.GladOptions;
import dev.glad.model.memory.GladVariant;
import dev.glad.model.memory.GraphMemoryMath;
import dev.glad.model.memory.KMeans;
import dev.glad.model.memory.OfflineMemoryBuilder;
import dev.glad.model.memory.UserEdges;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The graph memory over every complete training chunk, built with one encoder state, plus the
 * per-example views phase 2 trains on.
 *
 * <p>Train/serve consistency: the view for a user's example with {@code m} complete chunks before
 * its target holds every other user's training chunks and only this user's first {@code m} chunks.
 * The user's later chunks (which may contain the target) are removed from the centroids and
 * user-sums of its clusters, so no part of the memory was computed from the target.
 */
public final class TrainingMemory {
  private final int chunkSize;
  private final float[][][] chunkEmbeddings;
  private final int[][] assignments;
  private final UserEdges[] finalEdges;
  private final float[][] centroids;
  private final long[] sizes;
  private final float[][] userSums;
  private final int[][] nodeChunks;

  private TrainingMemory(
      int chunkSize,
      float[][][] chunkEmbeddings,
      int[][] assignments,
      float[][] centroids,
      int[][] nodeChunks) {
    this.chunkSize = chunkSize;
    this.chunkEmbeddings = chunkEmbeddings;
    this.assignments = assignments;
    this.centroids = centroids;
    this.nodeChunks = nodeChunks;
    int k = centroids.length;
    int e = centroids[0].length;
    this.sizes = new long[k];
    this.userSums = new float[k][e];
    this.finalEdges = new UserEdges[chunkEmbeddings.length];
    for (int u = 0; u < chunkEmbeddings.length; u++) {
      UserEdges edges = UserEdges.replay(chunkEmbeddings[u], assignments[u], assignments[u].length);
      finalEdges[u] = edges;
      for (int i = 0; i < edges.clusterIds().length; i++) {
        int j = edges.clusterIds()[i];
        int w = edges.edgeWeights()[i];
        sizes[j] += w;
        for (int d = 0; d < e; d++) {
          userSums[j][d] += w * edges.hU0()[d];
        }
      }
    }
  }

  /**
   * Encodes every complete training chunk and builds the nodes: for clustered variants k-means++
   * and Lloyd iterations when {@code previousCentroids} is null, else one assignment to those
   * centroids and a recomputation of the means (the refresh after the encoder changed); for G one
   * node per unique chunk.
   */
  public static TrainingMemory build(
      SequenceEncoder encoder,
      LeaveOneOutSplit split,
      GladVariant variant,
      GladOptions options,
      int chunkSize,
      float[][] previousCentroids,
      long seed) {
    int users = split.userCount();
    List<int[]> rows = new ArrayList<>();
    int[] counts = new int[users];
    for (int u = 0; u < users; u++) {
      List<int[]> chunks = OfflineMemoryBuilder.completeChunks(split.trainingItems(u), chunkSize);
      counts[u] = chunks.size();
      rows.addAll(chunks);
    }
    if (rows.isEmpty()) {
      throw new IllegalArgumentException(
          "no user has a complete training chunk of " + chunkSize + " items; use a smaller chunk");
    }
    float[][] embeddings = OfflineMemoryBuilder.encodeAll(encoder, rows);
    int[] assignment;
    float[][] centroids;
    int[][] nodeChunks = null;
    if (variant.clustered()) {
      if (previousCentroids == null) {
        int k = (int) Math.max(1, Math.round(rows.size() / options.clusteringFactor()));
        KMeans.Result result = KMeans.fit(embeddings, k, options.kmeansIterations(), seed);
        assignment = result.assignment();
        centroids = result.centroids();
      } else {
        assignment = KMeans.nearest(embeddings, previousCentroids);
        centroids = KMeans.means(embeddings, assignment, previousCentroids);
      }
    } else {
      Map<IntBuffer, Integer> nodes = new HashMap<>();
      assignment = new int[rows.size()];
      List<int[]> unique = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        IntBuffer key = IntBuffer.wrap(rows.get(i));
        Integer id = nodes.get(key);
        if (id == null) {
          id = unique.size();
          nodes.put(key, id);
          unique.add(rows.get(i));
        }
        assignment[i] = id;
      }
      nodeChunks = unique.toArray(new int[0][]);
      float[][] zero = new float[unique.size()][embeddings[0].length];
      centroids = KMeans.means(embeddings, assignment, zero);
    }
    float[][][] perUser = new float[users][][];
    int[][] assigned = new int[users][];
    int offset = 0;
    for (int u = 0; u < users; u++) {
      perUser[u] = java.util.Arrays.copyOfRange(embeddings, offset, offset + counts[u]);
      assigned[u] = java.util.Arrays.copyOfRange(assignment, offset, offset + counts[u]);
      offset += counts[u];
    }
    return new TrainingMemory(chunkSize, perUser, assigned, centroids, nodeChunks);
  }

  /** K (nodes). */
  public int clusterCount() {
    return centroids.length;
  }

  /** Complete training chunks in the memory. */
  public long chunkCount() {
    long n = 0;
    for (long s : sizes) {
      n += s;
    }
    return n;
  }

  public float[][] centroids() {
    return centroids;
  }

  /** Users with at least one chunk. */
  public int usersWithMemory() {
    int n = 0;
    for (int[] a : assignments) {
      n += a.length > 0 ? 1 : 0;
    }
    return n;
  }

  /** The artifact state of this memory: the cluster arrays plus h_CE^1 under {@code math}. */
  public ClusterNodes clusterState(GraphMemoryMath math) {
    float[][] hidden = new float[centroids.length][];
    for (int j = 0; j < hidden.length; j++) {
      hidden[j] = math.clusterHidden(centroids[j], userSums[j], sizes[j]);
    }
    return new ClusterNodes(centroids, sizes, userSums, hidden, nodeChunks);
  }

  /** The user's chunks (embeddings, time order). */
  float[][] chunkEmbeddings(int user) {
    return chunkEmbeddings[user];
  }

  /** The node of each of the user's chunks (time order). */
  int[] assignments(int user) {
    return assignments[user];
  }

  /**
   * The memory of {@code user}'s example with {@code m} complete chunks before its target; null
   * when {@code m == 0}.
   */
  public Neighbours view(int user, int m) {
    if (m == 0) {
      return null;
    }
    float[][] mine = chunkEmbeddings[user];
    int[] assigned = assignments[user];
    UserEdges prefix = UserEdges.replay(mine, assigned, m);
    UserEdges full = finalEdges[user];
    int n = prefix.clusterIds().length;
    int e = centroids[0].length;
    float[][] viewCentroids = new float[n][];
    float[][] viewUserSums = new float[n][];
    long[] viewSizes = new long[n];
    for (int i = 0; i < n; i++) {
      int j = prefix.clusterIds()[i];
      int wPrefix = prefix.edgeWeights()[i];
      int wFull = full.weightOf(j);
      // Σ of this user's later chunks in j: to be removed from the centroid.
      double[] later = new double[e];
      for (int k = m; k < assigned.length; k++) {
        if (assigned[k] == j) {
          for (int d = 0; d < e; d++) {
            later[d] += mine[k][d];
          }
        }
      }
      long size = sizes[j] - (wFull - wPrefix);
      float[] centroid = new float[e];
      float[] userSum = new float[e];
      for (int d = 0; d < e; d++) {
        centroid[d] = (float) ((sizes[j] * (double) centroids[j][d] - later[d]) / size);
        userSum[d] = userSums[j][d] - wFull * full.hU0()[d] + wPrefix * prefix.hU0()[d];
      }
      viewCentroids[i] = centroid;
      viewUserSums[i] = userSum;
      viewSizes[i] = size;
    }
    return new Neighbours(
        prefix.hU0(),
        prefix.clusterIds(),
        prefix.edgeWeights(),
        viewCentroids,
        viewUserSums,
        viewSizes);
  }

  /**
   * Analysis only (the target leak): {@link #view} plus one more node whose centroid is {@code
   * leakedNode} (the target's item embedding), folded in as one more chunk of the user in a node of
   * its own (weight 1, size 1, user-sum = the user's h_U^0 with it). The evaluator builds the same
   * node ({@code OfflineMemoryBuilder.buildAll} with extra nodes).
   */
  public Neighbours viewWithLeakedNode(int user, int m, float[] leakedNode) {
    Neighbours base = view(user, m);
    int n = base == null ? 0 : base.clusterIds().length;
    float[] hU0 = GraphMemoryMath.runningMean(base == null ? null : base.hU0(), m, leakedNode);
    int[] ids = new int[n + 1];
    int[] weights = new int[n + 1];
    float[][] centroids = new float[n + 1][];
    float[][] sums = new float[n + 1][];
    long[] nodeSizes = new long[n + 1];
    for (int i = 0; i < n; i++) {
      ids[i] = base.clusterIds()[i];
      weights[i] = base.edgeWeights()[i];
      centroids[i] = base.centroids()[i];
      sums[i] = base.userSums()[i];
      nodeSizes[i] = base.sizes()[i];
    }
    ids[n] = -1;
    weights[n] = 1;
    centroids[n] = leakedNode;
    sums[n] = hU0;
    nodeSizes[n] = 1;
    return new Neighbours(hU0, ids, weights, centroids, sums, nodeSizes);
  }

  /** Chunk size c. */
  public int chunkSize() {
    return chunkSize;
  }

  /**
   * One example's memory.
   *
   * @param hU0 the user's h_U^0 after its first m chunks
   * @param clusterIds the user's nodes
   * @param edgeWeights aligned weights
   * @param centroids node centroids without the user's later chunks
   * @param userSums node user-sums with the user's contribution as of m chunks
   * @param sizes node sizes without the user's later chunks
   */
  public record Neighbours(
      float[] hU0,
      int[] clusterIds,
      int[] edgeWeights,
      float[][] centroids,
      float[][] userSums,
      long[] sizes) {}

  /** N of {@link #tensors}: the largest neighbour count of {@code views}, at least 1. */
  static int paddedNodeCount(List<Neighbours> views) {
    int n = 1;
    for (var v : views) {
      n = Math.max(n, v == null ? 0 : v.clusterIds().length);
    }
    return n;
  }

  /**
   * Phase-2 inputs, padded to N = the largest neighbour count in the batch (at least 1; padded
   * slots have weight 0 and zero vectors): {@code [hasMemory (B,1), hU0, centroids, userSums,
   * sizes, weights]}.
   */
  public static NDArray[] tensors(List<Neighbours> views, int e, NDManager manager) {
    int b = views.size();
    int n = paddedNodeCount(views);
    float[] has = new float[b];
    float[] hU0 = new float[b * e];
    float[] centroids = new float[b * n * e];
    float[] userSums = new float[b * n * e];
    float[] sizes = new float[b * n];
    float[] weights = new float[b * n];
    for (int r = 0; r < b; r++) {
      var v = views.get(r);
      if (v == null) {
        continue;
      }
      has[r] = 1f;
      System.arraycopy(v.hU0(), 0, hU0, r * e, e);
      for (int j = 0; j < v.clusterIds().length; j++) {
        System.arraycopy(v.centroids()[j], 0, centroids, (r * n + j) * e, e);
        System.arraycopy(v.userSums()[j], 0, userSums, (r * n + j) * e, e);
        sizes[r * n + j] = v.sizes()[j];
        weights[r * n + j] = v.edgeWeights()[j];
      }
    }
    return new NDArray[] {
      EngineArrays.create(manager, has, new Shape(b, 1)),
      EngineArrays.create(manager, hU0, new Shape(b, e)),
      EngineArrays.create(manager, centroids, new Shape(b, n, e)),
      EngineArrays.create(manager, userSums, new Shape(b, n, e)),
      EngineArrays.create(manager, sizes, new Shape(b, n)),
      EngineArrays.create(manager, weights, new Shape(b, n))
    };
  }
}
