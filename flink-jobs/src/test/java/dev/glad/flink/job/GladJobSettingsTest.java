package dev.glad.flink.job;

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
    assertEquals(20, s.chunkSize());
    assertEquals("glad.", s.topicPrefix());
    assertEquals(Duration.ofSeconds(5), s.maxOutOfOrderness());
    assertEquals(Duration.ofMinutes(1), s.allowedLateness());
    assertEquals(Duration.ofMinutes(10), s.dedupeWindow());
    assertEquals(Duration.ofSeconds(10), s.checkpointInterval());
    assertEquals(GladJobSettings.StartingOffsets.COMMITTED_OR_EARLIEST, s.startingOffsets());
    assertEquals(false, s.bounded());
    assertEquals(true, s.emitCompletedChunks());
    assertEquals(null, s.modelDir());
    assertEquals("auto", s.device());
    assertEquals(64, s.encoderBatchSize());
    assertEquals(Duration.ofMillis(50), s.encoderMaxWait());
    assertEquals(true, s.clusterUpdates());
    assertEquals(false, s.emitClusterAssignments());
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
    assertEquals("k:9092", s.bootstrapServers());
    assertEquals(5, s.chunkSize());
    assertEquals(Duration.ofMillis(500), s.maxOutOfOrderness());
    assertEquals(Duration.ofHours(2), s.maxEventTimeAhead());
    assertEquals(3, s.parallelism());
    assertEquals(GladJobSettings.StartingOffsets.LATEST, s.startingOffsets());
    assertTrue(s.bounded());
    assertEquals(false, s.emitCompletedChunks());
    assertEquals("/models/glad", s.modelDir());
    assertEquals("gpu:1", s.device());
    assertEquals(128, s.encoderBatchSize());
    assertEquals(Duration.ofMillis(20), s.encoderMaxWait());
    assertEquals(false, s.clusterUpdates());
    assertEquals(true, s.emitClusterAssignments());
    assertEquals(25, GladJobSettings.keys().size());
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
        "chunk-size must be between 2 and 512, got 1", GladJobSettings.builder().chunkSize(1));
    assertMessage(
        "dedupe-window (PT30S) must be longer than allowed-lateness (PT1M), so that a duplicate"
            + " is either detected or too late",
        GladJobSettings.builder().dedupeWindow(Duration.ofSeconds(30)));
    assertMessage(
        "checkpoint-interval must be at least 100ms, got PT0.05S",
        GladJobSettings.builder().checkpointInterval(Duration.ofMillis(50)));
    assertMessage(
        "transaction-timeout (PT20M) must not exceed the broker default"
            + " transaction.max.timeout.ms (PT15M)",
        GladJobSettings.builder().transactionTimeout(Duration.ofMinutes(20)));
    assertMessage(
        "transaction-timeout (PT5S) must be longer than checkpoint-interval (PT10S):"
            + " transactions stay open from one checkpoint to the next",
        GladJobSettings.builder().transactionTimeout(Duration.ofSeconds(5)));
    assertMessage(
        "max-out-of-orderness must be >= 0, got PT-1S",
        GladJobSettings.builder().maxOutOfOrderness(Duration.ofSeconds(-1)));
    assertMessage("consumer-group must not be empty", GladJobSettings.builder().consumerGroup(" "));
    assertMessage(
        "parallelism must be >= 1 (or 0 for the default), got -2",
        GladJobSettings.builder().parallelism(-2));
    assertMessage(
        "model-dir must not be blank (leave it unset for none)",
        GladJobSettings.builder().modelDir(" "));
    assertMessage(
        "device must be auto, cpu, gpu or gpu:N, got 'tpu'",
        GladJobSettings.builder().device("tpu"));
    assertMessage(
        "encoder-batch-size must be between 1 and 4096, got 0",
        GladJobSettings.builder().encoderBatchSize(0));
    assertMessage(
        "encoder-max-wait must be >= 0, got PT-0.001S",
        GladJobSettings.builder().encoderMaxWait(Duration.ofMillis(-1)));
  }

  @Test
  void parsesDurationsInBothNotations() {
    assertEquals(Duration.ofMillis(250), GladJobSettings.duration("k", "250ms"));
    assertEquals(Duration.ofDays(1), GladJobSettings.duration("k", "1d"));
    assertEquals(Duration.ofSeconds(90), GladJobSettings.duration("k", "PT1M30S"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> GladJobSettings.duration("k", "soon"));
    assertEquals(
        "k: cannot parse duration 'soon' (use e.g. 500ms, 5s, 10m, 2h or PT5S)", e.getMessage());
  }

  private static void assertMessage(String expected, GladJobSettings.Builder builder) {
    assertEquals(
        expected, assertThrows(IllegalArgumentException.class, builder::build).getMessage());
  }
}
