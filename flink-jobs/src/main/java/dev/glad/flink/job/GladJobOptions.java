package dev.glad.flink.job;

import dev.glad.model.encoder.EncoderConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of the GLAD streaming job, declared once: key, type, default, description and rule.
 * On the command line a setting is {@code --key value}; in a map or properties file {@code
 * key=value}. Durations take {@code 500ms}, {@code 5s}, {@code 10m}, {@code 2h}, {@code 1d} or
 * ISO-8601 ({@code PT5S}). The README's table is {@link #markdownTable()} (a test keeps them
 * equal), and {@code ./glad job --help} lists the same.
 *
 * <p>Rules that involve two settings are in {@link GladJobSettings.Builder#build()}.
 */
public final class GladJobOptions {
  private GladJobOptions() {}

  /** Where a job without checkpoints to restore starts reading. */
  public enum StartingOffsets {
    EARLIEST,
    LATEST,
    COMMITTED_OR_EARLIEST
  }

  public static final JobSetting<String> BOOTSTRAP_SERVERS =
      JobSetting.text(
          "bootstrap-servers", null, "Kafka bootstrap servers (required for Kafka I/O)");

  public static final JobSetting<String> TOPIC_PREFIX =
      JobSetting.text("topic-prefix", "glad.", "prefix of every topic name", notNull());

  public static final JobSetting<Integer> CHUNK_SIZE =
      JobSetting.integer(
          "chunk-size",
          null,
          "c, items per chunk (2..512). With a model, c is the artifact's: leave it unset (a"
              + " different value is an error). Without a model: "
              + EncoderConfig.DEFAULT_CHUNK_SIZE
              + " unless set",
          between(2, 512));

  public static final JobSetting<String> EVENT_TYPES =
      JobSetting.text(
          "event-types",
          "CLICK,PURCHASE",
          "comma-separated event types the memory learns from; others are dead-lettered"
              + " UNSUPPORTED_EVENT_TYPE (known: "
              + String.join(",", eventTypeNames())
              + ")",
          v -> {
            List<String> bad =
                java.util.Arrays.stream(v.split(","))
                    .map(String::strip)
                    .filter(t -> !eventTypeNames().contains(t))
                    .toList();
            return bad.isEmpty() && !v.isBlank()
                ? Optional.empty()
                : Optional.of("must list event types of " + eventTypeNames() + ", got '" + v + "'");
          });

  public static final JobSetting<Integer> MAX_ID_LENGTH =
      JobSetting.integer(
          "max-id-length",
          256,
          "longest eventId, userId or itemId in characters; longer ones are dead-lettered"
              + " OVERSIZED_FIELD",
          between(1, 65_536));

  public static final JobSetting<Integer> MAX_ATTRIBUTE_BYTES =
      JobSetting.integer(
          "max-attribute-bytes",
          4096,
          "most UTF-8 bytes of an event's sessionId plus attribute keys and values; larger events"
              + " are dead-lettered OVERSIZED_FIELD",
          between(0, 1 << 20));

  public static final JobSetting<Duration> MAX_OUT_OF_ORDERNESS =
      JobSetting.duration(
          "max-out-of-orderness",
          Duration.ofSeconds(5),
          "events at most this much out of order are put in event-time order",
          nonNegative());

  public static final JobSetting<Duration> ALLOWED_LATENESS =
      JobSetting.duration(
          "allowed-lateness",
          Duration.ofMinutes(1),
          "later events up to this far behind the watermark are appended to the open chunk;"
              + " later ones are dead-lettered TOO_LATE",
          nonNegative());

  public static final JobSetting<Duration> DEDUPE_WINDOW =
      JobSetting.duration(
          "dedupe-window",
          Duration.ofMinutes(10),
          "event-time span over which duplicate event ids are detected; must be longer than"
              + " allowed-lateness",
          positive());

  public static final JobSetting<Duration> MAX_EVENT_TIME_AHEAD =
      JobSetting.duration(
          "max-event-time-ahead",
          Duration.ofHours(1),
          "events further ahead of processing time are INVALID_EVENT (they would push the"
              + " watermark)",
          positive());

  public static final JobSetting<Duration> SOURCE_IDLENESS =
      JobSetting.duration(
          "source-idleness",
          Duration.ofSeconds(30),
          "a partition without data this long stops holding back the watermark",
          positive());

  public static final JobSetting<Duration> CHECKPOINT_INTERVAL =
      JobSetting.duration(
          "checkpoint-interval",
          Duration.ofSeconds(10),
          "exactly-once output is committed at this rate",
          d ->
              d.toMillis() < 100
                  ? Optional.of("must be at least 100ms, got " + d)
                  : Optional.empty());

  /** Where the event-time timers (the chunk assembler's release and cleanup timers) live. */
  public enum TimerStore {
    /** In RocksDB with the keyed state (Flink's default for RocksDB): bounded heap. */
    ROCKSDB,
    /** On the heap, written whole into every checkpoint: no RocksDB access, heap ∝ timers. */
    HEAP
  }

  public static final JobSetting<TimerStore> TIMER_STORE =
      JobSetting.choice(
          "timer-store",
          TimerStore.class,
          TimerStore.ROCKSDB,
          "ROCKSDB or HEAP: where event-time timers live (Flink's"
              + " state.backend.rocksdb.timer-service.factory). HEAP keeps every pending timer on"
              + " the heap and in full in each checkpoint; it gained no throughput in the bench"
              + " (docs/BENCHMARKS.md). Switch it only through a savepoint");

  /** How RocksDB compresses the keyed state's files. */
  public enum StateCompression {
    /**
     * None: a lookup that reaches a file reads its block without decompressing it. The chunk
     * assembler's duplicate check misses in every file, so this is most of its RocksDB time.
     */
    NONE,
    /** Snappy (RocksDB's and Flink's default): about half the bytes, decompressed at every read. */
    SNAPPY
  }

  public static final JobSetting<StateCompression> STATE_COMPRESSION =
      JobSetting.choice(
          "state-compression",
          StateCompression.class,
          StateCompression.NONE,
          "NONE or SNAPPY: compression of RocksDB's state files (Flink's"
              + " state.backend.rocksdb.compression.per.level). NONE measured about a fifth less CPU per"
              + " event in the chunk assembler and about twice the checkpoint bytes"
              + " (docs/BENCHMARKS.md). Files keep the compression they were written with, so it"
              + " can change at any restart");

  public static final JobSetting<String> CHECKPOINT_DIR =
      JobSetting.text(
          "checkpoint-dir",
          null,
          "checkpoint storage URI, e.g. file:///data/ckpt or s3://...; default: a local temporary"
              + " directory");

  public static final JobSetting<Integer> PARALLELISM =
      JobSetting.integer(
          "parallelism",
          0,
          "operator parallelism; 0 = the environment's default",
          p ->
              p < 0
                  ? Optional.of("must be >= 1 (or 0 for the default), got " + p)
                  : Optional.empty());

  public static final JobSetting<Integer> MAX_PARALLELISM =
      JobSetting.integer(
          "max-parallelism",
          128,
          "key groups of the keyed state: the most the job can ever be rescaled to; fixed for the"
              + " life of its state (a savepoint restores only with the same value)",
          between(1, 32_768));

  public static final JobSetting<Integer> RESTART_ATTEMPTS =
      JobSetting.integer(
          "restart-attempts", 10, "fixed-delay restarts before the job fails", atLeast(0));

  public static final JobSetting<Duration> RESTART_DELAY =
      JobSetting.duration(
          "restart-delay", Duration.ofSeconds(5), "delay between restarts", nonNegative());

  public static final JobSetting<String> CONSUMER_GROUP =
      JobSetting.text(
          "consumer-group",
          "glad-memory",
          "Kafka consumer group (offsets are also in checkpoints)",
          notBlank("must not be empty"));

  public static final JobSetting<StartingOffsets> STARTING_OFFSETS =
      JobSetting.choice(
          "starting-offsets",
          StartingOffsets.class,
          StartingOffsets.COMMITTED_OR_EARLIEST,
          "EARLIEST, LATEST or COMMITTED_OR_EARLIEST, used when not restoring");

  public static final JobSetting<Boolean> BOUNDED =
      JobSetting.flag(
          "bounded",
          false,
          "stop at the offsets that are latest when the job starts (replays, tests)");

  public static final JobSetting<String> TRANSACTIONAL_ID_PREFIX =
      JobSetting.text(
          "transactional-id-prefix",
          "glad-memory",
          "prefix of the sinks' transactional ids; unique per job on a cluster",
          notBlank("must not be empty"));

  public static final JobSetting<Duration> TRANSACTION_TIMEOUT =
      JobSetting.duration(
          "transaction-timeout",
          Duration.ofMinutes(10),
          "Kafka transaction timeout; longer than checkpoint-interval, at most the broker's"
              + " transaction.max.timeout.ms (15 min by default)",
          d -> {
            if (d.isNegative() || d.isZero()) {
              return Optional.of("must be > 0, got " + d);
            }
            if (d.compareTo(Duration.ofMinutes(15)) > 0) {
              return Optional.of(
                  "("
                      + d
                      + ") must not exceed the broker default transaction.max.timeout.ms"
                      + " (PT15M)");
            }
            return Optional.empty();
          });

  public static final JobSetting<Boolean> EMIT_COMPLETED_CHUNKS =
      JobSetting.flag(
          "emit-completed-chunks", true, "also write CompletedChunk records to their topic");

  public static final JobSetting<String> MODEL_DIR =
      JobSetting.text(
          "model-dir",
          null,
          "GLAD model artifact directory, readable on every TaskManager; without it the job"
              + " stops after chunking",
          notBlank("must not be blank (leave it unset for none)"));

  public static final JobSetting<String> MODEL_VERSION =
      JobSetting.text(
          "model-version",
          null,
          "the artifact version every TaskManager must load (16 hex digits, config.json's"
              + " modelVersion); required when the client cannot read model-dir, checked against"
              + " it when it can",
          v ->
              v.matches("[0-9a-f]{16}")
                  ? Optional.empty()
                  : Optional.of("must be 16 lowercase hex digits, got '" + v + "'"));

  public static final JobSetting<String> DEVICE =
      JobSetting.text(
          "device",
          "auto",
          "encoder device: auto (the TaskManager's GPU when it declares the external resource"
              + " gpu), cpu, gpu, gpu:N; GPU requests fall back to the CPU with a logged reason",
          d ->
              d != null && d.strip().matches("auto|cpu|gpu|gpu:\\d+")
                  ? Optional.empty()
                  : Optional.of("must be auto, cpu, gpu or gpu:N, got '" + d + "'"));

  public static final JobSetting<Integer> ENCODER_BATCH_SIZE =
      JobSetting.integer(
          "encoder-batch-size", 64, "chunks per forward pass (1..4096)", between(1, 4096));

  public static final JobSetting<Integer> ENCODER_THREADS =
      JobSetting.integer(
          "encoder-threads",
          1,
          "PyTorch intra-op threads of each encoder subtask (1..256); a TaskManager runs an"
              + " encoder per slot, so slots x threads should not exceed its cores",
          between(1, 256));

  public static final JobSetting<Integer> STORED_CHUNKS =
      JobSetting.integer(
          "stored-chunks",
          100,
          "item ids of each user's newest complete chunks kept in the memory's state, so a model"
              + " upgrade rebuilds the memory under the new model (0..10000; 0: an upgrade starts"
              + " every user afresh)",
          between(0, 10_000));

  public static final JobSetting<Duration> ENCODER_MAX_WAIT =
      JobSetting.duration(
          "encoder-max-wait",
          Duration.ofMillis(50),
          "longest a chunk waits for its batch to fill",
          nonNegative());

  public static final JobSetting<Boolean> CLUSTER_UPDATES =
      JobSetting.flag(
          "cluster-updates",
          true,
          "sequential k-means and user-side sums move the clusters; false freezes them as the"
              + " artifact holds them");

  public static final JobSetting<Duration> CLUSTER_PUBLISH_INTERVAL =
      JobSetting.duration(
          "cluster-publish-interval",
          Duration.ofSeconds(1),
          "a changed cluster node is published (topic and feedback) at most once per interval;"
              + " every k-means step is still applied in order; 0 = after every change",
          nonNegative());

  public static final JobSetting<Boolean> EMIT_CLUSTER_ASSIGNMENTS =
      JobSetting.flag(
          "emit-cluster-assignments",
          false,
          "write every k-means step to the cluster-assignments topic (audit, staleness"
              + " measurement)");

  /** Every setting, in documentation order. */
  public static final List<JobSetting<?>> ALL =
      List.of(
          BOOTSTRAP_SERVERS,
          TOPIC_PREFIX,
          CHUNK_SIZE,
          EVENT_TYPES,
          MAX_ID_LENGTH,
          MAX_ATTRIBUTE_BYTES,
          MAX_OUT_OF_ORDERNESS,
          ALLOWED_LATENESS,
          DEDUPE_WINDOW,
          MAX_EVENT_TIME_AHEAD,
          SOURCE_IDLENESS,
          CHECKPOINT_INTERVAL,
          CHECKPOINT_DIR,
          TIMER_STORE,
          STATE_COMPRESSION,
          PARALLELISM,
          MAX_PARALLELISM,
          RESTART_ATTEMPTS,
          RESTART_DELAY,
          CONSUMER_GROUP,
          STARTING_OFFSETS,
          BOUNDED,
          TRANSACTIONAL_ID_PREFIX,
          TRANSACTION_TIMEOUT,
          EMIT_COMPLETED_CHUNKS,
          MODEL_DIR,
          MODEL_VERSION,
          DEVICE,
          ENCODER_BATCH_SIZE,
          ENCODER_MAX_WAIT,
          ENCODER_THREADS,
          STORED_CHUNKS,
          CLUSTER_UPDATES,
          CLUSTER_PUBLISH_INTERVAL,
          EMIT_CLUSTER_ASSIGNMENTS);

  /** The setting with this key, if any. */
  public static Optional<JobSetting<?>> byKey(String key) {
    return ALL.stream().filter(s -> s.key().equals(key)).findFirst();
  }

  /** The settings table of the README, generated from the declarations. */
  public static String markdownTable() {
    StringBuilder sb = new StringBuilder("| key | default | meaning |\n|---|---|---|\n");
    for (JobSetting<?> s : ALL) {
      sb.append("| `")
          .append(s.key())
          .append("` | ")
          .append(s.defaultText() == null ? "—" : "`" + s.defaultText() + "`")
          .append(" | ")
          .append(s.description())
          .append(" |\n");
    }
    return sb.toString();
  }

  /** The event types the job can be told to learn from. */
  static List<String> eventTypeNames() {
    return java.util.Arrays.stream(dev.glad.schemas.EventType.values()).map(Enum::name).toList();
  }

  /** The input rules the settings describe. */
  public static dev.glad.flink.ingest.InputRules inputRules(GladJobSettings s) {
    java.util.Set<dev.glad.schemas.EventType> types =
        java.util.EnumSet.noneOf(dev.glad.schemas.EventType.class);
    for (String t : s.get(EVENT_TYPES).split(",")) {
      types.add(dev.glad.schemas.EventType.valueOf(t.strip()));
    }
    return new dev.glad.flink.ingest.InputRules(
        types, s.get(MAX_ID_LENGTH), s.get(MAX_ATTRIBUTE_BYTES), s.get(MAX_EVENT_TIME_AHEAD));
  }

  // ---- rules

  private static <T> JobSetting.Rule<T> notNull() {
    return v -> v == null ? Optional.of("must not be null") : Optional.empty();
  }

  private static JobSetting.Rule<String> notBlank(String problem) {
    return v -> v == null || v.isBlank() ? Optional.of(problem) : Optional.empty();
  }

  private static JobSetting.Rule<Integer> between(int min, int max) {
    return v ->
        v < min || v > max
            ? Optional.of("must be between " + min + " and " + max + ", got " + v)
            : Optional.empty();
  }

  private static JobSetting.Rule<Integer> atLeast(int min) {
    return v -> v < min ? Optional.of("must be >= " + min + ", got " + v) : Optional.empty();
  }

  private static JobSetting.Rule<Duration> nonNegative() {
    return d -> d.isNegative() ? Optional.of("must be >= 0, got " + d) : Optional.empty();
  }

  private static JobSetting.Rule<Duration> positive() {
    return d ->
        d.isNegative() || d.isZero() ? Optional.of("must be > 0, got " + d) : Optional.empty();
  }
}
