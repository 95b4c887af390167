package dev.glad.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glad.flink.chunk.ChunkAssembler;
import dev.glad.flink.job.GladJob;
import dev.glad.flink.memory.ClusterMemoryOperator;
import dev.glad.flink.state.ClusterState;
import dev.glad.flink.state.OpenChunk;
import dev.glad.flink.state.PendingEvent;
import dev.glad.flink.state.PendingEvents;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/** Reads the job's keyed state out of a savepoint with the State Processor API. */
final class SavepointStates {
  private SavepointStates() {}

  /** What {@code reader} makes of each key and its state in the operator {@code uid}. */
  static <K, T> List<T> read(Path savepoint, String uid, KeyedStateReaderFunction<K, T> reader)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    List<T> read = new ArrayList<>();
    SavepointReader.read(env, savepoint.toUri().toString(), new EmbeddedRocksDBStateBackend())
        .readKeyedState(OperatorIdentifier.forUid(uid), reader)
        .executeAndCollect()
        .forEachRemaining(read::add);
    return read;
  }

  /**
   * What the chunk assembler holds of one user; {@code pendingEvents} counts the waiting events of
   * both layouts, {@code layout1PendingEvents} those still in layout 1's map.
   */
  record Holding(
      String userId,
      int openChunkItems,
      int pendingEvents,
      int layout1PendingEvents,
      int seenEventIds) {}

  /** Every user the chunk assembler holds anything of (open chunk, pending events, event ids). */
  static List<Holding> assemblerHoldings(Path savepoint) throws Exception {
    return read(savepoint, GladJob.CHUNK_ASSEMBLER_UID, new AssemblerHoldings());
  }

  /** Every cluster node in the cluster-memory operator. */
  static Map<Integer, ClusterState> clusterStates(Path savepoint) throws Exception {
    Map<Integer, ClusterState> states = new HashMap<>();
    for (Map.Entry<Integer, ClusterState> e :
        read(savepoint, GladJob.CLUSTER_MEMORY_UID, new ClusterStates())) {
      assertThat(states.put(e.getKey(), e.getValue())).isNull();
    }
    return states;
  }

  private static final class AssemblerHoldings extends KeyedStateReaderFunction<String, Holding> {
    private transient ValueState<OpenChunk> openChunk;
    private transient ListState<PendingEvent> waiting;
    private transient MapState<Long, PendingEvents> pending;
    private transient MapState<String, Long> seen;

    @Override
    public void open(OpenContext context) {
      openChunk = getRuntimeContext().getState(ChunkAssembler.openChunkDescriptor());
      waiting = getRuntimeContext().getListState(ChunkAssembler.waitingDescriptor());
      pending = getRuntimeContext().getMapState(ChunkAssembler.pendingDescriptor());
      seen = getRuntimeContext().getMapState(ChunkAssembler.seenEventIdsDescriptor());
    }

    @Override
    public void readKey(String key, Context ctx, Collector<Holding> out) throws Exception {
      OpenChunk chunk = openChunk.value();
      int layout1 = 0;
      for (PendingEvents p : pending.values()) {
        layout1 += p.getEvents().size();
      }
      int inList = 0;
      for (PendingEvent ignored : waiting.get()) {
        inList++;
      }
      int ids = 0;
      for (String ignored : seen.keys()) {
        ids++;
      }
      out.collect(
          new Holding(
              key, chunk == null ? 0 : chunk.getItemIds().size(), inList + layout1, layout1, ids));
    }
  }

  private static final class ClusterStates
      extends KeyedStateReaderFunction<Integer, Map.Entry<Integer, ClusterState>> {
    private transient ValueState<ClusterState> state;

    @Override
    public void open(OpenContext context) {
      state = getRuntimeContext().getState(ClusterMemoryOperator.stateDescriptor());
    }

    @Override
    public void readKey(Integer key, Context ctx, Collector<Map.Entry<Integer, ClusterState>> out)
        throws Exception {
      out.collect(Map.entry(key, state.value()));
    }
  }
}
