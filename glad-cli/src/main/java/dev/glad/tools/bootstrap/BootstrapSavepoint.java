package dev.glad.tools.bootstrap;

import dev.glad.flink.chunk.ChunkAssembler;
import dev.glad.flink.job.GladJob;
import dev.glad.flink.memory.ClusterMemoryOperator;
import dev.glad.flink.memory.StoredChunks;
import dev.glad.flink.memory.UserMemoryFunction;
import dev.glad.flink.state.UserState;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Writes a {@link MemoryBootstrap.Result} as a savepoint of the job with Flink's State Processor
 * API: each state under the uid and descriptor the job's own operator uses, so {@code ./glad job
 * --from-savepoint} (or {@code flink run -s}) continues from it. Operators without bootstrapped
 * state (sources, encoder) start empty, as in a fresh job.
 */
public final class BootstrapSavepoint {
  private BootstrapSavepoint() {}

  /**
   * @param maxParallelism the job's {@code max-parallelism}: key groups are fixed by it
   * @param parallelism tasks that write the state
   */
  public static void write(
      MemoryBootstrap.Result state, int maxParallelism, int parallelism, Path out)
      throws Exception {
    // a local MiniCluster from the command line; the surrounding cluster in a test
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(parallelism);
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    SavepointWriter writer =
        SavepointWriter.newSavepoint(env, new EmbeddedRocksDBStateBackend(), maxParallelism);
    if (!state.users().isEmpty()) {
      DataStream<BootstrappedUser> users =
          env.fromData(state.users(), TypeInformation.of(BootstrappedUser.class));
      writer.withOperator(
          OperatorIdentifier.forUid(GladJob.CHUNK_ASSEMBLER_UID),
          OperatorTransformation.bootstrapWith(users)
              .keyBy(u -> u.userId, Types.STRING)
              .transform(
                  new ValueStateWriter<>(
                      ChunkAssembler.openChunkDescriptor(), (BootstrappedUser u) -> u.openChunk)));
      List<BootstrappedUser> withMemory =
          state.users().stream().filter(u -> u.memory != null).toList();
      if (!withMemory.isEmpty()) {
        writer.withOperator(
            OperatorIdentifier.forUid(GladJob.USER_MEMORY_UID),
            OperatorTransformation.bootstrapWith(
                    env.fromData(withMemory, TypeInformation.of(BootstrappedUser.class)))
                .keyBy(u -> u.userId, Types.STRING)
                .transform(new UserMemoryWriter()));
      }
    }
    if (!state.clusters().isEmpty()) {
      writer.withOperator(
          OperatorIdentifier.forUid(GladJob.CLUSTER_MEMORY_UID),
          OperatorTransformation.bootstrapWith(
                  env.fromData(state.clusters(), TypeInformation.of(BootstrappedCluster.class)))
              .keyBy(c -> c.clusterId, Types.INT)
              .transform(
                  new ValueStateWriter<>(
                      ClusterMemoryOperator.stateDescriptor(),
                      (BootstrappedCluster c) -> c.state)));
    }
    writer.write(out.toUri().toString());
    env.execute("glad-bootstrap");
  }

  /** A user's node ({@code user-memory}) and stored chunks ({@code stored-chunks}). */
  private static final class UserMemoryWriter
      extends KeyedStateBootstrapFunction<String, BootstrappedUser> {
    private transient ValueState<UserState> memory;
    private transient ListState<List<String>> stored;

    @Override
    public void open(OpenContext context) {
      memory = getRuntimeContext().getState(UserMemoryFunction.userStateDescriptor());
      stored = getRuntimeContext().getListState(StoredChunks.descriptor());
    }

    @Override
    public void processElement(BootstrappedUser user, Context ctx) throws Exception {
      memory.update(user.memory);
      if (!user.storedChunks.isEmpty()) {
        stored.update(user.storedChunks);
      }
    }
  }

  /** Writes one value state per key: {@code valueOf} of the key's element. */
  private static final class ValueStateWriter<K, T, V> extends KeyedStateBootstrapFunction<K, T> {
    private final ValueStateDescriptor<V> descriptor;
    private final SerializableFunction<T, V> valueOf;
    private transient ValueState<V> state;

    ValueStateWriter(ValueStateDescriptor<V> descriptor, SerializableFunction<T, V> valueOf) {
      this.descriptor = descriptor;
      this.valueOf = valueOf;
    }

    @Override
    public void open(OpenContext context) {
      state = getRuntimeContext().getState(descriptor);
    }

    @Override
    public void processElement(T element, Context ctx) throws Exception {
      state.update(valueOf.apply(element));
    }
  }
}
