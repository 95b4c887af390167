package dev.glad.tools.bootstrap;

import dev.glad.flink.chunk.ChunkBuilder;
import dev.glad.flink.memory.ClusterDelta;
import dev.glad.flink.memory.ClusterNodeState;
import dev.glad.flink.memory.EncodedChunk;
import dev.glad.flink.memory.StreamingModel;
import dev.glad.flink.memory.UserMemoryUpdate;
import dev.glad.flink.memory.Vectors;
import dev.glad.flink.state.OpenChunk;
import dev.glad.flink.state.UserState;
import dev.glad.model.data.UserSequences;
import dev.glad.tools.replay.DatasetReplay;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The job's state after a history, computed offline with the stream's own functions: each user's
 * items are cut into chunks of c as the chunk assembler cuts them, the complete chunks are encoded
 * in large batches, assigned to their nearest centroid and folded into the user's node by {@link
 * UserMemoryUpdate} in the user's order, and the incomplete tail becomes the open chunk.
 *
 * <p>With cluster updates on, chunks are assigned in the order they complete in event time (the
 * order the stream would see them, without its feedback delay), each assignment moves its centroid
 * by sequential k-means, and the cluster deltas build the user-side sums.
 *
 * <p>Event times are the ones {@code ./glad replay} gives the same history ({@link DatasetReplay}).
 */
public final class MemoryBootstrap {
  /** Chunks per forward pass. */
  static final int ENCODE_BATCH = 512;

  /** What the history leaves in the job. */
  public record Result(
      List<BootstrappedUser> users,
      List<BootstrappedCluster> clusters,
      long events,
      long completeChunks,
      long openChunkItems) {}

  private final StreamingModel model;
  private final int chunkSize;
  private final boolean clusterUpdates;
  private final int storedChunks;

  /**
   * @param chunkSize c of the model
   * @param clusterUpdates whether the job that continues runs with cluster updates
   * @param storedChunks the job's {@code stored-chunks}: each user's newest chunks kept
   */
  public MemoryBootstrap(
      StreamingModel model, int chunkSize, boolean clusterUpdates, int storedChunks) {
    this.model = model;
    this.chunkSize = chunkSize;
    this.clusterUpdates = clusterUpdates;
    this.storedChunks = storedChunks;
  }

  /** A complete chunk of one user, in the order the stream would complete it. */
  private record Chunk(
      int user, long sequence, List<String> items, long firstEventTime, long lastEventTime) {}

