package dev.glad.it;

import static dev.glad.flink.job.GladJobOptions.BOOTSTRAP_SERVERS;
import static dev.glad.flink.job.GladJobOptions.BOUNDED;
import static dev.glad.flink.job.GladJobOptions.CHECKPOINT_INTERVAL;
import static dev.glad.flink.job.GladJobOptions.CLUSTER_PUBLISH_INTERVAL;
import static dev.glad.flink.job.GladJobOptions.CLUSTER_UPDATES;
import static dev.glad.flink.job.GladJobOptions.DEVICE;
import static dev.glad.flink.job.GladJobOptions.EMIT_CLUSTER_ASSIGNMENTS;
import static dev.glad.flink.job.GladJobOptions.ENCODER_BATCH_SIZE;
import static dev.glad.flink.job.GladJobOptions.MAX_OUT_OF_ORDERNESS;
import static dev.glad.flink.job.GladJobOptions.MAX_PARALLELISM;
import static dev.glad.flink.job.GladJobOptions.MODEL_DIR;
import static dev.glad.flink.job.GladJobOptions.PARALLELISM;
import static dev.glad.flink.job.GladJobOptions.RESTART_ATTEMPTS;
import static dev.glad.flink.job.GladJobOptions.SOURCE_IDLENESS;
import static dev.glad.flink.job.GladJobOptions.STARTING_OFFSETS;
import static dev.glad.flink.job.GladJobOptions.TOPIC_PREFIX;
import static dev.glad.flink.job.GladJobOptions.TRANSACTIONAL_ID_PREFIX;
import static dev.glad.flink.job.GladJobOptions.TRANSACTION_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.glad.flink.job.GladJob;
import dev.glad.flink.job.GladJobOptions;
import dev.glad.flink.job.GladJobSettings;
import dev.glad.flink.job.KafkaIo;
import dev.glad.flink.memory.Vectors;
import dev.glad.model.artifact.GladModel;
import dev.glad.model.data.UserSequences;
import dev.glad.model.memory.GraphMemoryMath;
import dev.glad.schemas.ClusterAssignment;
import dev.glad.schemas.ClusterMemory;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.UserMemory;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.tools.generator.SyntheticInteractions;
import dev.glad.tools.replay.DatasetReplay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The memory job on the test broker with the model trained in the test, and the checks that compare
 * an interrupted run (restored, rescaled, failed over) with an uninterrupted one:
 *
 * <ul>
 *   <li>frozen clusters: every user's final memory is equal (1e-5);
 *   <li>cluster updates on: every user's sequence numbers run 1..n with no gap or repeat, chunk
 *       counts are equal, and the final centroids equal offline sequential k-means replayed in the
 *       order the stream applied the steps.
 * </ul>
 */
final class MemoryRuns {
  static final float TOLERANCE = 1e-5f;
  private static final AtomicInteger TRANSACTION_PREFIXES = new AtomicInteger();

  /** Frozen clusters (each user's memory depends on the user alone) or cluster updates on. */
  enum Mode {
    FROZEN,
    UPDATES
  }

  /** What a run committed. */
  record Output(
      List<UserMemory> userUpdates,
      List<ClusterMemory> clusterRecords,
      List<ClusterAssignment> steps) {}

  final KafkaTestBroker kafka;
  final Path model;
  final UserSequences data;
  final List<InteractionEvent> events;

  /** 60 users of the model's generator, history it was not trained on, 1,800 events. */
  MemoryRuns(KafkaTestBroker kafka) {
    this(kafka, TestModels.tiny(), System.currentTimeMillis() - Duration.ofDays(1).toMillis());
  }

  /**
   * The same users and items with a given model and first event time (a committed savepoint needs
   * the events it was taken on, to the millisecond).
   */
  MemoryRuns(KafkaTestBroker kafka, Path model, long startMillis) {
    this.kafka = kafka;
    this.model = model;
    SyntheticInteractions generator =
        new SyntheticInteractions(TestModels.TINY.generatorSettings(0).withUsers(60));
    Map<String, List<String>> byUser = new LinkedHashMap<>();
    for (InteractionEvent e : generator.next(1_800)) {
      byUser.computeIfAbsent(e.getUserId(), u -> new ArrayList<>()).add(e.getItemId());
    }
    this.data = new UserSequences(List.copyOf(byUser.keySet()), List.copyOf(byUser.values()));
    this.events = DatasetReplay.events(data, startMillis, 1_000);
  }

  /** Events {@code from} (inclusive) to {@code to} (exclusive) of the time-ordered stream. */
  List<InteractionEvent> slice(double from, double to) {
    return events.subList((int) (from * events.size()), (int) (to * events.size()));
  }

