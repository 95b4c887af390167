package dev.glad.it;

import static dev.glad.flink.job.GladJobOptions.BOUNDED;
import static dev.glad.it.MemoryRuns.ticks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.glad.cli.Glad;
import dev.glad.it.MemoryRuns.Mode;
import dev.glad.it.MemoryRuns.Output;
import dev.glad.schemas.ClusterMemory;
import dev.glad.schemas.DeadLetter;
import dev.glad.schemas.DeadLetterReason;
import dev.glad.schemas.EventType;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.UserMemory;
import dev.glad.schemas.kafka.AvroWireFormat;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.tools.local.PrometheusMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every kind of bad input the project knows, sent through one running memory job between good
 * events: each is dead-lettered with its reason or counted in a metric (read from Flink's
 * Prometheus reporter, as an operator would), every good event reaches the memory, and the job
 * keeps running. The catalogue is in docs/OPERATIONS.md.
 */
class BadInputITCase {
  @RegisterExtension static final KafkaTestBroker KAFKA = new KafkaTestBroker();

  private static final int METRICS_PORT = freePort();

  @RegisterExtension
  static final MiniClusterExtension FLINK = TestClusters.miniCluster(1, 2, prometheus());

  private static MemoryRuns runs;

  @BeforeAll
  static void setUp() {
    runs = new MemoryRuns(KAFKA);
  }

  @Test
  void everyKindOfBadInputIsDeadLetteredOrCountedAndNothingGoodIsLost() throws Exception {
    Output uninterrupted = runs.uninterrupted(Mode.UPDATES);
    GladTopics topics = KAFKA.freshTopics();
    String in = topics.interactions().name();
    long last = runs.events.get(runs.events.size() - 1).getEventTime().toEpochMilli();
    long now = System.currentTimeMillis();
    AvroWireFormat<InteractionEvent> wire = AvroWireFormat.of(InteractionEvent.class);
    String item = runs.data.items(0).get(0); // an item the model knows

    JobClient job =
        runs.start(runs.settings(topics, 2, Mode.UPDATES).set(BOUNDED, false).build(), null);
    try {
      // Given good events, bad records between them, and users whose events test the rules
      List<InteractionEvent> good = runs.events;
      KAFKA.send(
          topics.interactions(), good.subList(0, good.size() / 2), InteractionEvent::getUserId);
      KAFKA.sendRaw(in, "u-garbage", "{\"not\": \"avro\"}".getBytes(StandardCharsets.UTF_8));
      KAFKA.sendRaw(
          in,
          "u-foreign",
          AvroWireFormat.of(ClusterMemory.class)
              .encode(
                  ClusterMemory.newBuilder()
                      .setClusterId(1)
                      .setModelVersion("x")
                      .setCentroid(List.of())
                      .setHCE1(List.of())
                      .setSize(0)
                      .build()));
      KAFKA.sendRaw(in, "u-empty", new byte[0]);
      KAFKA.sendRaw(in, "u-tombstone", null);
      byte[] whole = wire.encode(event("cut-1", "u-cut", item, last));
      KAFKA.sendRaw(in, "u-cut", Arrays.copyOf(whole, whole.length - 10));
      KAFKA.sendRaw(in, "u-invalid", wire.encode(event("bad-item", "u-invalid", " ", last)));
      KAFKA.sendRaw(
          in, "u-future", wire.encode(event("future-1", "u-future", item, now + 7_200_000)));
      KAFKA.sendRaw(in, "someone-else", wire.encode(event("mismatch-1", "u-mismatch", item, last)));
      KAFKA.sendRaw(in, "u-long", wire.encode(event("long-1", "u-long", "x".repeat(300), last)));
      KAFKA.sendRaw(
          in,
          "u-attrs",
          wire.encode(
              InteractionEvent.newBuilder(event("attrs-1", "u-attrs", item, last))
                  .setAttributes(Map.of("surface", "y".repeat(5_000)))
                  .build()));
      KAFKA.sendRaw(
          in,
          "u-view",
          wire.encode(
              InteractionEvent.newBuilder(event("view-1", "u-view", item, last))
                  .setType(EventType.VIEW)
                  .build()));
      List<InteractionEvent> special = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        // one item the model has never seen: counted, the chunk is still encoded
        special.add(
            event(
                "unknown-" + i, "u-unknown", i == 2 ? "never-seen-item" : item, last - 5_000 + i));
        // in the stream out of order (reversed), within max-out-of-orderness
        special.add(
            event("ooo-" + (4 - i), "u-ooo", "i-ooo-" + (4 - i), last - 600 + 100 * (4 - i)));
      }
      for (int i = 0; i < 4; i++) {
        special.add(event("late-" + i, "u-late", item, last - 4_000 + i));
      }
      KAFKA.send(
          topics.interactions(),
          good.subList(good.size() / 2, good.size()),
          InteractionEvent::getUserId);
      // the rules' users after the good events: their event times are near the last good one,
      // so sent earlier they could move the watermark past the second half of the good events
      // (which would then be too late, depending on when the source emits its watermark)
      KAFKA.send(topics.interactions(), special, InteractionEvent::getUserId);
      // a record without a key: accepted (its user id keys it) and counted
      KAFKA.sendRaw(in, null, wire.encode(event("nokey-1", "u-unknown-2", item, last)));
      KAFKA.send(
          topics.interactions(), ticks("tick-1", last + 600_000, 4), InteractionEvent::getUserId);
      runs.awaitComplete(job, topics, Mode.UPDATES, Duration.ofSeconds(180));

      // and, once the watermark has passed them: a duplicate, one event within the allowed
      // lateness (it completes u-late's chunk), one beyond it, a corrupt cluster-feedback record
      InteractionEvent lastGood = good.get(good.size() - 1);
      KAFKA.sendRaw(in, lastGood.getUserId(), wire.encode(lastGood));
      KAFKA.sendRaw(
          in, "u-late", wire.encode(event("late-4", "u-late", item, last + 600_000 - 30_000)));
      KAFKA.sendRaw(
          in, "u-toolate", wire.encode(event("toolate-1", "u-toolate", item, last - 300_000)));
      // (the topic is compacted: the broker takes only records with a key)
      KAFKA.sendRaw(topics.clusterMemory().name(), "7", "corrupt".getBytes(StandardCharsets.UTF_8));

      // Then every bad record is in the dead-letter topic with its reason
      Map<DeadLetterReason, Integer> expected = new EnumMap<>(DeadLetterReason.class);
      for (DeadLetterReason r :
          List.of(
              DeadLetterReason.UNDECODABLE,
              DeadLetterReason.FOREIGN_SCHEMA,
              DeadLetterReason.EMPTY_VALUE,
              DeadLetterReason.TOMBSTONE,
              DeadLetterReason.TRUNCATED,
              DeadLetterReason.INVALID_EVENT,
              DeadLetterReason.INVALID_EVENT,
              DeadLetterReason.KEY_MISMATCH,
              DeadLetterReason.OVERSIZED_FIELD,
              DeadLetterReason.OVERSIZED_FIELD,
              DeadLetterReason.UNSUPPORTED_EVENT_TYPE,
              DeadLetterReason.DUPLICATE_EVENT,
              DeadLetterReason.TOO_LATE)) {
        expected.merge(r, 1, Integer::sum);
      }
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  RunningJobs.running(job)
                      && KAFKA.readCommittedSoFar(topics.deadLetters()).size() >= 13
                      && userMemory(topics, "u-late") != null);
      List<DeadLetter> deadLetters = KAFKA.readCommittedSoFar(topics.deadLetters());
      Map<DeadLetterReason, Integer> actual = new EnumMap<>(DeadLetterReason.class);
      deadLetters.forEach(d -> actual.merge(d.getReason(), 1, Integer::sum));
      assertThat(actual).isEqualTo(expected);

