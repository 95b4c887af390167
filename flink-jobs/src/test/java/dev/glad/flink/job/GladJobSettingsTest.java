package dev.glad.flink.job;

import static dev.glad.flink.job.GladJobOptions.ALLOWED_LATENESS;
import static dev.glad.flink.job.GladJobOptions.BOOTSTRAP_SERVERS;
import static dev.glad.flink.job.GladJobOptions.BOUNDED;
import static dev.glad.flink.job.GladJobOptions.CHECKPOINT_INTERVAL;
import static dev.glad.flink.job.GladJobOptions.CHUNK_SIZE;
import static dev.glad.flink.job.GladJobOptions.CLUSTER_UPDATES;
import static dev.glad.flink.job.GladJobOptions.CONSUMER_GROUP;
import static dev.glad.flink.job.GladJobOptions.DEDUPE_WINDOW;
import static dev.glad.flink.job.GladJobOptions.DEVICE;
import static dev.glad.flink.job.GladJobOptions.EMIT_CLUSTER_ASSIGNMENTS;
import static dev.glad.flink.job.GladJobOptions.EMIT_COMPLETED_CHUNKS;
import static dev.glad.flink.job.GladJobOptions.ENCODER_BATCH_SIZE;
import static dev.glad.flink.job.GladJobOptions.ENCODER_MAX_WAIT;
import static dev.glad.flink.job.GladJobOptions.MAX_EVENT_TIME_AHEAD;
import static dev.glad.flink.job.GladJobOptions.MAX_OUT_OF_ORDERNESS;
import static dev.glad.flink.job.GladJobOptions.MODEL_DIR;
import static dev.glad.flink.job.GladJobOptions.PARALLELISM;
import static dev.glad.flink.job.GladJobOptions.STARTING_OFFSETS;
import static dev.glad.flink.job.GladJobOptions.TOPIC_PREFIX;
import static dev.glad.flink.job.GladJobOptions.TRANSACTION_TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GladJobSettingsTest {
  @Test
  void defaultsAreTheDocumentedOnes() {
    GladJobSettings s = GladJobSettings.builder().build();
    assertEquals(null, s.get(CHUNK_SIZE)); // with a model c is the artifact's

    assertEquals("glad.", s.get(TOPIC_PREFIX));
    assertEquals(Duration.ofSeconds(5), s.get(MAX_OUT_OF_ORDERNESS));
    assertEquals(Duration.ofMinutes(1), s.get(ALLOWED_LATENESS));
    assertEquals(Duration.ofMinutes(10), s.get(DEDUPE_WINDOW));
    assertEquals(Duration.ofSeconds(10), s.get(CHECKPOINT_INTERVAL));
    assertEquals(GladJobOptions.StartingOffsets.COMMITTED_OR_EARLIEST, s.get(STARTING_OFFSETS));
    assertEquals(false, s.get(BOUNDED));
    assertEquals(true, s.get(EMIT_COMPLETED_CHUNKS));
    assertEquals(null, s.get(MODEL_DIR));
    assertEquals("auto", s.get(DEVICE));
    assertEquals(64, s.get(ENCODER_BATCH_SIZE));
    assertEquals(Duration.ofMillis(50), s.get(ENCODER_MAX_WAIT));
    assertEquals(true, s.get(CLUSTER_UPDATES));
    assertEquals(false, s.get(EMIT_CLUSTER_ASSIGNMENTS));
  }

  @Test
  void readsEveryKeyFromAMap() {
    GladJobSettings s =
        GladJobSettings.fromMap(
            Map.ofEntries(
                Map.entry("bootstrap-servers", "k:9092"),
                Map.entry("topic-prefix", "x."),
                Map.entry("chunk-size", "5"),
                Map.entry("max-out-of-orderness", "500ms"),
                Map.entry("allowed-lateness", "2s"),
                Map.entry("dedupe-window", "PT1M"),
                Map.entry("max-event-time-ahead", "2h"),
                Map.entry("source-idleness", "1m"),
                Map.entry("checkpoint-interval", "1s"),
                Map.entry("checkpoint-dir", "file:///c"),
                Map.entry("parallelism", "3"),
                Map.entry("restart-attempts", "1"),
                Map.entry("restart-delay", "0s"),
                Map.entry("consumer-group", "g"),
                Map.entry("starting-offsets", "LATEST"),
                Map.entry("bounded", "true"),
                Map.entry("transactional-id-prefix", "tx"),
                Map.entry("transaction-timeout", "5m"),
                Map.entry("emit-completed-chunks", "false"),
                Map.entry("model-dir", "/models/glad"),
                Map.entry("device", "gpu:1"),
                Map.entry("encoder-batch-size", "128"),
                Map.entry("encoder-max-wait", "20ms"),
                Map.entry("cluster-updates", "false"),
                Map.entry("emit-cluster-assignments", "true")));
    assertEquals("k:9092", s.get(BOOTSTRAP_SERVERS));
    assertEquals(5, s.get(CHUNK_SIZE));
    assertEquals(Duration.ofMillis(500), s.get(MAX_OUT_OF_ORDERNESS));
    assertEquals(Duration.ofHours(2), s.get(MAX_EVENT_TIME_AHEAD));
    assertEquals(3, s.get(PARALLELISM));
    assertEquals(GladJobOptions.StartingOffsets.LATEST, s.get(STARTING_OFFSETS));
    assertTrue(s.get(BOUNDED));
    assertEquals(false, s.get(EMIT_COMPLETED_CHUNKS));
    assertEquals("/models/glad", s.get(MODEL_DIR));
    assertEquals("gpu:1", s.get(DEVICE));
    assertEquals(128, s.get(ENCODER_BATCH_SIZE));
    assertEquals(Duration.ofMillis(20), s.get(ENCODER_MAX_WAIT));
    assertEquals(false, s.get(CLUSTER_UPDATES));
    assertEquals(true, s.get(EMIT_CLUSTER_ASSIGNMENTS));
    assertEquals(GladJobOptions.ALL.size(), GladJobSettings.keys().size());
  }

  @Test
  void rejectsUnknownKeysAndNamesTheKnownOnes() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> GladJobSettings.fromMap(Map.of("chunk-sise", "5")));
    assertTrue(
        e.getMessage().startsWith("unknown setting(s) [chunk-sise]; known: bootstrap-servers, "),
        e.getMessage());
  }

  @Test
  void validationMessagesAreExact() {
    assertMessage(
        "chunk-size must be between 2 and 512, got 1",
        GladJobSettings.builder().set(CHUNK_SIZE, 1));
    assertMessage(
        "dedupe-window (PT30S) must be longer than allowed-lateness (PT1M), so that a duplicate"
            + " is either detected or too late",
        GladJobSettings.builder().set(DEDUPE_WINDOW, Duration.ofSeconds(30)));
    assertMessage(
        "checkpoint-interval must be at least 100ms, got PT0.05S",
        GladJobSettings.builder().set(CHECKPOINT_INTERVAL, Duration.ofMillis(50)));
    assertMessage(
        "transaction-timeout (PT20M) must not exceed the broker default"
            + " transaction.max.timeout.ms (PT15M)",
        GladJobSettings.builder().set(TRANSACTION_TIMEOUT, Duration.ofMinutes(20)));
    assertMessage(
        "transaction-timeout (PT5S) must be longer than checkpoint-interval (PT10S):"
            + " transactions stay open from one checkpoint to the next",
        GladJobSettings.builder().set(TRANSACTION_TIMEOUT, Duration.ofSeconds(5)));
    assertMessage(
        "max-out-of-orderness must be >= 0, got PT-1S",
        GladJobSettings.builder().set(MAX_OUT_OF_ORDERNESS, Duration.ofSeconds(-1)));
    assertMessage(
        "consumer-group must not be empty", GladJobSettings.builder().set(CONSUMER_GROUP, " "));
    assertMessage(
        "parallelism must be >= 1 (or 0 for the default), got -2",
        GladJobSettings.builder().set(PARALLELISM, -2));
    assertMessage(
        "model-dir must not be blank (leave it unset for none)",
        GladJobSettings.builder().set(MODEL_DIR, " "));
    assertMessage(
        "device must be auto, cpu, gpu or gpu:N, got 'tpu'",
        GladJobSettings.builder().set(DEVICE, "tpu"));
    assertMessage(
        "encoder-batch-size must be between 1 and 4096, got 0",
        GladJobSettings.builder().set(ENCODER_BATCH_SIZE, 0));
    assertMessage(
        "encoder-max-wait must be >= 0, got PT-0.001S",
        GladJobSettings.builder().set(ENCODER_MAX_WAIT, Duration.ofMillis(-1)));
  }

  @Test
  void parsesDurationsInBothNotations() {
    assertEquals(Duration.ofMillis(250), JobSetting.parseDuration("k", "250ms"));
    assertEquals(Duration.ofDays(1), JobSetting.parseDuration("k", "1d"));
    assertEquals(Duration.ofSeconds(90), JobSetting.parseDuration("k", "PT1M30S"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> JobSetting.parseDuration("k", "soon"));
    assertEquals(
        "k: cannot parse duration 'soon' (use e.g. 500ms, 5s, 10m, 2h or PT5S)", e.getMessage());
  }

  @Test
  void everySettingHasADescriptionAndKeepsItsRuleWhenReadFromText() {
    for (JobSetting<?> setting : GladJobOptions.ALL) {
      assertTrue(setting.description().length() > 10, setting.key());
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> GladJobSettings.fromMap(Map.of("encoder-batch-size", "0")));
    assertEquals("encoder-batch-size must be between 1 and 4096, got 0", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> GladJobSettings.fromMap(Map.of("chunk-size", "many")));
    assertEquals("chunk-size: cannot parse 'many'", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> GladJobSettings.fromMap(Map.of("bounded", "yes")));
    assertEquals("bounded: cannot parse 'yes'", e.getMessage());
  }

  @Test
  void explicitSettingsPrintAsArguments() {
    GladJobSettings s =
        GladJobSettings.builder()
            .set(BOOTSTRAP_SERVERS, "k:1")
            .set(CHECKPOINT_INTERVAL, Duration.ofSeconds(2))
            .build();
    assertEquals(
        java.util.List.of("--bootstrap-servers", "k:1", "--checkpoint-interval", "2s"),
        s.asArguments());
  }

  private static void assertMessage(String expected, GladJobSettings.Builder builder) {
    assertEquals(
        expected, assertThrows(IllegalArgumentException.class, builder::build).getMessage());
  }
}
