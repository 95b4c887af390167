package dev.glad.it;

import static dev.glad.flink.job.GladJobOptions.ALLOWED_LATENESS;
import static dev.glad.flink.job.GladJobOptions.BOOTSTRAP_SERVERS;
import static dev.glad.flink.job.GladJobOptions.BOUNDED;
import static dev.glad.flink.job.GladJobOptions.CHECKPOINT_INTERVAL;
import static dev.glad.flink.job.GladJobOptions.CHUNK_SIZE;
import static dev.glad.flink.job.GladJobOptions.DEDUPE_WINDOW;
import static dev.glad.flink.job.GladJobOptions.MAX_OUT_OF_ORDERNESS;
import static dev.glad.flink.job.GladJobOptions.PARALLELISM;
import static dev.glad.flink.job.GladJobOptions.RESTART_ATTEMPTS;
import static dev.glad.flink.job.GladJobOptions.RESTART_DELAY;
import static dev.glad.flink.job.GladJobOptions.SOURCE_IDLENESS;
import static dev.glad.flink.job.GladJobOptions.STARTING_OFFSETS;
import static dev.glad.flink.job.GladJobOptions.TOPIC_PREFIX;
import static dev.glad.flink.job.GladJobOptions.TRANSACTIONAL_ID_PREFIX;
import static dev.glad.flink.job.GladJobOptions.TRANSACTION_TIMEOUT;
import static dev.glad.it.Events.click;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.glad.flink.job.GladJob;
import dev.glad.flink.job.GladJobOptions;
import dev.glad.flink.job.GladJobSettings;
import dev.glad.flink.job.KafkaIo;
import dev.glad.schemas.ClusterMemory;
import dev.glad.schemas.CompletedChunk;
import dev.glad.schemas.DeadLetter;
import dev.glad.schemas.DeadLetterReason;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.kafka.AvroWireFormat;
import dev.glad.schemas.kafka.GladTopics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The first stage of the job end to end: a real in-process Kafka broker, the real topology on a
 * MiniCluster at parallelism 2, output read back with read_committed as a consumer would.
 */
class ChunkingPipelineITCase {
  private static final int C = 3;
  private static final long BASE = System.currentTimeMillis() - Duration.ofHours(1).toMillis();

  @RegisterExtension static final KafkaTestBroker KAFKA = new KafkaTestBroker();

  @RegisterExtension static final MiniClusterExtension FLINK = TestClusters.twoSlots();

  @Test
  void eventsInCompletedChunksOutExactlyOnce() throws Exception {
    // Given 40 users with 2..12 events each, interleaved across users
    GladTopics topics = KAFKA.freshTopics();
    Random random = new Random(11);
    List<InteractionEvent> events = new ArrayList<>();
    Map<String, List<String>> itemsOfUser = new HashMap<>();
    for (int u = 0; u < 40; u++) {
      int n = 2 + random.nextInt(11);
      for (int i = 0; i < n; i++) {
        String user = "user-" + u;
        String item = "item-" + u + "-" + i;
        events.add(click("e-" + u + "-" + i, user, item, BASE + i * 1_000L + u));
        itemsOfUser.computeIfAbsent(user, k -> new ArrayList<>()).add(item);
      }
    }
    events.sort(java.util.Comparator.comparing(e -> e.getEventTime()));
    KAFKA.send(topics.interactions(), events, InteractionEvent::getUserId);

    // When the job reads them all
    runBounded(topics);

    // Then every complete chunk is there exactly once, items in event-time order
    List<CompletedChunk> chunks = committedChunks(topics);
    Map<String, List<String>> expected = new HashMap<>();
    itemsOfUser.forEach(
        (user, items) -> {
          for (int s = 0; (s + 1) * C <= items.size(); s++) {
            expected.put(user + "#" + s, items.subList(s * C, (s + 1) * C));
          }
        });
    Map<String, List<String>> actual =
        chunks.stream()
            .collect(
                Collectors.toMap(
                    c -> c.getUserId() + "#" + c.getSequenceNumber(), CompletedChunk::getItemIds));
    assertThat(chunks).hasSize(expected.size());
    assertThat(actual).isEqualTo(expected);
    assertThat(committedDeadLetters(topics)).isEmpty();
  }

