package dev.glad.model.memory;

import dev.glad.model.encoder.SequenceEncoder;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The memory "as the stream would hold it" with cluster nodes frozen at a given state: for a user's
 * items in time order, the complete chunks are encoded, assigned to their nearest centroid (or, for
 * variant G, to the node of the identical chunk), folded into edges and h_U^0 by {@link
 * UserEdges#replay}, and passed through layer 1 and the target-free layer 2. The single definition
 * the evaluator and the stream-equality tests use; the phase-2 trainer folds its per-example
 * memories with the same {@link UserEdges#replay}.
 *
 * <p>Thread-confined (it uses the encoder).
 */
public final class OfflineMemoryBuilder {
  /** Chunks per encoder forward pass. */
  static final int ENCODE_BATCH = 1024;

  private final SequenceEncoder encoder;
  private final GraphMemoryMath math;
  private final ClusterNodes clusters;
  private final GladConfig config;
  private final Map<IntBuffer, Integer> nodeByChunk;

  /** A builder over frozen {@code clusters}. */
  public OfflineMemoryBuilder(
      SequenceEncoder encoder, GraphMemoryMath math, ClusterNodes clusters, GladConfig config) {
    if (!config.variant().hasMemory()) {
      throw new IllegalArgumentException(
          "variant " + config.variant().flag() + " has no memory to build");
    }
    this.encoder = encoder;
    this.math = math;
    this.clusters = clusters;
    this.config = config;
    if (config.variant().clustered()) {
      nodeByChunk = null;
    } else {
      nodeByChunk = new HashMap<>();
      for (int j = 0; j < clusters.nodeChunks().length; j++) {
        nodeByChunk.put(IntBuffer.wrap(clusters.nodeChunks()[j]), j);
      }
    }
  }

  /** The memory of one user after the complete chunks of {@code items}. */
  public UserGraphMemory build(int[] items) {
    return buildAll(List.of(items)).get(0);
  }

  /** {@link #build} for external item ids (unknown ids become UNK, as in the stream). */
  public UserGraphMemory buildFromItemIds(
      List<String> itemIds, dev.glad.model.data.ItemVocabulary vocabulary) {
    return build(vocabulary.indicesOf(itemIds));
  }

  /** {@link #build} for many users, encoding their chunks in shared batches. */
  public List<UserGraphMemory> buildAll(List<int[]> itemsPerUser) {
    return buildAll(itemsPerUser, null);
  }

  /**
   * {@link #buildAll(List)} where each user's memory also holds one more chunk embedding, {@code
   * extraNodes.get(u)}, after its own chunks and in a node of its own (like a chunk variant G never
   * saw). Analysis only: the target leak puts the target's item embedding there.
   *
   * @param extraNodesOrNull one embedding per user, or null for none
   */
  public List<UserGraphMemory> buildAll(List<int[]> itemsPerUser, List<float[]> extraNodesOrNull) {
    int c = config.chunkSize();
    List<int[]> chunkRows = new ArrayList<>();
    for (int[] items : itemsPerUser) {
      chunkRows.addAll(completeChunks(items, c));
    }
    float[][] embeddings = encodeAll(encoder, chunkRows);
    int[] nodes =
        config.variant().clustered()
            ? math.nearestClusters(embeddings, clusters.centroids())
            : null;
    List<UserGraphMemory> out = new ArrayList<>(itemsPerUser.size());
    int offset = 0;
    for (int u = 0; u < itemsPerUser.size(); u++) {
      int count = itemsPerUser.get(u).length / c;
      float[][] mine = Arrays.copyOfRange(embeddings, offset, offset + count);
      int[] assigned;
      if (nodes != null) {
        assigned = Arrays.copyOfRange(nodes, offset, offset + count);
      } else {
        assigned = new int[count];
        for (int m = 0; m < count; m++) {
          assigned[m] = nodeByChunk.getOrDefault(IntBuffer.wrap(chunkRows.get(offset + m)), -1);
        }
      }
      List<int[]> rows = chunkRows.subList(offset, offset + count);
      offset += count;
      if (extraNodesOrNull != null) {
        // the extra node: its own (ephemeral) node, keyed by a chunk no data holds
        mine = Arrays.copyOf(mine, count + 1);
        mine[count] = extraNodesOrNull.get(u);
        assigned = Arrays.copyOf(assigned, count + 1);
        assigned[count] = -1;
        rows = new ArrayList<>(rows);
        rows.add(new int[] {Integer.MIN_VALUE});
      }
      out.add(memoryOf(mine, assigned, rows));
    }
    return out;
  }

  private UserGraphMemory memoryOf(float[][] embeddings, int[] assigned, List<int[]> rows) {
    if (embeddings.length == 0) {
      return UserGraphMemory.empty();
    }
    // Variant G: a chunk never seen in training becomes a node of its own (ids K, K+1, ...),
    // identical new chunks of the user sharing one node.
    Map<IntBuffer, Integer> ephemeral = new HashMap<>();
    List<float[]> ephemeralEmbeddings = new ArrayList<>();
    for (int m = 0; m < assigned.length; m++) {
      if (assigned[m] < 0) {
        IntBuffer key = IntBuffer.wrap(rows.get(m));
        Integer id = ephemeral.get(key);
        if (id == null) {
          id = clusters.clusterCount() + ephemeral.size();
          ephemeral.put(key, id);
          ephemeralEmbeddings.add(embeddings[m]);
        }
        assigned[m] = id;
      }
    }
    UserEdges edges = UserEdges.replay(embeddings, assigned, assigned.length);
    int n = edges.clusterIds().length;
    float[][] centroids = new float[n][];
    float[][] hidden = new float[n][];
    for (int i = 0; i < n; i++) {
      int id = edges.clusterIds()[i];
      if (id < clusters.clusterCount()) {
        centroids[i] = clusters.centroids()[id];
        hidden[i] = clusters.hidden()[id];
      } else {
        // A new node holds only this user's copies of the chunk.
        int w = edges.edgeWeights()[i];
        centroids[i] = ephemeralEmbeddings.get(id - clusters.clusterCount());
        float[] userSum = math.clusterUserSumDelta(null, 0, edges.hU0(), w);
        hidden[i] = math.clusterHidden(centroids[i], userSum, w);
      }
    }
    float[] hU1 = math.userHidden(edges.hU0(), edges.clusterIds(), edges.edgeWeights(), centroids);
    float[] longTerm = math.userLongTerm(hU1, edges.edgeWeights(), hidden);
    return new UserGraphMemory(
        edges.clusterIds(),
        edges.edgeWeights(),
        edges.hU0(),
        edges.chunkCount(),
        hU1,
        longTerm,
        hidden,
        embeddings[embeddings.length - 1]);
  }

  /** The item embedding h_T of a vocabulary index. */
  public float[] itemEmbedding(int itemIndex) {
    return math.itemEmbedding(itemIndex);
  }

  /** The complete chunks of {@code items}: consecutive runs of {@code c}, the open tail dropped. */
  public static List<int[]> completeChunks(int[] items, int c) {
    List<int[]> chunks = new ArrayList<>(items.length / c);
    for (int start = 0; start + c <= items.length; start += c) {
      chunks.add(Arrays.copyOfRange(items, start, start + c));
    }
    return chunks;
  }

  /** Encodes rows in batches of {@link #ENCODE_BATCH}. */
  public static float[][] encodeAll(SequenceEncoder encoder, List<int[]> rows) {
    float[][] out = new float[rows.size()][];
    for (int start = 0; start < rows.size(); start += ENCODE_BATCH) {
      int end = Math.min(rows.size(), start + ENCODE_BATCH);
      float[][] part = encoder.encodeBatch(rows.subList(start, end).toArray(new int[0][]));
      System.arraycopy(part, 0, out, start, part.length);
    }
    return out;
  }
}
