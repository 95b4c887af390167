package dev.glad.flink.job;

import static dev.glad.flink.job.GladJobOptions.ALLOWED_LATENESS;
import static dev.glad.flink.job.GladJobOptions.BOUNDED;
import static dev.glad.flink.job.GladJobOptions.CHECKPOINT_DIR;
import static dev.glad.flink.job.GladJobOptions.CHECKPOINT_INTERVAL;
import static dev.glad.flink.job.GladJobOptions.CHUNK_SIZE;
import static dev.glad.flink.job.GladJobOptions.CLUSTER_PUBLISH_INTERVAL;
import static dev.glad.flink.job.GladJobOptions.CLUSTER_UPDATES;
import static dev.glad.flink.job.GladJobOptions.DEDUPE_WINDOW;
import static dev.glad.flink.job.GladJobOptions.ENCODER_BATCH_SIZE;
import static dev.glad.flink.job.GladJobOptions.ENCODER_MAX_WAIT;
import static dev.glad.flink.job.GladJobOptions.MAX_OUT_OF_ORDERNESS;
import static dev.glad.flink.job.GladJobOptions.MAX_PARALLELISM;
import static dev.glad.flink.job.GladJobOptions.PARALLELISM;
import static dev.glad.flink.job.GladJobOptions.RESTART_ATTEMPTS;
import static dev.glad.flink.job.GladJobOptions.RESTART_DELAY;
import static dev.glad.flink.job.GladJobOptions.SOURCE_IDLENESS;
import static dev.glad.flink.job.GladJobOptions.STORED_CHUNKS;