  @Test
  void aBoundedReplayFlushesEverythingEvenWithAShortIdleness() throws Exception {
    // Flink 2.2 drops the end-of-input MAX watermark of an idle source subtask (FLINK-40499);
    // bounded jobs therefore run without idleness. With it, this lost 32 of 80 chunks.
    GladTopics topics = KAFKA.freshTopics();
    List<InteractionEvent> events = new ArrayList<>();
    for (int u = 0; u < 40; u++) {
      for (int i = 0; i < 6; i++) {
        events.add(click("e-" + u + "-" + i, "user-" + u, "i" + i, BASE + i * 1_000L + u));
      }
    }
    KAFKA.send(topics.interactions(), events, InteractionEvent::getUserId);

    runBounded(
        settings(topics).set(BOUNDED, true).set(SOURCE_IDLENESS, Duration.ofMillis(1)).build());

    assertThat(committedChunks(topics)).hasSize(80);
  }

  @Test
  void undecodableBytesLandInTheDeadLetterTopicAndTheJobGoesOn() throws Exception {
    GladTopics topics = KAFKA.freshTopics();
    byte[] garbage = "{\"not\": \"avro\"}".getBytes(StandardCharsets.UTF_8);
    KAFKA.sendRaw(topics.interactions().name(), "u1", garbage);
    KAFKA.send(topics.interactions(), threeEventsOf("u1", 0), InteractionEvent::getUserId);

    runBounded(topics);

    DeadLetter dl = single(committedDeadLetters(topics));
    assertThat(dl.getReason()).isEqualTo(DeadLetterReason.UNDECODABLE);
    assertThat(dl.getRawValue()).isEqualTo(ByteBuffer.wrap(garbage));
    assertThat(dl.getRawKey()).isEqualTo(ByteBuffer.wrap("u1".getBytes(StandardCharsets.UTF_8)));
    assertThat(dl.getSourceTopic()).isEqualTo(topics.interactions().name());
    assertThat(dl.getSourceOffset()).isEqualTo(0L);
    assertThat(dl.getDetail()).startsWith("not an Avro single-object record");
    assertThat(committedChunks(topics)).hasSize(1);
  }

  @Test
  void aRecordOfAForeignSchemaLandsInTheDeadLetterTopic() throws Exception {
    GladTopics topics = KAFKA.freshTopics();
    byte[] foreign =
        AvroWireFormat.of(ClusterMemory.class)
            .encode(
                ClusterMemory.newBuilder()
                    .setClusterId(1)
                    .setModelVersion("v")
                    .setCentroid(List.of(1f))
                    .setHCE1(List.of(1f))
                    .setSize(1)
                    .build());
    KAFKA.sendRaw(topics.interactions().name(), "u1", foreign);
    KAFKA.send(topics.interactions(), threeEventsOf("u1", 0), InteractionEvent::getUserId);

    runBounded(topics);

    DeadLetter dl = single(committedDeadLetters(topics));
    assertThat(dl.getReason()).isEqualTo(DeadLetterReason.FOREIGN_SCHEMA);
    assertThat(dl.getDetail())
        .contains("is not a known version of dev.glad.schemas.InteractionEvent");
    assertThat(dl.getRawValue()).isEqualTo(ByteBuffer.wrap(foreign));
    assertThat(committedChunks(topics)).hasSize(1);
  }

  @Test
  void anInvalidEventLandsInTheDeadLetterTopicWithTheField() throws Exception {
    GladTopics topics = KAFKA.freshTopics();
    KAFKA.send(
        topics.interactions(), List.of(click("e-x", "u1", "", BASE)), InteractionEvent::getUserId);
    KAFKA.send(topics.interactions(), threeEventsOf("u1", 1), InteractionEvent::getUserId);

    runBounded(topics);

    DeadLetter dl = single(committedDeadLetters(topics));
    assertThat(dl.getReason()).isEqualTo(DeadLetterReason.INVALID_EVENT);
    assertThat(dl.getDetail()).isEqualTo("itemId is empty");
    assertThat(dl.getEventId()).isEqualTo("e-x");
    assertThat(committedChunks(topics)).hasSize(1);
  }