  /** The common settings; bounded, checkpoints every 500 ms, no restarts. */
  GladJobSettings.Builder settings(GladTopics topics, int parallelism, Mode mode) {
    return GladJobSettings.builder()
        .set(BOOTSTRAP_SERVERS, kafka.bootstrapServers())
        .set(TOPIC_PREFIX, topics.prefix())
        .set(MODEL_DIR, model.toString())
        .set(DEVICE, "cpu")
        .set(ENCODER_BATCH_SIZE, 16)
        .set(MAX_OUT_OF_ORDERNESS, Duration.ofSeconds(1))
        .set(STARTING_OFFSETS, GladJobOptions.StartingOffsets.EARLIEST)
        .set(BOUNDED, true)
        .set(CHECKPOINT_INTERVAL, Duration.ofMillis(500))
        .set(RESTART_ATTEMPTS, 0)
        .set(PARALLELISM, parallelism)
        .set(MAX_PARALLELISM, 128)
        .set(CLUSTER_UPDATES, mode == Mode.UPDATES)
        .set(EMIT_CLUSTER_ASSIGNMENTS, mode == Mode.UPDATES)
        .set(CLUSTER_PUBLISH_INTERVAL, Duration.ofMillis(200))
        // every test moves the watermark with a tick in each partition, so no partition needs to
        // go idle; an idle partition would let the others carry the watermark past its events
        // when it resumes (docs/OPERATIONS.md, source-idleness)
        .set(SOURCE_IDLENESS, Duration.ofMinutes(10))
        // generous: a slow stretch on a loaded machine must not let the broker abort a
        // transaction the job will still commit (that loses its records)
        .set(TRANSACTION_TIMEOUT, Duration.ofMinutes(5))
        .set(
            TRANSACTIONAL_ID_PREFIX,
            "tx-" + topics.prefix() + TRANSACTION_PREFIXES.incrementAndGet());
  }

  /** Runs a bounded job to its end, restored from {@code savepoint} unless it is null. */
  void runBounded(GladJobSettings settings, String savepoint) throws Exception {
    StreamExecutionEnvironment env = environment(settings, savepoint);
    KafkaIo.job(settings).addTo(env);
    env.execute("memory-run");
  }

  /**
   * Runs an unbounded job until every chunk of the input is committed, then cancels it: a tick far
   * ahead moves the watermark past the last event (the other partitions go idle), so every chunk
   * completes.
   */
  void runUntilComplete(GladJobSettings settings, String savepoint, GladTopics topics)
      throws Exception {
    runUntilComplete(settings, savepoint, topics, chunksOf(events));
  }

  /**
   * {@link #runUntilComplete(GladJobSettings, String, GladTopics)} for a job that owes {@code
   * expectedUpdates} user-memory updates (fewer than the input's chunks when it restores a
   * savepoint whose earlier output went elsewhere).
   */
  void runUntilComplete(
      GladJobSettings settings, String savepoint, GladTopics topics, long expectedUpdates)
      throws Exception {
    sendClosingTicks(topics);
    JobClient job = start(settings, savepoint);
    Mode mode = settings.get(CLUSTER_UPDATES) ? Mode.UPDATES : Mode.FROZEN;
    try {
      awaitComplete(
          () -> RunningJobs.running(job), topics, mode, Duration.ofSeconds(180), expectedUpdates);
    } finally {
      RunningJobs.cancelIfRunning(job);
    }
  }

  /** One tick per partition far after the last event: every chunk of the input completes. */
  void sendClosingTicks(GladTopics topics) {
    long last = events.get(events.size() - 1).getEventTime().toEpochMilli();
    kafka.send(
        topics.interactions(),
        ticks("tick-" + TRANSACTION_PREFIXES.incrementAndGet(), last + 600_000, 4),
        InteractionEvent::getUserId);
  }

  /**
   * Whether the running job has committed all its output: a user-memory update for every chunk of
   * the input and, with cluster updates on, each cluster's latest state (cluster nodes publish a
   * changed cluster once per interval, so their last records can trail the users' by a checkpoint).
   */
  boolean complete(GladTopics topics, Mode mode) {
    return complete(topics, mode, chunksOf(events));
  }

  private boolean complete(GladTopics topics, Mode mode, long expectedUpdates) {
    if (kafka.readCommittedSoFar(topics.userMemory()).size() < expectedUpdates) {
      return false;
    }
    if (mode == Mode.FROZEN) {
      return true;
    }
    Map<Integer, Long> stepsDone = new LinkedHashMap<>();
    for (ClusterAssignment a : kafka.readCommittedSoFar(topics.clusterAssignments())) {
      stepsDone.merge(a.getClusterId(), a.getSizeAfter(), Math::max);
    }
    Map<Integer, ClusterMemory> published =
        lastInLogOrder(kafka.readCommittedSoFar(topics.clusterMemory()));
    return stepsDone.entrySet().stream()
        .allMatch(
            e ->
                published.containsKey(e.getKey())
                    && published.get(e.getKey()).getSize() == e.getValue());
  }

