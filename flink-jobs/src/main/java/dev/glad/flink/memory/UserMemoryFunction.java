package dev.glad.flink.memory;

import dev.glad.flink.erasure.DeletionAudits;
import dev.glad.flink.erasure.Erasure;
import dev.glad.flink.erasure.SplitDeletions;
import dev.glad.flink.state.UserState;
import dev.glad.schemas.ClusterEdge;
import dev.glad.schemas.ClusterMemory;
import dev.glad.schemas.UserMemory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The user nodes of the graph memory, keyed by user id: each encoded chunk adds an edge (or weight)
 * to its cluster, updates h_U^0, and the user's refreshed {@link UserMemory} is emitted.
 * Cluster-side changes leave through {@link #CLUSTER_DELTAS} when cluster updates are on.
 *
 * <p>Keyed state {@code user-memory} ({@link UserState}, Avro): no TTL, on purpose — it is the
 * long-term memory itself. It keeps the item ids of the user's newest {@code storedChunks} chunks
 * ({@link StoredChunks}, keyed list state {@code stored-chunks}): a memory written by another model
 * version (its vectors are not comparable across models) is rebuilt from them under this model
 * ({@code userMemoriesUpgraded}) when the user's next chunk comes, or earlier in the background
 * ({@link UserMemoryOperator}); with nothing stored the user starts afresh ({@code
 * userMemoriesReset}). Broadcast state {@code user-cluster-updates} holds the cluster updates this
 * task has seen.
 *
 * <p>An {@link Erasure} (it comes after every chunk of the user emitted before it) removes the
 * user's state, sends each connected cluster a delta that takes the user's share out of its
 * user-side sum (when cluster updates are on), writes a tombstone for the user and reports the
 * erasure on {@link SplitDeletions#AUDITS}.
 *
 * <p>Metrics: {@code userMemoryUpdates}, {@code eventToEmitLatencyMs} (from the ingestion of the
 * chunk's last event to the emission of the memory), {@code userMemoriesReset}, {@code
 * usersErased}.
 */
public final class UserMemoryFunction
    extends KeyedBroadcastProcessFunction<
        String, EncodedOrErasure, ClusterMemory, UserMemoryOrTombstone> {
  private static final long serialVersionUID = 1L;

  public static final OutputTag<ClusterDelta> CLUSTER_DELTAS = new OutputTag<>("cluster-deltas") {};

  public static final MapStateDescriptor<Integer, ClusterMemory> CLUSTER_UPDATES =
      new MapStateDescriptor<>(
          "user-cluster-updates", Types.INT, new AvroTypeInfo<>(ClusterMemory.class));

  private final StreamingModel.Factory modelFactory;
  private final String runId;
  private final boolean clusterUpdates;
  private final int storedChunks;

  private transient StreamingModel model;
  private transient ClusterTable clusters;
  private transient boolean clustersRestored;
  private transient ValueState<UserState> userState;
  private transient ListState<List<String>> storedState;
  private transient Counter updates;
  private transient Counter resets;
  private transient Counter upgraded;

  private transient Counter erased;
  private transient Histogram latency;

  /**
   * Each user's node of the graph memory: the state savepoints carry, read the same way by tools
   * that read savepoints (State Processor API). Avro, so it evolves by adding fields with defaults.
   */
  public static ValueStateDescriptor<UserState> userStateDescriptor() {
    return new ValueStateDescriptor<>("user-memory", new AvroTypeInfo<>(UserState.class));
  }

  /**
   * @param clusterUpdates whether to emit cluster deltas; when false the clusters stay as the
   *     artifact holds them and every user's memory depends on their own chunks only
   * @param storedChunks item ids of each user's newest complete chunks kept for a rebuild under
   *     another model (0: none; an upgrade then starts the user afresh)
   */
  public UserMemoryFunction(
      StreamingModel.Factory modelFactory, String runId, boolean clusterUpdates, int storedChunks) {
    if (storedChunks < 0) {
      throw new IllegalArgumentException("storedChunks must be >= 0, got " + storedChunks);
    }
    this.modelFactory = modelFactory;
    this.runId = runId;
    this.clusterUpdates = clusterUpdates;
    this.storedChunks = storedChunks;
  }

  @Override
  public void open(OpenContext openContext) {
    model = modelFactory.openOnCpu();
    clusters = new ClusterTable(model, runId);
    userState = getRuntimeContext().getState(userStateDescriptor());
    storedState = getRuntimeContext().getListState(StoredChunks.descriptor());
    var metrics = getRuntimeContext().getMetricGroup();
    updates = metrics.counter("userMemoryUpdates");
    resets = metrics.counter("userMemoriesReset");
    upgraded = metrics.counter("userMemoriesUpgraded");
    erased = metrics.counter("usersErased");
    latency = metrics.histogram("eventToEmitLatencyMs", new DescriptiveStatisticsHistogram(10_000));
  }

  @Override
  public void processBroadcastElement(
      ClusterMemory update, Context ctx, Collector<UserMemoryOrTombstone> out) throws Exception {
    restoreClusters(ctx.getBroadcastState(CLUSTER_UPDATES));
    if (clusters.apply(update)) {
      ctx.getBroadcastState(CLUSTER_UPDATES).put(update.getClusterId(), update);
    }
  }

  @Override
  public void processElement(
      EncodedOrErasure in, ReadOnlyContext ctx, Collector<UserMemoryOrTombstone> out)
      throws Exception {
    if (in.isChunk()) {
      update(in.chunk, ctx, out);
    } else {
      erase(in.erasure, ctx, out);
    }
  }

  private void erase(Erasure erasure, ReadOnlyContext ctx, Collector<UserMemoryOrTombstone> out)
      throws Exception {
    UserState state = userState.value();
    long memoryChunks = 0;
    int edges = 0;
    if (state != null) {
      memoryChunks = state.getChunkCount();
      edges = state.getClusterIds().size();
      // a memory of another model version fed clusters that this version's nodes no longer hold
      if (clusterUpdates && state.getModelVersion().equals(model.modelVersion())) {
        for (ClusterDelta delta :
            UserMemoryUpdate.removal(
                model,
                erasure.userId,
                state.getSequenceNumber(),
                toInts(state.getClusterIds()),
                toInts(state.getEdgeWeights()),
                Vectors.toArray(state.getHU0()))) {
          ctx.output(CLUSTER_DELTAS, delta);
        }
      }
      userState.clear();
      storedState.clear();
    }
    out.collect(UserMemoryOrTombstone.tombstone(erasure.userId));
    ctx.output(
        SplitDeletions.AUDITS,
        DeletionAudits.erased(
            erasure, memoryChunks, edges, clusterUpdates, ctx.currentProcessingTime()));
    erased.inc();
  }

  private void update(EncodedChunk chunk, ReadOnlyContext ctx, Collector<UserMemoryOrTombstone> out)
      throws Exception {
    restoreClusters(ctx.getBroadcastState(CLUSTER_UPDATES));
    long now = ctx.currentProcessingTime();
    String userId = ctx.getCurrentKey();
    UserState state = userState.value();
    // the sequence number counts the user's updates (the first is 1) and survives a model
    // upgrade: consumers keep the highest one they saw
    long sequenceBefore = state == null ? 0 : state.getSequenceNumber();
    if (state != null && !state.getModelVersion().equals(model.modelVersion())) {
      state = upgrade(userId, state, now, out, d -> ctx.output(CLUSTER_DELTAS, d));
      if (state != null) {
        sequenceBefore = state.getSequenceNumber();
      }
    }
    int[] ids = state == null ? new int[0] : toInts(state.getClusterIds());
    int[] weights = state == null ? new int[0] : toInts(state.getEdgeWeights());
    float[] hU0 = state == null ? null : Vectors.toArray(state.getHU0());
    long chunksBefore = state == null ? 0 : state.getChunkCount();

    UserMemoryUpdate update = UserMemoryUpdate.apply(model, ids, weights, hU0, chunksBefore, chunk);
    int stored = StoredChunks.append(storedState, state, chunk.itemIds, storedChunks);
    UserState next =
        UserState.newBuilder()
            .setModelVersion(model.modelVersion())
            .setChunkCount(chunksBefore + 1)
            .setClusterIds(toList(update.clusterIds()))
            .setEdgeWeights(toList(update.edgeWeights()))
            .setHU0(Vectors.toList(update.hU0()))
            .setShortTerm(Vectors.toList(chunk.embedding))
            .setLastEventTime(
                Math.max(
                    state == null ? Long.MIN_VALUE : state.getLastEventTime(), chunk.lastEventTime))
            .setSequenceNumber(sequenceBefore + 1)
            .setStoredChunks(List.of())
            .setStoredChunkCount(stored)
            .build();
    userState.update(next);
    emit(userId, next, now, out);
    if (clusterUpdates) {
      for (ClusterDelta delta : update.deltas()) {
        ctx.output(CLUSTER_DELTAS, delta);
      }
    }
    updates.inc();
    if (chunk.lastIngestTime > 0) {
      latency.update(Math.max(0, now - chunk.lastIngestTime));
    }
  }

  /** The version of the model this function runs (known once it is open). */
  String modelVersion() {
    return model.modelVersion();
  }

  /**
   * Whether the current key's memory was written by another model version (the background upgrade
   * of {@link UserMemoryOperator} rebuilds it).
   */
  boolean currentUserIsStale() throws Exception {
    UserState state = userState.value();
    return state != null && !state.getModelVersion().equals(model.modelVersion());
  }

  /**
   * Rebuilds the current key's memory under this model when another version wrote it and chunks are
   * stored (the background upgrade of {@link UserMemoryOperator}); returns whether it did. A user
   * with nothing stored keeps the old memory until a new chunk starts it afresh.
   */
  boolean upgradeCurrentUser(
      String userId,
      ReadOnlyBroadcastState<Integer, ClusterMemory> clusterUpdatesSeen,
      long now,
      Collector<UserMemoryOrTombstone> out,
      Consumer<ClusterDelta> deltas)
      throws Exception {
    restoreClusters(clusterUpdatesSeen);
    UserState state = userState.value();
    if (state == null
        || state.getModelVersion().equals(model.modelVersion())
        || !StoredChunks.any(state)) {
      return false;
    }
    upgrade(userId, state, now, out, deltas);
    return true;
  }

  /**
   * The memory of another model version rebuilt under this one from the stored chunks and published
   * with the next sequence number; null when nothing is stored (the memory is dropped and the next
   * chunk starts it afresh, its sequence numbers continuing).
   */
  private UserState upgrade(
      String userId,
      UserState old,
      long now,
      Collector<UserMemoryOrTombstone> out,
      Consumer<ClusterDelta> deltas)
      throws Exception {
    List<List<String>> stored = StoredChunks.read(storedState, old, storedChunks);
    if (stored.isEmpty()) {
      resets.inc();
      userState.clear();
      storedState.clear();
      return null;
    }
    // what was rebuilt is what stays stored (this also moves a previous layout's chunks over)
    storedState.update(stored);
    UserMemoryUpdate.Rebuilt r =
        UserMemoryUpdate.rebuild(model, clusters, userId, old.getSequenceNumber() + 1, stored);
    UserState next =
        UserState.newBuilder(old)
            .setModelVersion(model.modelVersion())
            .setChunkCount(stored.size())
            .setClusterIds(toList(r.update().clusterIds()))
            .setEdgeWeights(toList(r.update().edgeWeights()))
            .setHU0(Vectors.toList(r.update().hU0()))
            .setShortTerm(Vectors.toList(r.shortTerm()))
            .setSequenceNumber(old.getSequenceNumber() + 1)
            .setStoredChunks(List.of())
            .setStoredChunkCount(stored.size())
            .build();
    userState.update(next);
    emit(userId, next, now, out);
    if (clusterUpdates) {
      r.update().deltas().forEach(deltas);
    }
    upgraded.inc();
    return next;
  }

  /** Publishes the user's memory: h_U^1 and the target-free long-term vector from the state. */
  private void emit(
      String userId, UserState state, long now, Collector<UserMemoryOrTombstone> out) {
    int[] ids = toInts(state.getClusterIds());
    int[] weights = toInts(state.getEdgeWeights());
    float[] hU1 =
        model.userHidden(Vectors.toArray(state.getHU0()), ids, weights, clusters.centroidsOf(ids));
    float[] longTerm = model.userLongTerm(hU1, weights, clusters.hiddenOf(ids));
    out.collect(UserMemoryOrTombstone.of(toRecord(userId, state, longTerm, now)));
  }

  private UserMemory toRecord(String userId, UserState state, float[] longTerm, long now) {
    List<ClusterEdge> edges = new ArrayList<>(state.getClusterIds().size());
    for (int i = 0; i < state.getClusterIds().size(); i++) {
      edges.add(new ClusterEdge(state.getClusterIds().get(i), state.getEdgeWeights().get(i)));
    }
    return UserMemory.newBuilder()
        .setUserId(userId)
        .setModelVersion(state.getModelVersion())
        .setEventTime(Instant.ofEpochMilli(state.getLastEventTime()))
        .setUpdateTime(Instant.ofEpochMilli(now))
        .setChunkCount(state.getChunkCount())
        .setClusters(edges)
        .setHU0(state.getHU0())
        .setLongTerm(Vectors.toList(longTerm))
        .setShortTerm(state.getShortTerm())
        .setSequenceNumber(state.getSequenceNumber())
        .build();
  }

  /** Broadcast state is not readable in open(): replay it into the table on first use. */
  void restoreClusters(ReadOnlyBroadcastState<Integer, ClusterMemory> restored) throws Exception {
    if (clustersRestored) {
      return;
    }
    clustersRestored = true;
    for (Map.Entry<Integer, ClusterMemory> e : restored.immutableEntries()) {
      clusters.restore(e.getValue());
    }
  }

  private static int[] toInts(List<Integer> values) {
    int[] out = new int[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  private static List<Integer> toList(int[] values) {
    List<Integer> out = new ArrayList<>(values.length);
    for (int v : values) {
      out.add(v);
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    if (model != null) {
      model.close();
    }
    super.close();
  }
}