  @Test
  void aDuplicateEventIsDeadLetteredAndChunkedOnce() throws Exception {
    GladTopics topics = KAFKA.freshTopics();
    List<InteractionEvent> events = new ArrayList<>(threeEventsOf("u1", 0));
    events.add(1, events.get(0)); // the producer retried the first event
    KAFKA.send(topics.interactions(), events, InteractionEvent::getUserId);

    runBounded(topics);

    DeadLetter dl = single(committedDeadLetters(topics));
    assertThat(dl.getReason()).isEqualTo(DeadLetterReason.DUPLICATE_EVENT);
    assertThat(dl.getEventId()).isEqualTo(events.get(0).getEventId());
    assertThat(dl.getSourceOffset()).isEqualTo(1L);
    assertThat(single(committedChunks(topics)).getItemIds()).containsExactly("a0", "b0", "c0");
  }

  @Test
  void anOutOfOrderEventIsPutInEventTimeOrder() throws Exception {
    GladTopics topics = KAFKA.freshTopics();
    KAFKA.send(
        topics.interactions(),
        List.of(
            click("e1", "u1", "first", BASE + 1_000),
            click("e3", "u1", "third", BASE + 3_000),
            click("e2", "u1", "second", BASE + 2_000), // 1 s out of order, bound 2 s
            click("e4", "u1", "fourth", BASE + 4_000),
            click("e6", "u1", "sixth", BASE + 6_000),
            click("e5", "u1", "fifth", BASE + 5_000)),
        InteractionEvent::getUserId);

    runBounded(topics);

    assertThat(committedChunks(topics).stream().map(CompletedChunk::getItemIds))
        .containsExactlyInAnyOrder(
            List.of("first", "second", "third"), List.of("fourth", "fifth", "sixth"));
    assertThat(committedDeadLetters(topics)).isEmpty();
  }

