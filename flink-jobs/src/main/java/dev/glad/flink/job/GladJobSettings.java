package dev.glad.flink.job;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Every setting of the GLAD streaming job: typed, validated in {@link Builder#build()} with exact
 * messages, with documented defaults. {@link #fromMap(Map)} reads them from {@code key=value} pairs
 * (command-line flags {@code --key value} or a properties file) using the keys below.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>bootstrap-servers</td><td>(none)</td><td>Kafka bootstrap servers; required for Kafka I/O</td></tr>
 *   <tr><td>topic-prefix</td><td>glad.</td><td>prefix of every topic name</td></tr>
 *   <tr><td>chunk-size</td><td>20</td><td>c: items per chunk (2..512)</td></tr>
 *   <tr><td>max-out-of-orderness</td><td>PT5S</td><td>events at most this much out of order are put in event-time order</td></tr>
 *   <tr><td>allowed-lateness</td><td>PT1M</td><td>later events up to this far behind the watermark are appended; later ones are dead-lettered TOO_LATE</td></tr>
 *   <tr><td>dedupe-window</td><td>PT10M</td><td>event-time span over which duplicate event ids are detected; longer than allowed-lateness</td></tr>
 *   <tr><td>max-event-time-ahead</td><td>PT1H</td><td>events further ahead of processing time are INVALID_EVENT (they would push the watermark)</td></tr>
 *   <tr><td>source-idleness</td><td>PT30S</td><td>a partition without data this long stops holding back the watermark</td></tr>
 *   <tr><td>checkpoint-interval</td><td>PT10S</td><td>exactly-once output is committed at this rate</td></tr>
 *   <tr><td>checkpoint-dir</td><td>(local temp dir)</td><td>checkpoint storage URI, e.g. file:///data/ckpt or s3://...</td></tr>
 *   <tr><td>parallelism</td><td>(environment default)</td><td>operator parallelism</td></tr>
 *   <tr><td>restart-attempts</td><td>10</td><td>fixed-delay restarts before the job fails</td></tr>
 *   <tr><td>restart-delay</td><td>PT5S</td><td>delay between restarts</td></tr>
 *   <tr><td>consumer-group</td><td>glad-memory</td><td>Kafka consumer group (offsets are also in checkpoints)</td></tr>
 *   <tr><td>starting-offsets</td><td>COMMITTED_OR_EARLIEST</td><td>EARLIEST, LATEST or COMMITTED_OR_EARLIEST, used when not restoring</td></tr>
 *   <tr><td>bounded</td><td>false</td><td>stop at the offsets that are latest when the job starts (replays, tests)</td></tr>
 *   <tr><td>transactional-id-prefix</td><td>glad-memory</td><td>prefix of the sinks' transactional ids; unique per job on a cluster</td></tr>
 *   <tr><td>transaction-timeout</td><td>PT10M</td><td>Kafka transaction timeout; below the broker's transaction.max.timeout.ms (15 min default)</td></tr>
 *   <tr><td>emit-completed-chunks</td><td>true</td><td>also write CompletedChunk records to their topic</td></tr>
 *   <tr><td>model-dir</td><td>(none)</td><td>model artifact directory, readable on every TaskManager; without it the job stops after chunking</td></tr>
 *   <tr><td>device</td><td>auto</td><td>encoder device: auto (the TaskManager's GPU if it declares external resource "gpu"), cpu, gpu, gpu:N</td></tr>
 *   <tr><td>encoder-batch-size</td><td>64</td><td>chunks per forward pass (1..4096)</td></tr>
 *   <tr><td>encoder-max-wait</td><td>PT0.05S</td><td>longest a chunk waits for its batch to fill</td></tr>
 *   <tr><td>cluster-updates</td><td>true</td><td>sequential k-means and user-side sums move the clusters; false freezes them at the artifact</td></tr>
 *   <tr><td>emit-cluster-assignments</td><td>false</td><td>write every k-means step to the cluster-assignments audit topic</td></tr>
 * </table>
 */
public final class GladJobSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String BOOTSTRAP_SERVERS = "bootstrap-servers";
  public static final String TOPIC_PREFIX = "topic-prefix";
  public static final String CHUNK_SIZE = "chunk-size";
  public static final String MAX_OUT_OF_ORDERNESS = "max-out-of-orderness";
  public static final String ALLOWED_LATENESS = "allowed-lateness";
  public static final String DEDUPE_WINDOW = "dedupe-window";
  public static final String MAX_EVENT_TIME_AHEAD = "max-event-time-ahead";
  public static final String SOURCE_IDLENESS = "source-idleness";
  public static final String CHECKPOINT_INTERVAL = "checkpoint-interval";
  public static final String CHECKPOINT_DIR = "checkpoint-dir";
  public static final String PARALLELISM = "parallelism";
  public static final String RESTART_ATTEMPTS = "restart-attempts";
  public static final String RESTART_DELAY = "restart-delay";
  public static final String CONSUMER_GROUP = "consumer-group";
  public static final String STARTING_OFFSETS = "starting-offsets";
  public static final String BOUNDED = "bounded";
  public static final String TRANSACTIONAL_ID_PREFIX = "transactional-id-prefix";
  public static final String TRANSACTION_TIMEOUT = "transaction-timeout";
  public static final String EMIT_COMPLETED_CHUNKS = "emit-completed-chunks";
  public static final String MODEL_DIR = "model-dir";
  public static final String DEVICE = "device";
  public static final String ENCODER_BATCH_SIZE = "encoder-batch-size";
  public static final String ENCODER_MAX_WAIT = "encoder-max-wait";
  public static final String CLUSTER_UPDATES = "cluster-updates";
  public static final String EMIT_CLUSTER_ASSIGNMENTS = "emit-cluster-assignments";

  /** Where a job without checkpoints to restore starts reading. */
  public enum StartingOffsets {
    EARLIEST,
    LATEST,
    COMMITTED_OR_EARLIEST
  }

  private final String bootstrapServers;
  private final String topicPrefix;
  private final int chunkSize;
  private final Duration maxOutOfOrderness;
  private final Duration allowedLateness;
  private final Duration dedupeWindow;
  private final Duration maxEventTimeAhead;
  private final Duration sourceIdleness;
  private final Duration checkpointInterval;
  private final String checkpointDir;
  private final int parallelism;
  private final int restartAttempts;
  private final Duration restartDelay;
  private final String consumerGroup;
  private final StartingOffsets startingOffsets;
  private final boolean bounded;
  private final String transactionalIdPrefix;
  private final Duration transactionTimeout;
  private final boolean emitCompletedChunks;
  private final String modelDir;
  private final String device;
  private final int encoderBatchSize;
  private final Duration encoderMaxWait;
  private final boolean clusterUpdates;
  private final boolean emitClusterAssignments;

  private GladJobSettings(Builder b) {
    this.bootstrapServers = b.bootstrapServers;
    this.topicPrefix = b.topicPrefix;
    this.chunkSize = b.chunkSize;
    this.maxOutOfOrderness = b.maxOutOfOrderness;
    this.allowedLateness = b.allowedLateness;
    this.dedupeWindow = b.dedupeWindow;
    this.maxEventTimeAhead = b.maxEventTimeAhead;
    this.sourceIdleness = b.sourceIdleness;
    this.checkpointInterval = b.checkpointInterval;
    this.checkpointDir = b.checkpointDir;
    this.parallelism = b.parallelism;
    this.restartAttempts = b.restartAttempts;
    this.restartDelay = b.restartDelay;
    this.consumerGroup = b.consumerGroup;
    this.startingOffsets = b.startingOffsets;
    this.bounded = b.bounded;
    this.transactionalIdPrefix = b.transactionalIdPrefix;
    this.transactionTimeout = b.transactionTimeout;
    this.emitCompletedChunks = b.emitCompletedChunks;
    this.modelDir = b.modelDir;
    this.device = b.device;
    this.encoderBatchSize = b.encoderBatchSize;
    this.encoderMaxWait = b.encoderMaxWait;
    this.clusterUpdates = b.clusterUpdates;
    this.emitClusterAssignments = b.emitClusterAssignments;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings, to derive variants. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Settings from {@code key -> value} pairs with the keys of this class; unknown keys are an error
   * (a typo must not silently fall back to a default).
   */
  public static GladJobSettings fromMap(Map<String, String> values) {
    Builder b = builder();
    Map<String, java.util.function.BiConsumer<Builder, String>> setters = setters();
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, String> e : values.entrySet()) {
      var setter = setters.get(e.getKey());
      if (setter == null) {
        unknown.add(e.getKey());
      } else {
        setter.accept(b, e.getValue());
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown setting(s) " + unknown + "; known: " + String.join(", ", setters.keySet()));
    }
    return b.build();
  }

  private static Map<String, java.util.function.BiConsumer<Builder, String>> setters() {
    Map<String, java.util.function.BiConsumer<Builder, String>> s = new LinkedHashMap<>();
    s.put(BOOTSTRAP_SERVERS, Builder::bootstrapServers);
    s.put(TOPIC_PREFIX, Builder::topicPrefix);
    s.put(CHUNK_SIZE, (b, v) -> b.chunkSize(parse(CHUNK_SIZE, v, Integer::parseInt)));
    s.put(MAX_OUT_OF_ORDERNESS, (b, v) -> b.maxOutOfOrderness(duration(MAX_OUT_OF_ORDERNESS, v)));
    s.put(ALLOWED_LATENESS, (b, v) -> b.allowedLateness(duration(ALLOWED_LATENESS, v)));
    s.put(DEDUPE_WINDOW, (b, v) -> b.dedupeWindow(duration(DEDUPE_WINDOW, v)));
    s.put(MAX_EVENT_TIME_AHEAD, (b, v) -> b.maxEventTimeAhead(duration(MAX_EVENT_TIME_AHEAD, v)));
    s.put(SOURCE_IDLENESS, (b, v) -> b.sourceIdleness(duration(SOURCE_IDLENESS, v)));
    s.put(CHECKPOINT_INTERVAL, (b, v) -> b.checkpointInterval(duration(CHECKPOINT_INTERVAL, v)));
    s.put(CHECKPOINT_DIR, Builder::checkpointDir);
    s.put(PARALLELISM, (b, v) -> b.parallelism(parse(PARALLELISM, v, Integer::parseInt)));
    s.put(
        RESTART_ATTEMPTS,
        (b, v) -> b.restartAttempts(parse(RESTART_ATTEMPTS, v, Integer::parseInt)));
    s.put(RESTART_DELAY, (b, v) -> b.restartDelay(duration(RESTART_DELAY, v)));
    s.put(CONSUMER_GROUP, Builder::consumerGroup);
    s.put(
        STARTING_OFFSETS,
        (b, v) -> b.startingOffsets(parse(STARTING_OFFSETS, v, StartingOffsets::valueOf)));
    s.put(BOUNDED, (b, v) -> b.bounded(parseBoolean(BOUNDED, v)));
    s.put(TRANSACTIONAL_ID_PREFIX, Builder::transactionalIdPrefix);
    s.put(TRANSACTION_TIMEOUT, (b, v) -> b.transactionTimeout(duration(TRANSACTION_TIMEOUT, v)));
    s.put(
        EMIT_COMPLETED_CHUNKS,
        (b, v) -> b.emitCompletedChunks(parseBoolean(EMIT_COMPLETED_CHUNKS, v)));
    s.put(MODEL_DIR, Builder::modelDir);
    s.put(DEVICE, Builder::device);
    s.put(
        ENCODER_BATCH_SIZE,
        (b, v) -> b.encoderBatchSize(parse(ENCODER_BATCH_SIZE, v, Integer::parseInt)));
    s.put(ENCODER_MAX_WAIT, (b, v) -> b.encoderMaxWait(duration(ENCODER_MAX_WAIT, v)));
    s.put(CLUSTER_UPDATES, (b, v) -> b.clusterUpdates(parseBoolean(CLUSTER_UPDATES, v)));
    s.put(
        EMIT_CLUSTER_ASSIGNMENTS,
        (b, v) -> b.emitClusterAssignments(parseBoolean(EMIT_CLUSTER_ASSIGNMENTS, v)));
    return s;
  }

  /** The keys {@link #fromMap} understands, in documentation order. */
  public static List<String> keys() {
    return List.copyOf(setters().keySet());
  }

  private static <T> T parse(String key, String value, Function<String, T> parser) {
    try {
      return parser.apply(value.strip());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(key + ": cannot parse '" + value + "'", e);
    }
  }

  private static boolean parseBoolean(String key, String value) {
    String v = value.strip().toLowerCase(java.util.Locale.ROOT);
    if (v.equals("true") || v.equals("false")) {
      return Boolean.parseBoolean(v);
    }
    throw new IllegalArgumentException(key + ": expected true or false, got '" + value + "'");
  }

  /**
   * ISO-8601 ({@code PT5S}) or a number with a unit: {@code 500ms}, {@code 5s}, {@code 10m}, {@code
   * 2h}.
   */
  static Duration duration(String key, String value) {
    String v = value.strip();
    try {
      if (v.startsWith("P") || v.startsWith("p")) {
        return Duration.parse(v);
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      switch (v.charAt(v.length() - 1)) {
        case 's':
          return Duration.ofSeconds(n);
        case 'm':
          return Duration.ofMinutes(n);
        case 'h':
          return Duration.ofHours(n);
        case 'd':
          return Duration.ofDays(n);
        default:
          break;
      }
    } catch (RuntimeException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException(
        key + ": cannot parse duration '" + value + "' (use e.g. 500ms, 5s, 10m, 2h or PT5S)");
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public String topicPrefix() {
    return topicPrefix;
  }

  public int chunkSize() {
    return chunkSize;
  }

  public Duration maxOutOfOrderness() {
    return maxOutOfOrderness;
  }

  public Duration allowedLateness() {
    return allowedLateness;
  }

  public Duration dedupeWindow() {
    return dedupeWindow;
  }

  public Duration maxEventTimeAhead() {
    return maxEventTimeAhead;
  }

  public Duration sourceIdleness() {
    return sourceIdleness;
  }

  public Duration checkpointInterval() {
    return checkpointInterval;
  }

  /** Checkpoint storage URI, or null for the local default. */
  public String checkpointDir() {
    return checkpointDir;
  }

  /** Operator parallelism, or 0 for the environment's default. */
  public int parallelism() {
    return parallelism;
  }

  public int restartAttempts() {
    return restartAttempts;
  }

  public Duration restartDelay() {
    return restartDelay;
  }

  public String consumerGroup() {
    return consumerGroup;
  }

  public StartingOffsets startingOffsets() {
    return startingOffsets;
  }

  public boolean bounded() {
    return bounded;
  }

  public String transactionalIdPrefix() {
    return transactionalIdPrefix;
  }

  public Duration transactionTimeout() {
    return transactionTimeout;
  }

  public boolean emitCompletedChunks() {
    return emitCompletedChunks;
  }

  /** Model artifact directory, or null when the job runs the chunking stage only. */
  public String modelDir() {
    return modelDir;
  }

  public String device() {
    return device;
  }

  public int encoderBatchSize() {
    return encoderBatchSize;
  }

  public Duration encoderMaxWait() {
    return encoderMaxWait;
  }

  public boolean clusterUpdates() {
    return clusterUpdates;
  }

  public boolean emitClusterAssignments() {
    return emitClusterAssignments;
  }

  @Override
  public String toString() {
    return "GladJobSettings{bootstrapServers="
        + bootstrapServers
        + ", topicPrefix="
        + topicPrefix
        + ", chunkSize="
        + chunkSize
        + ", maxOutOfOrderness="
        + maxOutOfOrderness
        + ", allowedLateness="
        + allowedLateness
        + ", dedupeWindow="
        + dedupeWindow
        + ", maxEventTimeAhead="
        + maxEventTimeAhead
        + ", sourceIdleness="
        + sourceIdleness
        + ", checkpointInterval="
        + checkpointInterval
        + ", checkpointDir="
        + checkpointDir
        + ", parallelism="
        + parallelism
        + ", restartAttempts="
        + restartAttempts
        + ", restartDelay="
        + restartDelay
        + ", consumerGroup="
        + consumerGroup
        + ", startingOffsets="
        + startingOffsets
        + ", bounded="
        + bounded
        + ", transactionalIdPrefix="
        + transactionalIdPrefix
        + ", transactionTimeout="
        + transactionTimeout
        + ", emitCompletedChunks="
        + emitCompletedChunks
        + ", modelDir="
        + modelDir
        + ", device="
        + device
        + ", encoderBatchSize="
        + encoderBatchSize
        + ", encoderMaxWait="
        + encoderMaxWait
        + ", clusterUpdates="
        + clusterUpdates
        + ", emitClusterAssignments="
        + emitClusterAssignments
        + "}";
  }

  /** Builder with the documented defaults; {@link #build()} validates everything. */
  public static final class Builder {
    private String bootstrapServers;
    private String topicPrefix = "glad.";
    private int chunkSize = 20;
    private Duration maxOutOfOrderness = Duration.ofSeconds(5);
    private Duration allowedLateness = Duration.ofMinutes(1);
    private Duration dedupeWindow = Duration.ofMinutes(10);
    private Duration maxEventTimeAhead = Duration.ofHours(1);
    private Duration sourceIdleness = Duration.ofSeconds(30);
    private Duration checkpointInterval = Duration.ofSeconds(10);
    private String checkpointDir;
    private int parallelism;
    private int restartAttempts = 10;
    private Duration restartDelay = Duration.ofSeconds(5);
    private String consumerGroup = "glad-memory";
    private StartingOffsets startingOffsets = StartingOffsets.COMMITTED_OR_EARLIEST;
    private boolean bounded;
    private String transactionalIdPrefix = "glad-memory";
    private Duration transactionTimeout = Duration.ofMinutes(10);
    private boolean emitCompletedChunks = true;
    private String modelDir;
    private String device = "auto";
    private int encoderBatchSize = 64;
    private Duration encoderMaxWait = Duration.ofMillis(50);
    private boolean clusterUpdates = true;
    private boolean emitClusterAssignments;

    private Builder() {}

    private Builder(GladJobSettings s) {
      bootstrapServers = s.bootstrapServers;
      topicPrefix = s.topicPrefix;
      chunkSize = s.chunkSize;
      maxOutOfOrderness = s.maxOutOfOrderness;
      allowedLateness = s.allowedLateness;
      dedupeWindow = s.dedupeWindow;
      maxEventTimeAhead = s.maxEventTimeAhead;
      sourceIdleness = s.sourceIdleness;
      checkpointInterval = s.checkpointInterval;
      checkpointDir = s.checkpointDir;
      parallelism = s.parallelism;
      restartAttempts = s.restartAttempts;
      restartDelay = s.restartDelay;
      consumerGroup = s.consumerGroup;
      startingOffsets = s.startingOffsets;
      bounded = s.bounded;
      transactionalIdPrefix = s.transactionalIdPrefix;
      transactionTimeout = s.transactionTimeout;
      emitCompletedChunks = s.emitCompletedChunks;
      modelDir = s.modelDir;
      device = s.device;
      encoderBatchSize = s.encoderBatchSize;
      encoderMaxWait = s.encoderMaxWait;
      clusterUpdates = s.clusterUpdates;
      emitClusterAssignments = s.emitClusterAssignments;
    }

    public Builder bootstrapServers(String v) {
      bootstrapServers = v;
      return this;
    }

    public Builder topicPrefix(String v) {
      topicPrefix = v;
      return this;
    }

    public Builder chunkSize(int v) {
      chunkSize = v;
      return this;
    }

    public Builder maxOutOfOrderness(Duration v) {
      maxOutOfOrderness = v;
      return this;
    }

    public Builder allowedLateness(Duration v) {
      allowedLateness = v;
      return this;
    }

    public Builder dedupeWindow(Duration v) {
      dedupeWindow = v;
      return this;
    }

    public Builder maxEventTimeAhead(Duration v) {
      maxEventTimeAhead = v;
      return this;
    }

    public Builder sourceIdleness(Duration v) {
      sourceIdleness = v;
      return this;
    }

    public Builder checkpointInterval(Duration v) {
      checkpointInterval = v;
      return this;
    }

    public Builder checkpointDir(String v) {
      checkpointDir = v;
      return this;
    }

    public Builder parallelism(int v) {
      parallelism = v;
      return this;
    }

    public Builder restartAttempts(int v) {
      restartAttempts = v;
      return this;
    }

    public Builder restartDelay(Duration v) {
      restartDelay = v;
      return this;
    }

    public Builder consumerGroup(String v) {
      consumerGroup = v;
      return this;
    }

    public Builder startingOffsets(StartingOffsets v) {
      startingOffsets = v;
      return this;
    }

    public Builder bounded(boolean v) {
      bounded = v;
      return this;
    }

    public Builder transactionalIdPrefix(String v) {
      transactionalIdPrefix = v;
      return this;
    }

    public Builder transactionTimeout(Duration v) {
      transactionTimeout = v;
      return this;
    }

    public Builder emitCompletedChunks(boolean v) {
      emitCompletedChunks = v;
      return this;
    }

    public Builder modelDir(String v) {
      modelDir = v;
      return this;
    }

    public Builder device(String v) {
      device = v;
      return this;
    }

    public Builder encoderBatchSize(int v) {
      encoderBatchSize = v;
      return this;
    }

    public Builder encoderMaxWait(Duration v) {
      encoderMaxWait = v;
      return this;
    }

    public Builder clusterUpdates(boolean v) {
      clusterUpdates = v;
      return this;
    }

    public Builder emitClusterAssignments(boolean v) {
      emitClusterAssignments = v;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the first invalid setting and the rule it breaks
     */
    public GladJobSettings build() {
      Objects.requireNonNull(topicPrefix, TOPIC_PREFIX + " must not be null");
      if (chunkSize < 2 || chunkSize > 512) {
        throw new IllegalArgumentException(
            CHUNK_SIZE + " must be between 2 and 512, got " + chunkSize);
      }
      requireNonNegative(MAX_OUT_OF_ORDERNESS, maxOutOfOrderness);
      requireNonNegative(ALLOWED_LATENESS, allowedLateness);
      requirePositive(DEDUPE_WINDOW, dedupeWindow);
      requirePositive(MAX_EVENT_TIME_AHEAD, maxEventTimeAhead);
      requirePositive(SOURCE_IDLENESS, sourceIdleness);
      if (dedupeWindow.compareTo(allowedLateness) <= 0) {
        throw new IllegalArgumentException(
            DEDUPE_WINDOW
                + " ("
                + dedupeWindow
                + ") must be longer than "
                + ALLOWED_LATENESS
                + " ("
                + allowedLateness
                + "), so that a duplicate is either detected or too late");
      }
      if (checkpointInterval == null || checkpointInterval.toMillis() < 100) {
        throw new IllegalArgumentException(
            CHECKPOINT_INTERVAL + " must be at least 100ms, got " + checkpointInterval);
      }
      if (parallelism < 0) {
        throw new IllegalArgumentException(
            PARALLELISM + " must be >= 1 (or 0 for the default), got " + parallelism);
      }
      if (restartAttempts < 0) {
        throw new IllegalArgumentException(
            RESTART_ATTEMPTS + " must be >= 0, got " + restartAttempts);
      }
      requireNonNegative(RESTART_DELAY, restartDelay);
      requireText(CONSUMER_GROUP, consumerGroup);
      Objects.requireNonNull(startingOffsets, STARTING_OFFSETS + " must not be null");
      requireText(TRANSACTIONAL_ID_PREFIX, transactionalIdPrefix);
      requirePositive(TRANSACTION_TIMEOUT, transactionTimeout);
      if (transactionTimeout.compareTo(Duration.ofMinutes(15)) > 0) {
        throw new IllegalArgumentException(
            TRANSACTION_TIMEOUT
                + " ("
                + transactionTimeout
                + ") must not exceed the broker default transaction.max.timeout.ms (PT15M)");
      }
      if (transactionTimeout.compareTo(checkpointInterval) <= 0) {
        throw new IllegalArgumentException(
            TRANSACTION_TIMEOUT
                + " ("
                + transactionTimeout
                + ") must be longer than "
                + CHECKPOINT_INTERVAL
                + " ("
                + checkpointInterval
                + "): transactions stay open from one checkpoint to the next");
      }
      if (modelDir != null && modelDir.isBlank()) {
        throw new IllegalArgumentException(
            MODEL_DIR + " must not be blank (leave it unset for none)");
      }
      String d = device == null ? "" : device.strip();
      if (!d.matches("auto|cpu|gpu|gpu:\\d+")) {
        throw new IllegalArgumentException(
            DEVICE + " must be auto, cpu, gpu or gpu:N, got '" + device + "'");
      }
      if (encoderBatchSize < 1 || encoderBatchSize > 4096) {
        throw new IllegalArgumentException(
            ENCODER_BATCH_SIZE + " must be between 1 and 4096, got " + encoderBatchSize);
      }
      requireNonNegative(ENCODER_MAX_WAIT, encoderMaxWait);
      return new GladJobSettings(this);
    }

    private static void requireNonNegative(String key, Duration d) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException(key + " must be >= 0, got " + d);
      }
    }

    private static void requirePositive(String key, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(key + " must be > 0, got " + d);
      }
    }

    private static void requireText(String key, String v) {
      if (v == null || v.isBlank()) {
        throw new IllegalArgumentException(key + " must not be empty");
      }
    }
  }
}
