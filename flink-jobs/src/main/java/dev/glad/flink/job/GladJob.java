package dev.glad.flink.job;

import dev.glad.flink.chunk.ChunkAssembler;
import dev.glad.flink.ingest.DeadLetterCounter;
import dev.glad.flink.ingest.DeadLetters;
import dev.glad.flink.ingest.DecodedRecord;
import dev.glad.flink.ingest.IngestedEvent;
import dev.glad.flink.ingest.SplitDeadLetters;
import dev.glad.schemas.CompletedChunk;
import dev.glad.schemas.DeadLetter;
import java.util.Objects;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
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

/**
 * The GLAD streaming job as a factory over its sources and sinks, so tests run the real topology
 * with test I/O and {@link KafkaIo} wires the real Kafka topics.
 *
 * <pre>
 * interactions source (decodes; per-partition event-time watermarks)
 *   -> decode-split        --dead letters-->  dead-letter sink
 *   -> keyBy(userId)
 *   -> chunk-assembler     --dead letters-->  dead-letter sink
 *   -> CompletedChunk stream (optionally its own sink; later stages attach here)
 * </pre>
 *
 * Every stateful operator has a stable uid (the constants below): renaming one orphans its state in
 * existing savepoints.
 */
public final class GladJob {
  public static final String SOURCE_UID = "interactions-source";
  public static final String DECODE_SPLIT_UID = "decode-split";
  public static final String CHUNK_ASSEMBLER_UID = "chunk-assembler";
  public static final String DEAD_LETTER_COUNTER_UID = "dead-letter-counter";
  public static final String DEAD_LETTER_SINK_UID = "dead-letter-sink";
  public static final String COMPLETED_CHUNK_SINK_UID = "completed-chunk-sink";

  private final GladJobSettings settings;
  private final Source<DecodedRecord, ?, ?> interactions;
  private final Sink<DeadLetter> deadLetterSink;
  private final Sink<CompletedChunk> completedChunkSink;

  private GladJob(Builder b) {
    this.settings = b.settings;
    this.interactions = b.interactions;
    this.deadLetterSink = b.deadLetterSink;
    this.completedChunkSink = b.completedChunkSink;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The streams the topology produces, for later stages and tests. */
  public record Topology(DataStream<CompletedChunk> completedChunks) {}

  /** Adds the job's operators to {@code env}. */
  public Topology addTo(StreamExecutionEnvironment env) {
    WatermarkStrategy<DecodedRecord> watermarks =
        WatermarkStrategy.<DecodedRecord>forBoundedOutOfOrderness(settings.maxOutOfOrderness())
            .withTimestampAssigner((record, kafkaTimestamp) -> record.eventTimeOrMin())
            .withIdleness(settings.sourceIdleness());

    SingleOutputStreamOperator<IngestedEvent> events =
        env.fromSource(interactions, watermarks, "interactions")
            .uid(SOURCE_UID)
            .process(new SplitDeadLetters())
            .uid(DECODE_SPLIT_UID)
            .name("decode-split");

    SingleOutputStreamOperator<CompletedChunk> chunks =
        events
            .keyBy(e -> e.event.getUserId(), Types.STRING)
            .process(
                new ChunkAssembler(
                    settings.chunkSize(), settings.allowedLateness(), settings.dedupeWindow()))
            .returns(new AvroTypeInfo<>(CompletedChunk.class))
            .uid(CHUNK_ASSEMBLER_UID)
            .name("chunk-assembler");

    events
        .getSideOutput(DeadLetters.TAG)
        .union(chunks.getSideOutput(DeadLetters.TAG))
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
    return new Topology(chunks);
  }

  /**
   * The Flink configuration the job needs: RocksDB with incremental checkpoints, exactly-once
   * checkpointing, a bounded restart strategy, no silent Kryo fallback for our types.
   */
  public static Configuration flinkConfiguration(GladJobSettings settings) {
    Configuration conf = new Configuration();
    conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, settings.checkpointInterval());
    conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
    conf.set(
        CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    if (settings.checkpointDir() != null) {
      conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, settings.checkpointDir());
    }
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(
        RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, settings.restartAttempts());
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, settings.restartDelay());
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    if (settings.parallelism() > 0) {
      conf.set(
          org.apache.flink.configuration.CoreOptions.DEFAULT_PARALLELISM, settings.parallelism());
    }
    return conf;
  }

  /** Validating builder: the source, the dead-letter sink and the settings are required. */
  public static final class Builder {
    private GladJobSettings settings;
    private Source<DecodedRecord, ?, ?> interactions;
    private Sink<DeadLetter> deadLetterSink;
    private Sink<CompletedChunk> completedChunkSink;

    private Builder() {}

    public Builder settings(GladJobSettings settings) {
      this.settings = settings;
      return this;
    }

    public Builder interactions(Source<DecodedRecord, ?, ?> source) {
      this.interactions = source;
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

    public GladJob build() {
      Objects.requireNonNull(settings, "settings must be set");
      Objects.requireNonNull(interactions, "interactions source must be set");
      Objects.requireNonNull(deadLetterSink, "dead-letter sink must be set");
      return new GladJob(this);
    }
  }
}