  @Test
  void aTooLateEventLandsInTheDeadLetterTopic() throws Exception {
    GladTopics topics = KAFKA.freshTopics();
    JobClient job =
        startUnbounded(topics, settings(topics).set(SOURCE_IDLENESS, Duration.ofSeconds(1)));
    try {
      // Given the watermark has passed a complete chunk of u1
      KAFKA.send(topics.interactions(), threeEventsOf("u1", 0), InteractionEvent::getUserId);
      KAFKA.send(
          topics.interactions(),
          List.of(click("later", "u2", "x", BASE + 60_000)),
          InteractionEvent::getUserId);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> KAFKA.readCommittedSoFar(topics.completedChunks()).size() == 1);

      // When an event arrives far behind the watermark (allowed lateness 5 s)
      KAFKA.send(
          topics.interactions(),
          List.of(click("late", "u1", "old", BASE - 60_000)),
          InteractionEvent::getUserId);

      // Then it is dead-lettered TOO_LATE and not chunked
      await().atMost(Duration.ofSeconds(60)).until(() -> committedDeadLetters(topics).size() == 1);
      DeadLetter dl = single(committedDeadLetters(topics));
      assertThat(dl.getReason()).isEqualTo(DeadLetterReason.TOO_LATE);
      assertThat(dl.getEventId()).isEqualTo("late");
      assertThat(dl.getDetail())
          .contains("behind the watermark")
          .endsWith("(allowed lateness PT5S)");
    } finally {
      RunningJobs.cancelIfRunning(job);
    }
  }

  @Test
  void survivesATaskManagerFailureWithoutDuplicates(@InjectMiniCluster MiniCluster cluster)
      throws Exception {
    GladTopics topics = KAFKA.freshTopics();
    JobClient job =
        startUnbounded(
            topics,
            settings(topics)
                .set(SOURCE_IDLENESS, Duration.ofSeconds(1))
                .set(RESTART_ATTEMPTS, 5)
                .set(RESTART_DELAY, Duration.ofMillis(500)));
    try {
      // Given a first batch is processed and committed
      List<InteractionEvent> first = new ArrayList<>();
      List<InteractionEvent> second = new ArrayList<>();
      for (int u = 0; u < 20; u++) {
        for (int i = 0; i < 6; i++) {
          long time = BASE + i * 1_000L + (i < 3 ? 0 : 20_000);
          InteractionEvent e = click("e-" + u + "-" + i, "u" + u, "i" + i, time);
          (i < 3 ? first : second).add(e);
        }
      }
      KAFKA.send(topics.interactions(), first, InteractionEvent::getUserId);
      KAFKA.send(
          topics.interactions(),
          List.of(click("tick-1", "clock", "x", BASE + 10_000)), // moves the watermark on
          InteractionEvent::getUserId);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> KAFKA.readCommittedSoFar(topics.completedChunks()).size() == 20);

      // When the TaskManager dies and comes back, and more events arrive
      cluster.terminateTaskManager(0).get();
      cluster.startTaskManager();
      KAFKA.send(topics.interactions(), second, InteractionEvent::getUserId);
      KAFKA.send(
          topics.interactions(),
          List.of(click("tick-2", "clock", "y", BASE + 60_000)),
          InteractionEvent::getUserId);

      // Then every chunk is committed exactly once
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> KAFKA.readCommittedSoFar(topics.completedChunks()).size() >= 40);
      List<CompletedChunk> chunks = KAFKA.readCommittedSoFar(topics.completedChunks());
      assertThat(chunks).hasSize(40);
      assertThat(chunks.stream().map(c -> c.getUserId() + "#" + c.getSequenceNumber()).distinct())
          .hasSize(40);
    } finally {
      RunningJobs.cancelIfRunning(job);
    }
  }

  // ---- helpers

  private static List<InteractionEvent> threeEventsOf(String user, long offsetSeconds) {
    long t = BASE + offsetSeconds * 10_000;
    return List.of(
        click(user + "-a-" + offsetSeconds, user, "a" + offsetSeconds, t + 1_000),
        click(user + "-b-" + offsetSeconds, user, "b" + offsetSeconds, t + 2_000),
        click(user + "-c-" + offsetSeconds, user, "c" + offsetSeconds, t + 3_000));
  }

  private static GladJobSettings.Builder settings(GladTopics topics) {
    return GladJobSettings.builder()
        .set(BOOTSTRAP_SERVERS, KAFKA.bootstrapServers())
        .set(TOPIC_PREFIX, topics.prefix())
        .set(CHUNK_SIZE, C)
        .set(MAX_OUT_OF_ORDERNESS, Duration.ofSeconds(2))
        .set(ALLOWED_LATENESS, Duration.ofSeconds(5))
        .set(DEDUPE_WINDOW, Duration.ofMinutes(10))
        .set(STARTING_OFFSETS, GladJobOptions.StartingOffsets.EARLIEST)
        .set(CHECKPOINT_INTERVAL, Duration.ofMillis(500))
        .set(RESTART_ATTEMPTS, 0)
        .set(PARALLELISM, 2)
        // generous: a slow stretch on a loaded machine must not let the broker abort a
        // transaction the job will still commit (that loses its records)
        .set(TRANSACTION_TIMEOUT, Duration.ofMinutes(5))
        .set(TRANSACTIONAL_ID_PREFIX, "it-" + topics.prefix());
  }

  private static void runBounded(GladTopics topics) throws Exception {
    runBounded(settings(topics).set(BOUNDED, true).build());
  }

  private static void runBounded(GladJobSettings settings) throws Exception {
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(GladJob.flinkConfiguration(settings));
    KafkaIo.job(settings).addTo(env);
    long start = System.nanoTime();
    env.execute("chunking-it");
    // a bounded run of this size takes seconds; the line makes a slow one visible in CI logs
    System.out.printf(
        "bounded chunking job finished in %.1f s%n", (System.nanoTime() - start) / 1e9);
  }

  private static JobClient startUnbounded(GladTopics topics, GladJobSettings.Builder builder)
      throws Exception {
    GladJobSettings settings = builder.build();
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(GladJob.flinkConfiguration(settings));
    KafkaIo.job(settings).addTo(env);
    return env.executeAsync("chunking-it-unbounded");
  }

  private static List<CompletedChunk> committedChunks(GladTopics topics) {
    return KAFKA.readCommitted(topics.completedChunks(), Duration.ofSeconds(30));
  }

  private static List<DeadLetter> committedDeadLetters(GladTopics topics) {
    return KAFKA.readCommitted(topics.deadLetters(), Duration.ofSeconds(30));
  }

  private static <T> T single(List<T> values) {
    assertThat(values).hasSize(1);
    return values.get(0);
  }
}
