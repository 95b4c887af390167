package dev.glad.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.encoder.EngineArrays;
import dev.glad.model.encoder.TokenBatch;
import dev.glad.model.memory.OfflineMemoryBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Hypothesis (b) of issue 13: gradients into the memory's chunk embeddings within a step.
 *
 * <p>Phase 2 otherwise reads a memory encoded once per epoch, so its chunk embeddings are constants
 * and the encoder learns only through the short-term path. With this plan each example's {@code
 * recent} most recent memory chunks are re-encoded by the step's encoder, with gradients, and their
 * change since the epoch's encoding, {@code delta = fresh - stale}, is added wherever the memory
 * used them: h_U^0 (the mean of the user's m chunks) gains {@code delta / m}, the centroid of the
 * node a chunk is assigned to gains {@code delta / size}, and each of the user's nodes' user-sums
 * gains {@code weight x} the change of h_U^0. Assignments, sizes and the other users' chunks stay
 * as the epoch encoded them. At the start of an epoch {@code delta} is zero within float rounding,
 * so the values equal the frozen memory's and only the gradient differs.
 */
final class FreshMemoryChunks {
  private final int[][] chunkRows;
  private final float[] stale;
  private final float[] toUser;
  private final float[] toNode;
  private final int examples;
  private final int nodes;
  private final int hiddenSize;

  private FreshMemoryChunks(
      int[][] chunkRows,
      float[] stale,
      float[] toUser,
      float[] toNode,
      int examples,
      int nodes,
      int hiddenSize) {
    this.chunkRows = chunkRows;
    this.stale = stale;
    this.toUser = toUser;
    this.toNode = toNode;
    this.examples = examples;
    this.nodes = nodes;
    this.hiddenSize = hiddenSize;
  }

  /**
   * The plan of one step, or null when no example of the batch has a memory chunk.
   *
   * @param users each example's user
   * @param views each example's memory ({@link TrainingMemory#view}, null = none), in the order of
   *     {@link TrainingMemory#tensors}
   * @param recent how many of each example's most recent memory chunks are re-encoded
   */
  static FreshMemoryChunks plan(
      TrainingMemory memory,
      LeaveOneOutSplit split,
      int[] users,
      List<TrainingMemory.Neighbours> views,
      int recent) {
    int b = views.size();
    int n = TrainingMemory.paddedNodeCount(views);
    List<int[]> rows = new ArrayList<>();
    List<float[]> staleRows = new ArrayList<>();
    List<int[]> owners = new ArrayList<>(); // {example, node index in its view, m}
    for (int r = 0; r < b; r++) {
      TrainingMemory.Neighbours view = views.get(r);
      if (view == null) {
        continue;
      }
      int m = Arrays.stream(view.edgeWeights()).sum();
      // the chunks exactly as the memory cut them
      List<int[]> chunks =
          OfflineMemoryBuilder.completeChunks(split.trainingItems(users[r]), memory.chunkSize());
      float[][] embeddings = memory.chunkEmbeddings(users[r]);
      int[] assigned = memory.assignments(users[r]);
      for (int k = Math.max(0, m - recent); k < m; k++) {
        rows.add(chunks.get(k));
        staleRows.add(embeddings[k]);
        owners.add(new int[] {r, Arrays.binarySearch(view.clusterIds(), assigned[k]), m});
      }
    }
    if (rows.isEmpty()) {
      return null;
    }
    int q = rows.size();
    int e = staleRows.get(0).length;
    float[] stale = new float[q * e];
    float[] toUser = new float[b * q];
    float[] toNode = new float[b * n * q];
    for (int i = 0; i < q; i++) {
      System.arraycopy(staleRows.get(i), 0, stale, i * e, e);
      int r = owners.get(i)[0];
      int j = owners.get(i)[1];
      toUser[r * q + i] = 1f / owners.get(i)[2];
      toNode[(r * n + j) * q + i] = 1f / views.get(r).sizes()[j];
    }
    return new FreshMemoryChunks(rows.toArray(new int[0][]), stale, toUser, toNode, b, n, e);
  }

  /** Chunks re-encoded in this step. */
  int chunkCount() {
    return chunkRows.length;
  }

  /** The chunks' encoder input: right-aligned rows with the appended MASK, width {@link #width}. */
  long[] tokens(int maxLength) {
    return TokenBatch.rightAligned(chunkRows, width(maxLength), true);
  }

  int width(int maxLength) {
    return TokenBatch.width(chunkRows, true, maxLength);
  }

  /**
   * The memory tensors of {@link TrainingMemory#tensors} with h_U^0, the centroids and the
   * user-sums moved by the fresh chunk embeddings {@code fresh} (shape (Q, e), in the order of
   * {@link #tokens}); the other tensors are returned as they are.
   */
  NDArray[] apply(NDArray[] memoryTensors, NDArray fresh, NDManager manager) {
    int q = chunkRows.length;
    NDArray delta = fresh.sub(EngineArrays.create(manager, stale, new Shape(q, hiddenSize)));
    NDArray userShift =
        EngineArrays.create(manager, toUser, new Shape(examples, q)).matMul(delta); // (B, e)
    NDArray nodeShift =
        EngineArrays.create(manager, toNode, new Shape((long) examples * nodes, q))
            .matMul(delta)
            .reshape(examples, nodes, hiddenSize);
    NDArray weights = memoryTensors[5].expandDims(2); // (B, N, 1); padded nodes weigh 0
    NDArray[] out = memoryTensors.clone();
    out[1] = memoryTensors[1].add(userShift);
    out[2] = memoryTensors[2].add(nodeShift);
    out[3] = memoryTensors[3].add(weights.mul(userShift.expandDims(1)));
    return out;
  }
}