  /**
   * Waits until the running job has committed all its output ({@link #complete}); on a time-out the
   * failure says how far it got.
   */
  void awaitComplete(JobClient job, GladTopics topics, Mode mode, Duration timeout) {
    awaitComplete(() -> RunningJobs.running(job), topics, mode, timeout, chunksOf(events));
  }

  /**
   * Waits until a job that owes {@code expectedUpdates} user-memory updates has committed them all
   * ({@link #complete}) while {@code running} holds (it fails when the job has died).
   */
  void awaitComplete(
      java.util.concurrent.Callable<Boolean> running,
      GladTopics topics,
      Mode mode,
      Duration timeout,
      long expectedUpdates) {
    try {
      org.awaitility.Awaitility.await()
          .atMost(timeout)
          .until(() -> running.call() && complete(topics, mode, expectedUpdates));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          "the job did not commit all its output within "
              + timeout
              + ": "
              + kafka.readCommittedSoFar(topics.userMemory()).size()
              + " user-memory updates of "
              + expectedUpdates
              + " expected, "
              + kafka.readUncommittedSoFar(topics.completedChunks()).size()
              + " completed chunks written, dead letters "
              + kafka.readUncommittedSoFar(topics.deadLetters()).stream()
                  .map(
                      d ->
                          d.getReason()
                              + " "
                              + d.getSourcePartition()
                              + "@"
                              + d.getSourceOffset()
                              + " "
                              + d.getUserId()
                              + ": "
                              + d.getDetail())
                  .limit(8)
                  .toList(),
          e);
    }
  }

  /** Starts a job and returns at once. */
  JobClient start(GladJobSettings settings, String savepoint) throws Exception {
    StreamExecutionEnvironment env = environment(settings, savepoint);
    KafkaIo.job(settings).addTo(env);
    return env.executeAsync("memory-run");
  }

  private static StreamExecutionEnvironment environment(
      GladJobSettings settings, String savepoint) {
    Configuration conf = GladJob.flinkConfiguration(settings);
    if (savepoint != null) {
      conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
    }
    return StreamExecutionEnvironment.getExecutionEnvironment(conf);
  }

  /** Everything the job committed to the topics (the job has ended). */
  Output output(GladTopics topics, Mode mode) {
    Duration timeout = Duration.ofSeconds(60);
    return new Output(
        kafka.readCommitted(topics.userMemory(), timeout),
        mode == Mode.UPDATES ? kafka.readCommitted(topics.clusterMemory(), timeout) : List.of(),
        mode == Mode.UPDATES
            ? kafka.readCommitted(topics.clusterAssignments(), timeout)
            : List.of());
  }

  /** An uninterrupted bounded run of every event, on fresh topics. */
  Output uninterrupted(Mode mode) throws Exception {
    GladTopics topics = kafka.freshTopics();
    kafka.send(topics.interactions(), events, InteractionEvent::getUserId);
    runBounded(settings(topics, 2, mode).build(), null);
    return output(topics, mode);
  }

  /** The interrupted run's output compared with the uninterrupted run's, as the mode asks. */
  void assertSameMemory(Output actual, Output uninterrupted, Mode mode) throws Exception {
    assertExactlyOnce(actual);
    Map<String, UserMemory> got = lastPerUser(actual.userUpdates());
    Map<String, UserMemory> expected = lastPerUser(uninterrupted.userUpdates());
    assertThat(got.keySet()).isEqualTo(expected.keySet());
    for (var e : expected.entrySet()) {
      UserMemory a = got.get(e.getKey());
      UserMemory b = e.getValue();
      assertThat(a.getChunkCount()).as("chunks of " + e.getKey()).isEqualTo(b.getChunkCount());
      assertThat(a.getSequenceNumber()).as(e.getKey()).isEqualTo(b.getSequenceNumber());
      if (mode == Mode.FROZEN) {
        assertThat(a.getClusters()).as("edges of " + e.getKey()).isEqualTo(b.getClusters());
        assertClose(a.getHU0(), b.getHU0(), "hU0 of " + e.getKey());
        assertClose(a.getLongTerm(), b.getLongTerm(), "long-term of " + e.getKey());
        assertClose(a.getShortTerm(), b.getShortTerm(), "z_U of " + e.getKey());
      }
    }
    if (mode == Mode.UPDATES) {
      assertCentroidsFollowSequentialKMeans(actual);
    }
  }

  /** Every user's updates are numbered 1..n, each once: nothing lost, nothing twice. */
  static void assertExactlyOnce(Output output) {
    Map<String, List<Long>> sequenceNumbers =
        output.userUpdates().stream()
            .collect(
                Collectors.groupingBy(
                    UserMemory::getUserId,
                    Collectors.mapping(UserMemory::getSequenceNumber, Collectors.toList())));
    sequenceNumbers.forEach(
        (user, seqs) ->
            assertThat(seqs.stream().sorted().toList())
                .as("sequence numbers of " + user)
                .isEqualTo(LongStream.rangeClosed(1, seqs.size()).boxed().toList()));
  }

  /**
   * The final centroid of every cluster equals sequential k-means from the artifact's centroid over
   * the committed steps in the order the cluster node applied them (its size after each step).
   */
  void assertCentroidsFollowSequentialKMeans(Output output) throws Exception {
    try (GladModel offline = GladModel.load(model, "cpu")) {
      GraphMemoryMath math = offline.math();
      Map<Integer, ClusterMemory> finals = lastInLogOrder(output.clusterRecords());
      Map<Integer, List<ClusterAssignment>> byCluster =
          output.steps().stream().collect(Collectors.groupingBy(ClusterAssignment::getClusterId));
      assertThat(byCluster.keySet()).isEqualTo(finals.keySet());
      for (var entry : byCluster.entrySet()) {
        int j = entry.getKey();
        List<ClusterAssignment> ordered =
            entry.getValue().stream()
                .sorted(Comparator.comparingLong(ClusterAssignment::getSizeAfter))
                .toList();
        float[] centroid = offline.initialCentroids()[j].clone();
        long size = offline.initialClusterSizes()[j];
        for (ClusterAssignment step : ordered) {
          assertThat(step.getSizeAfter()).as("cluster " + j + " steps").isEqualTo(size + 1);
          centroid =
              math.centroidAfterChunk(centroid, size, Vectors.toArray(step.getChunkEmbedding()));
          size++;
        }
        ClusterMemory last = finals.get(j);
        assertThat(last.getSize()).as("size of cluster " + j).isEqualTo(size);
        assertClose(last.getCentroid(), Vectors.toList(centroid), "centroid of cluster " + j);
      }
    }
  }

  static Map<String, UserMemory> lastPerUser(List<UserMemory> records) {
    return records.stream()
        .collect(
            Collectors.toMap(
                UserMemory::getUserId,
                r -> r,
                (a, b) -> a.getSequenceNumber() >= b.getSequenceNumber() ? a : b));
  }

  /** The last record of each cluster as read (one partition per cluster: log order). */
  static Map<Integer, ClusterMemory> lastInLogOrder(List<ClusterMemory> records) {
    Map<Integer, ClusterMemory> last = new LinkedHashMap<>();
    for (ClusterMemory r : records) {
      last.put(r.getClusterId(), r);
    }
    return last;
  }

  static void assertClose(List<Float> actual, List<Float> expected, String what) {
    assertClose(actual, expected, what, TOLERANCE);
  }

  static void assertClose(List<Float> actual, List<Float> expected, String what, float tolerance) {
    assertThat(actual).as(what).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(Math.abs(actual.get(i) - expected.get(i)))
          .as(what + "[" + i + "]: " + actual.get(i) + " vs " + expected.get(i))
          .isLessThanOrEqualTo(tolerance);
    }
  }

  /** Complete chunks in {@code part}: each user's events there, in chunks of the model's c. */
  long chunksOf(List<InteractionEvent> part) {
    int c = TestModels.TINY.chunkSize();
    return part.stream()
        .collect(Collectors.groupingBy(InteractionEvent::getUserId, Collectors.counting()))
        .values()
        .stream()
        .mapToLong(n -> n / c)
        .sum();
  }

  /** An event of a user nobody else is, to move the watermark past everything before it. */
  static InteractionEvent tick(String id, long time) {
    return Events.click(id, "clock", "i0", time);
  }

  /**
   * One tick in each of the topic's {@code partitions}, so that every source split's watermark
   * passes {@code time} before the splits go idle. (A single tick in one partition moves the
   * watermark only if its split is still active when the others have gone idle; when the job reads
   * a backlog in one burst, all splits can go idle together and the tick's watermark is never
   * emitted.)
   */
  static List<InteractionEvent> ticks(String id, long time, int partitions) {
    List<InteractionEvent> ticks = new ArrayList<>();
    for (int p = 0, n = 0; p < partitions; n++) {
      String user = "clock-" + n;
      byte[] key = user.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      if (org.apache.kafka.common.utils.Utils.toPositive(
                  org.apache.kafka.common.utils.Utils.murmur2(key))
              % partitions
          == p) {
        ticks.add(Events.click(id + "-" + p, user, "i0", time));
        p++;
      }
    }
    return ticks;
  }
}