      // and the counted kinds are in the metrics (scraped as Prometheus would)
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  metric("clusterFeedbackUndecodable") == 1
                      && metric("eventsWithoutKey") == 1
                      && metric("unknownItems") >= 1
                      && metric("lateEventsAppended") == 1
                      && metric("tooLateEvents") == 1
                      && metric("duplicateEvents") == 1
                      && metric("deadLetters") == 13);

      // and every good event reached the memory; the rules' users have theirs
      assertThat(userMemory(topics, "u-unknown").getChunkCount()).isEqualTo(1);
      assertThat(userMemory(topics, "u-late").getChunkCount()).isEqualTo(1);
      assertThat(
              KAFKA.readCommittedSoFar(topics.completedChunks()).stream()
                  .filter(c -> c.getUserId().equals("u-ooo"))
                  .findFirst()
                  .orElseThrow()
                  .getItemIds())
          .containsExactly("i-ooo-0", "i-ooo-1", "i-ooo-2", "i-ooo-3", "i-ooo-4");
      Set<String> dataUsers =
          Set.copyOf(uninterrupted.userUpdates().stream().map(UserMemory::getUserId).toList());
      Output output = runs.output(topics, Mode.UPDATES);
      runs.assertSameMemory(
          new Output(
              output.userUpdates().stream().filter(u -> dataUsers.contains(u.getUserId())).toList(),
              output.clusterRecords(),
              output.steps()),
          uninterrupted,
          Mode.UPDATES);

      // and the job still runs; ./glad dead-letters prints them readably
      assertThat(RunningJobs.running(job)).isTrue();
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      int code =
          Glad.run(
              new String[] {
                "dead-letters",
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--topic-prefix",
                topics.prefix(),
                "--reason",
                "KEY_MISMATCH"
              },
              new PrintStream(printed, true, StandardCharsets.UTF_8),
              System.err);
      String text = printed.toString(StandardCharsets.UTF_8);
      assertThat(code).isZero();
      assertThat(text)
          .contains(
              "KEY_MISMATCH",
              "why:   the record key 'someone-else' is not the event's userId 'u-mismatch'",
              "key:   someone-else",
              "\"eventId\": \"mismatch-1\"",
              "dead letters by reason: {");
    } finally {
      RunningJobs.cancelIfRunning(job);
    }
  }

  private static UserMemory userMemory(GladTopics topics, String user) {
    return MemoryRuns.lastPerUser(KAFKA.readCommittedSoFar(topics.userMemory())).get(user);
  }

  private static InteractionEvent event(String id, String user, String item, long time) {
    return InteractionEvent.newBuilder()
        .setEventId(id)
        .setUserId(user)
        .setItemId(item)
        .setType(EventType.CLICK)
        .setEventTime(Instant.ofEpochMilli(time))
        .build();
  }

  /**
   * The sum over subtasks of an operator metric (also one of an operator's deserializer), from the
   * Prometheus endpoint.
   */
  private static long metric(String name) throws Exception {
    String body =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + METRICS_PORT + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Pattern p =
        Pattern.compile(
            "^flink_taskmanager_job_task_operator_(?:deserializer_)?" + name + "\\{[^}]*} (\\S+)$",
            Pattern.MULTILINE);
    Matcher m = p.matcher(body);
    double sum = 0;
    while (m.find()) {
      sum += Double.parseDouble(m.group(1));
    }
    return Math.round(sum);
  }

  private static Configuration prometheus() {
    Configuration conf = new Configuration();
    PrometheusMetrics.configure(conf, METRICS_PORT);
    return conf;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