  public Result run(UserSequences data, long startMillis, long gapMillis, PrintStream progress) {
    long[][] times = DatasetReplay.eventTimes(data, startMillis, gapMillis);
    List<Chunk> chunks = new ArrayList<>();
    for (int u = 0; u < data.userCount(); u++) {
      List<String> items = data.items(u);
      for (int k = 0; (k + 1) * chunkSize <= items.size(); k++) {
        int from = k * chunkSize;
        int to = from + chunkSize;
        chunks.add(new Chunk(u, k, items.subList(from, to), times[u][from], times[u][to - 1]));
      }
    }
    chunks.sort(Comparator.comparingLong(Chunk::lastEventTime));
    float[][] embeddings = encode(chunks, progress);

    UserNode[] nodes = new UserNode[data.userCount()];
    Map<Integer, ClusterNodeState> clusterNodes = new LinkedHashMap<>();
    float[][] centroids = initialCentroids();
    for (int i = 0; i < chunks.size(); i++) {
      Chunk chunk = chunks.get(i);
      float[] s = embeddings[i];
      int j = model.nearestClusters(new float[][] {s}, centroids)[0];
      UserNode node = nodes[chunk.user()] != null ? nodes[chunk.user()] : new UserNode();
      nodes[chunk.user()] = node;
      ClusterNodeState cluster =
          clusterUpdates ? clusterNodes.computeIfAbsent(j, this::initial) : null;
      EncodedChunk encoded =
          new EncodedChunk(
              data.userId(chunk.user()),
              chunk.sequence(),
              s,
              j,
              cluster != null ? cluster.size() : model.initialCluster(j).size(),
              chunk.firstEventTime(),
              chunk.lastEventTime(),
              0);
      UserMemoryUpdate update =
          UserMemoryUpdate.apply(
              model, node.clusterIds, node.edgeWeights, node.hU0, node.chunks, encoded);
      node.clusterIds = update.clusterIds();
      node.edgeWeights = update.edgeWeights();
      node.hU0 = update.hU0();
      node.shortTerm = s;
      node.chunks++;
      node.stored.add(chunk.items());
      if (node.stored.size() > storedChunks) {
        node.stored.remove(0);
      }
      node.lastEventTime = Math.max(node.lastEventTime, chunk.lastEventTime());
      if (clusterUpdates) {
        for (ClusterDelta delta : update.deltas()) {
          ClusterNodeState c = clusterNodes.computeIfAbsent(delta.clusterId, this::initial);
          c.apply(model, delta);
          centroids[delta.clusterId] = c.centroid();
        }
      }
    }

    List<BootstrappedUser> users = new ArrayList<>(data.userCount());
    long open = 0;
    for (int u = 0; u < data.userCount(); u++) {
      List<String> items = data.items(u);
      if (items.isEmpty()) {
        continue;
      }
      int complete = items.size() / chunkSize;
      int tailFrom = complete * chunkSize;
      OpenChunk openChunk =
          new OpenChunk(
              (long) complete,
              new ArrayList<>(items.subList(tailFrom, items.size())),
              tailFrom < items.size() ? times[u][tailFrom] : 0L,
              tailFrom < items.size() ? times[u][items.size() - 1] : 0L,
              0L,
              null,
              ChunkBuilder.LAYOUT);
      open += items.size() - tailFrom;
      users.add(
          new BootstrappedUser(
              data.userId(u),
              openChunk,
              state(nodes[u]),
              nodes[u] == null ? List.of() : nodes[u].stored));
    }
    List<BootstrappedCluster> clusters = new ArrayList<>();
    clusterNodes.forEach(
        (j, c) -> clusters.add(new BootstrappedCluster(j, c.toState(model.modelVersion()))));
    return new Result(users, clusters, data.interactionCount(), chunks.size(), open);
  }

  private float[][] encode(List<Chunk> chunks, PrintStream progress) {
    float[][] out = new float[chunks.size()][];
    long started = System.nanoTime();
    long lastReport = started;
    for (int from = 0; from < chunks.size(); from += ENCODE_BATCH) {
      int to = Math.min(chunks.size(), from + ENCODE_BATCH);
      List<List<String>> batch = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        batch.add(chunks.get(i).items());
      }
      float[][] encoded = model.encode(batch);
      System.arraycopy(encoded, 0, out, from, encoded.length);
      long now = System.nanoTime();
      if (now - lastReport > 5_000_000_000L || to == chunks.size()) {
        lastReport = now;
        double seconds = (now - started) / 1e9;
        double rate = to / Math.max(seconds, 1e-9);
        progress.printf(
            "  encoded %,d / %,d chunks  %,.0f chunks/s  ETA %.0f s%n",
            to, chunks.size(), rate, (chunks.size() - to) / rate);
      }
    }
    return out;
  }

  private float[][] initialCentroids() {
    float[][] centroids = new float[model.clusterCount()][];
    for (int j = 0; j < centroids.length; j++) {
      centroids[j] = model.initialCluster(j).centroid();
    }
    return centroids;
  }

  private ClusterNodeState initial(int j) {
    return ClusterNodeState.initial(model, j);
  }

  private UserState state(UserNode node) {
    if (node == null) {
      return null;
    }
    return UserState.newBuilder()
        .setModelVersion(model.modelVersion())
        .setChunkCount(node.chunks)
        .setClusterIds(boxed(node.clusterIds))
        .setEdgeWeights(boxed(node.edgeWeights))
        .setHU0(Vectors.toList(node.hU0))
        .setShortTerm(Vectors.toList(node.shortTerm))
        .setLastEventTime(node.lastEventTime)
        // one memory update per chunk, as in the stream
        .setSequenceNumber(node.chunks)
        .setStoredChunkCount(node.stored.size())
        .build();
  }

  private static List<Integer> boxed(int[] values) {
    return Arrays.stream(values).boxed().toList();
  }

  private static final class UserNode {
    int[] clusterIds = new int[0];
    int[] edgeWeights = new int[0];
    float[] hU0;
    float[] shortTerm;
    long chunks;
    long lastEventTime = Long.MIN_VALUE;
    final List<List<String>> stored = new ArrayList<>();
  }
}