import dev.glad.flink.chunk.ChunkAssembler;
import dev.glad.flink.chunk.ChunkOrErasure;
import dev.glad.flink.erasure.DecodedDeletion;
import dev.glad.flink.erasure.DeletionAudits;
import dev.glad.flink.erasure.Erasure;
import dev.glad.flink.erasure.SplitDeletions;
import dev.glad.flink.ingest.DeadLetterCounter;
import dev.glad.flink.ingest.DeadLetters;
import dev.glad.flink.ingest.DecodedRecord;
import dev.glad.flink.ingest.IngestedEvent;
import dev.glad.flink.ingest.SplitDeadLetters;
import dev.glad.flink.memory.ChunkEncoderOperator;
import dev.glad.flink.memory.ClusterDelta;
import dev.glad.flink.memory.ClusterMemoryOperator;
import dev.glad.flink.memory.EncodedOrErasure;
import dev.glad.flink.memory.StreamingModel;
import dev.glad.flink.memory.UserMemoryFunction;
import dev.glad.flink.memory.UserMemoryOperator;
import dev.glad.flink.memory.UserMemoryOrTombstone;
import dev.glad.model.encoder.EncoderConfig;
import dev.glad.schemas.ClusterAssignment;
import dev.glad.schemas.ClusterMemory;
import dev.glad.schemas.CompletedChunk;
import dev.glad.schemas.DeadLetter;
import dev.glad.schemas.DeletionAudit;
import java.util.Objects;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * The GLAD streaming job as a factory over its sources and sinks, so tests run the real topology
 * with test I/O and {@link KafkaIo} wires the real Kafka topics.
 *
 * <pre>
 * interactions source (decodes; per-partition event-time watermarks)
 *   -> decode-split        --dead letters-->  dead-letter sink
 *   -> keyBy(userId)
 *   -> chunk-assembler     --dead letters-->  dead-letter sink
 *        ^ keyBy(userId) <- split-deletions <- user-deletions source  --rejected--> audit sink
 *   -> chunks and erasures, in one stream (the chunks optionally to their own sink)
 *   -> chunk-encoder       micro-batched encoding + nearest centroid; cluster updates broadcast in
 *   -> keyBy(userId)
 *   -> user-memory         edges, h_U^0, counters  --> UserMemory sink (erasures: tombstones)
 *                          --erasure audits--> audit sink
 *   -> keyBy(clusterId)    (cluster deltas, when cluster updates are on)
 *   -> cluster-memory      sequential k-means, user-side sums, h_CE^1  --> ClusterMemory sink
 *                          (read back by the cluster-feedback source and broadcast)
 * </pre>
 *
 * The memory stages are added when a model is configured ({@link Builder#memory}).
 *
 * <p>Erasure travels in band: the chunk assembler clears the user and passes the erasure on in its
 * chunk stream, so each later stage meets it after every chunk of the user emitted before it (one
 * Flink channel keeps its order), and the tombstone lands after the user's last memory.
 *
 * <p>Every stateful operator has a stable uid (the constants below): renaming one orphans its state
 * in existing savepoints.
 */
public final class GladJob {
  public static final String SOURCE_UID = "interactions-source";
  public static final String DELETIONS_SOURCE_UID = "user-deletions-source";
  public static final String SPLIT_DELETIONS_UID = "split-deletions";
  public static final String COMPLETED_CHUNKS_UID = "completed-chunks-of-stream";
  public static final String CHUNK_ONLY_AUDIT_UID = "erasure-audit-without-memory";
  public static final String DELETION_AUDIT_SINK_UID = "deletion-audit-sink";
  public static final String DECODE_SPLIT_UID = "decode-split";
  public static final String CHUNK_ASSEMBLER_UID = "chunk-assembler";
  public static final String DEAD_LETTER_COUNTER_UID = "dead-letter-counter";
  public static final String DEAD_LETTER_SINK_UID = "dead-letter-sink";
  public static final String COMPLETED_CHUNK_SINK_UID = "completed-chunk-sink";
  public static final String CLUSTER_FEEDBACK_SOURCE_UID = "cluster-feedback-source";
  public static final String NO_CLUSTER_FEEDBACK_UID = "no-cluster-feedback";
  public static final String CHUNK_ENCODER_UID = "chunk-encoder";
  public static final String USER_MEMORY_UID = "user-memory";
  public static final String CLUSTER_MEMORY_UID = "cluster-memory";
  public static final String USER_MEMORY_SINK_UID = "user-memory-sink";
  public static final String CLUSTER_MEMORY_SINK_UID = "cluster-memory-sink";
  public static final String CLUSTER_ASSIGNMENT_SINK_UID = "cluster-assignment-sink";

  private final GladJobSettings settings;
  private final Source<DecodedRecord, ?, ?> interactions;
  private final Source<DecodedDeletion, ?, ?> deletions;
  private final Sink<DeletionAudit> deletionAuditSink;
  private final Sink<DeadLetter> deadLetterSink;
  private final Sink<CompletedChunk> completedChunkSink;
  private final Memory memory;
  private final int chunkSize;
  private final String runId;

  private GladJob(Builder b, int chunkSize) {
    this.settings = b.settings;
    this.chunkSize = chunkSize;
    this.runId = b.runId != null ? b.runId : java.util.UUID.randomUUID().toString();
    this.interactions = b.interactions;
    this.deletions = b.deletions;
    this.deletionAuditSink = b.deletionAuditSink;
    this.deadLetterSink = b.deadLetterSink;
    this.completedChunkSink = b.completedChunkSink;
    this.memory = b.memory;
  }

  /**
   * The I/O of the memory stages.
   *
   * @param model opens the trained model on each task
   * @param clusterFeedback the cluster-memory topic read back (null when cluster updates are off)
   * @param userMemorySink where UserMemory records and the tombstones of erased users go
   * @param clusterMemorySink where ClusterMemory records go (null when cluster updates are off)
   * @param assignmentSink optional audit of every k-means step
   */
  public record Memory(
      StreamingModel.Factory model,
      Source<ClusterMemory, ?, ?> clusterFeedback,
      Sink<UserMemoryOrTombstone> userMemorySink,
      Sink<ClusterMemory> clusterMemorySink,
      Sink<ClusterAssignment> assignmentSink) {}

  public static Builder builder() {
    return new Builder();
  }

  /** The streams the topology produces, for tests; memory streams are null without a model. */
  public record Topology(
      DataStream<CompletedChunk> completedChunks,
      SingleOutputStreamOperator<UserMemoryOrTombstone> userMemory,
      DataStream<ClusterMemory> clusterMemory) {}

  /**
   * The id of this run of the job (one per submission: a fresh start or a restore), written into
   * every cluster-memory record; see {@link ClusterMemoryOperator}.
   */
  public String runId() {
    return runId;
  }

  /** c: the model's with a model, else the {@code chunk-size} setting or its default. */
  public int chunkSize() {
    return chunkSize;
  }

  /** Adds the job's operators to {@code env}. */
  public Topology addTo(StreamExecutionEnvironment env) {
    WatermarkStrategy<DecodedRecord> watermarks =
        WatermarkStrategy.<DecodedRecord>forBoundedOutOfOrderness(
                settings.get(MAX_OUT_OF_ORDERNESS))
            .withTimestampAssigner((record, kafkaTimestamp) -> record.eventTimeOrMin());
    if (!settings.get(BOUNDED)) {
      // Not for bounded runs: their input is all there, and Flink 2.2 drops the final MAX
      // watermark of a source subtask that is idle when its input ends (FLINK-40499), which
      // would leave the last events buffered and silently unchunked.
      watermarks = watermarks.withIdleness(settings.get(SOURCE_IDLENESS));
    }

    SingleOutputStreamOperator<IngestedEvent> events =
        env.fromSource(interactions, watermarks, "interactions")
            .uid(SOURCE_UID)
            .process(new SplitDeadLetters())
            .uid(DECODE_SPLIT_UID)
            .name("decode-split");

    SingleOutputStreamOperator<Erasure> erasures =
        env.fromSource(deletions, outsideEventTime(), "user-deletions")
            .uid(DELETIONS_SOURCE_UID)
            .process(new SplitDeletions())
            .uid(SPLIT_DELETIONS_UID)
            .name("split-deletions");

    SingleOutputStreamOperator<ChunkOrErasure> assembled =
        events
            .keyBy(e -> e.event.getUserId(), Types.STRING)
            .connect(erasures.keyBy(e -> e.userId, Types.STRING))
            .process(
                new ChunkAssembler(
                    chunkSize, settings.get(ALLOWED_LATENESS), settings.get(DEDUPE_WINDOW)),
                TypeInformation.of(ChunkOrErasure.class))
            .uid(CHUNK_ASSEMBLER_UID)
            .name("chunk-assembler");
    DataStream<CompletedChunk> chunks =
        assembled
            .flatMap(
                (ChunkOrErasure r, Collector<CompletedChunk> out) -> {
                  if (r.isChunk()) {
                    out.collect(r.chunk);
                  }
                })
            .returns(new AvroTypeInfo<>(CompletedChunk.class))
            .uid(COMPLETED_CHUNKS_UID)
            .name("completed-chunks-of-stream");

    events
        .getSideOutput(DeadLetters.TAG)
        .union(assembled.getSideOutput(DeadLetters.TAG))
        .map(new DeadLetterCounter())
        .returns(new AvroTypeInfo<>(DeadLetter.class))
        .uid(DEAD_LETTER_COUNTER_UID)
        .name("dead-letter-counter")
        .sinkTo(deadLetterSink)
        .uid(DEAD_LETTER_SINK_UID)
        .name("dead-letters");

    if (completedChunkSink != null) {
      chunks.sinkTo(completedChunkSink).uid(COMPLETED_CHUNK_SINK_UID).name("completed-chunks");
    }
    DataStream<DeletionAudit> audits = erasures.getSideOutput(SplitDeletions.AUDITS);
    Topology topology;
    if (memory == null) {
      // nothing after the assembler holds the user: its erasures are complete
      audits =
          audits.union(
              assembled
                  .flatMap(
                      (ChunkOrErasure r, Collector<DeletionAudit> out) -> {
                        if (!r.isChunk()) {
                          out.collect(
                              DeletionAudits.erased(
                                  r.erasure, 0, 0, false, System.currentTimeMillis()));
                        }
                      })
                  .returns(new AvroTypeInfo<>(DeletionAudit.class))
                  .uid(CHUNK_ONLY_AUDIT_UID)
                  .name("erasure-audit-without-memory"));
      topology = new Topology(chunks, null, null);
    } else {
      topology = addMemory(env, assembled, chunks);
      audits = audits.union(topology.userMemory().getSideOutput(SplitDeletions.AUDITS));
    }
    audits.sinkTo(deletionAuditSink).uid(DELETION_AUDIT_SINK_UID).name("deletion-audits");
    return topology;
  }

  /**
   * Deletion requests have no event time, and their input must never move the chunk assembler's
   * event-time clock (it takes the smaller watermark of its active inputs): the deletions source
   * declares itself idle at every periodic emit, so only the interactions move the clock. (At the
   * end of time it would instead become the clock whenever the interactions go idle, and every
   * later event would be too late.)
   */
  private static <T> WatermarkStrategy<T> outsideEventTime() {
    return context ->
        new WatermarkGenerator<>() {
          @Override
          public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {}

          @Override
          public void onPeriodicEmit(WatermarkOutput output) {
            output.markIdle();
          }
        };
  }

  private Topology addMemory(
      StreamExecutionEnvironment env,
      DataStream<ChunkOrErasure> assembled,
      DataStream<CompletedChunk> chunks) {
    TypeInformation<ClusterMemory> clusterType = new AvroTypeInfo<>(ClusterMemory.class);
    DataStream<ClusterMemory> feedback =
        settings.get(CLUSTER_UPDATES)
            ? env.fromSource(
                    memory.clusterFeedback(), WatermarkStrategy.noWatermarks(), "cluster-feedback")
                .uid(CLUSTER_FEEDBACK_SOURCE_UID)
            // frozen clusters: an input that never emits keeps the operators' shape the same
            : chunks
                .flatMap((CompletedChunk c, Collector<ClusterMemory> out) -> {})
                .returns(clusterType)
                .uid(NO_CLUSTER_FEEDBACK_UID)
                .name("no-cluster-feedback");

    SingleOutputStreamOperator<EncodedOrErasure> encoded =
        assembled
            .connect(feedback.broadcast())
            .transform(
                "chunk-encoder",
                TypeInformation.of(EncodedOrErasure.class),
                new ChunkEncoderOperator(
                    memory.model(),
                    runId,
                    settings.get(ENCODER_BATCH_SIZE),
                    settings.get(ENCODER_MAX_WAIT).toMillis()))
            .uid(CHUNK_ENCODER_UID);

    SingleOutputStreamOperator<UserMemoryOrTombstone> users =
        encoded
            .keyBy(EncodedOrErasure::userId, Types.STRING)
            .connect(feedback.broadcast())
            .transform(
                "user-memory",
                TypeInformation.of(UserMemoryOrTombstone.class),
                new UserMemoryOperator(
                    new UserMemoryFunction(
                        memory.model(),
                        runId,
                        settings.get(CLUSTER_UPDATES),
                        settings.get(STORED_CHUNKS))))
            .uid(USER_MEMORY_UID);
    users.sinkTo(memory.userMemorySink()).uid(USER_MEMORY_SINK_UID).name("user-memory-sink");

    if (!settings.get(CLUSTER_UPDATES)) {
      return new Topology(chunks, users, null);
    }
    SingleOutputStreamOperator<ClusterMemory> clusters =
        users
            .getSideOutput(UserMemoryFunction.CLUSTER_DELTAS)
            .keyBy((ClusterDelta d) -> d.clusterId, Types.INT)
            .transform(
                "cluster-memory",
                clusterType,
                new ClusterMemoryOperator(
                    memory.model(), runId, settings.get(CLUSTER_PUBLISH_INTERVAL).toMillis()))
            .uid(CLUSTER_MEMORY_UID);
    clusters
        .sinkTo(memory.clusterMemorySink())
        .uid(CLUSTER_MEMORY_SINK_UID)
        .name("cluster-memory-sink");
    if (memory.assignmentSink() != null) {
      clusters
          .getSideOutput(ClusterMemoryOperator.ASSIGNMENTS)
          .sinkTo(memory.assignmentSink())
          .uid(CLUSTER_ASSIGNMENT_SINK_UID)
          .name("cluster-assignments");
    }
    return new Topology(chunks, users, clusters);
  }

  /**
   * A MiniCluster environment with the job's configuration, for the launcher's local runs (demo,
   * bench, {@code ./glad job}).
   *
   * @param tmpDir Flink's spill and RocksDB working directory, or null for the system default
   */
  public static StreamExecutionEnvironment localEnvironment(
      GladJobSettings settings, int parallelism, java.nio.file.Path tmpDir) {
    Configuration conf = flinkConfiguration(settings);
    if (tmpDir != null) {
      conf.set(org.apache.flink.configuration.CoreOptions.TMP_DIRS, tmpDir.toString());
    }
    return StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
  }

  /**
   * The Flink configuration the job needs: RocksDB with incremental checkpoints, exactly-once
   * checkpointing, a bounded restart strategy, no silent Kryo fallback for our types.
   */
  public static Configuration flinkConfiguration(GladJobSettings settings) {
    Configuration conf = new Configuration();
    conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
    // declared here by key: flink-jobs does not depend on the RocksDB backend's classes
    conf.set(
        ConfigOptions.key("state.backend.rocksdb.timer-service.factory")
            .stringType()
            .noDefaultValue(),
        settings.get(GladJobOptions.TIMER_STORE).name());
    conf.set(
        ConfigOptions.key("state.backend.rocksdb.compression.per.level")
            .stringType()
            .noDefaultValue(),
        switch (settings.get(GladJobOptions.STATE_COMPRESSION)) {
          case NONE -> "NO_COMPRESSION";
          case SNAPPY -> "SNAPPY_COMPRESSION";
        });
    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, settings.get(CHECKPOINT_INTERVAL));
    conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
    conf.set(
        CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    if (settings.get(CHECKPOINT_DIR) != null) {
      conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, settings.get(CHECKPOINT_DIR));
    }
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(
        RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS,
        settings.get(RESTART_ATTEMPTS));
    conf.set(
        RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, settings.get(RESTART_DELAY));
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    conf.set(PipelineOptions.MAX_PARALLELISM, settings.get(MAX_PARALLELISM));
    if (settings.get(PARALLELISM) > 0) {
      conf.set(
          org.apache.flink.configuration.CoreOptions.DEFAULT_PARALLELISM,
          settings.get(PARALLELISM));
    }
    return conf;
  }

  /**
   * Validating builder: the sources, the dead-letter and deletion-audit sinks and the settings are
   * required.
   */
  public static final class Builder {
    private GladJobSettings settings;
    private Source<DecodedRecord, ?, ?> interactions;
    private Source<DecodedDeletion, ?, ?> deletions;
    private Sink<DeletionAudit> deletionAuditSink;
    private Sink<DeadLetter> deadLetterSink;
    private Sink<CompletedChunk> completedChunkSink;
    private Memory memory;
    private String runId;

    private Builder() {}

    /** Optional: the run id (default: a fresh random one per job built). */
    public Builder runId(String runId) {
      this.runId = runId;
      return this;
    }

    public Builder settings(GladJobSettings settings) {
      this.settings = settings;
      return this;
    }

    public Builder interactions(Source<DecodedRecord, ?, ?> source) {
      this.interactions = source;
      return this;
    }

    /** The requests to erase users ({@link dev.glad.schemas.UserDeletion}). */
    public Builder deletions(Source<DecodedDeletion, ?, ?> source) {
      this.deletions = source;
      return this;
    }

    /** Where the audit record of every deletion request goes. */
    public Builder deletionAuditSink(Sink<DeletionAudit> sink) {
      this.deletionAuditSink = sink;
      return this;
    }

    public Builder deadLetterSink(Sink<DeadLetter> sink) {
      this.deadLetterSink = sink;
      return this;
    }

    /** Optional: where completed chunks are written besides flowing to later stages. */
    public Builder completedChunkSink(Sink<CompletedChunk> sink) {
      this.completedChunkSink = sink;
      return this;
    }

    /** Adds the memory stages after the chunk assembler. */
    public Builder memory(Memory memory) {
      this.memory = memory;
      return this;
    }

    public GladJob build() {
      Objects.requireNonNull(settings, "settings must be set");
      Objects.requireNonNull(interactions, "interactions source must be set");
      Objects.requireNonNull(deadLetterSink, "dead-letter sink must be set");
      Objects.requireNonNull(deletions, "user-deletions source must be set");
      Objects.requireNonNull(deletionAuditSink, "deletion-audit sink must be set");
      if (memory != null) {
        Objects.requireNonNull(memory.model(), "memory: model must be set");
        Objects.requireNonNull(memory.userMemorySink(), "memory: user-memory sink must be set");
        if (settings.get(CLUSTER_UPDATES)) {
          Objects.requireNonNull(
              memory.clusterFeedback(),
              "memory: cluster-feedback source must be set when cluster updates are on");
          Objects.requireNonNull(
              memory.clusterMemorySink(),
              "memory: cluster-memory sink must be set when cluster updates are on");
        }
        // fail before submission, with the artifact's own message, not in a task later
        return new GladJob(this, memory.model().checkedChunkSize(settings.explicit(CHUNK_SIZE)));
      }
      return new GladJob(
          this, settings.explicit(CHUNK_SIZE).orElse(EncoderConfig.DEFAULT_CHUNK_SIZE));
    }
  }
}
