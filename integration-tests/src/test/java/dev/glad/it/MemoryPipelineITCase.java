package dev.glad.it;

import static dev.glad.flink.job.GladJobOptions.ALLOWED_LATENESS;
import static dev.glad.flink.job.GladJobOptions.BOOTSTRAP_SERVERS;
import static dev.glad.flink.job.GladJobOptions.BOUNDED;
import static dev.glad.flink.job.GladJobOptions.CHECKPOINT_INTERVAL;
import static dev.glad.flink.job.GladJobOptions.CHUNK_SIZE;
import static dev.glad.flink.job.GladJobOptions.CLUSTER_PUBLISH_INTERVAL;
import static dev.glad.flink.job.GladJobOptions.CLUSTER_UPDATES;
import static dev.glad.flink.job.GladJobOptions.DEDUPE_WINDOW;
import static dev.glad.flink.job.GladJobOptions.DEVICE;
import static dev.glad.flink.job.GladJobOptions.EMIT_CLUSTER_ASSIGNMENTS;
import static dev.glad.flink.job.GladJobOptions.ENCODER_BATCH_SIZE;
import static dev.glad.flink.job.GladJobOptions.MAX_OUT_OF_ORDERNESS;
import static dev.glad.flink.job.GladJobOptions.MODEL_DIR;
import static dev.glad.flink.job.GladJobOptions.PARALLELISM;
import static dev.glad.flink.job.GladJobOptions.RESTART_ATTEMPTS;
import static dev.glad.flink.job.GladJobOptions.RESTART_DELAY;
import static dev.glad.flink.job.GladJobOptions.SOURCE_IDLENESS;
import static dev.glad.flink.job.GladJobOptions.STARTING_OFFSETS;
import static dev.glad.flink.job.GladJobOptions.TOPIC_PREFIX;
import static dev.glad.flink.job.GladJobOptions.TRANSACTIONAL_ID_PREFIX;
import static dev.glad.flink.job.GladJobOptions.TRANSACTION_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glad.flink.job.GladJob;
import dev.glad.flink.job.GladJobOptions;
import dev.glad.flink.job.GladJobSettings;
import dev.glad.flink.job.KafkaIo;
import dev.glad.flink.memory.Vectors;
import dev.glad.model.artifact.GladModel;
import dev.glad.model.data.UserSequences;
import dev.glad.model.encoder.Devices;
import dev.glad.model.memory.GraphMemoryMath;
import dev.glad.model.memory.OfflineMemoryBuilder;
import dev.glad.schemas.ClusterAssignment;
import dev.glad.schemas.ClusterEdge;
import dev.glad.schemas.ClusterMemory;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.UserMemory;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.tools.generator.SyntheticInteractions;
import dev.glad.tools.replay.DatasetReplay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole flow with a small model trained in the test: interactions in, user and cluster memory
 * out, and the checks that the stream computes GLAD — the same memory as the offline model code.
 */
class MemoryPipelineITCase {
  /**
   * The job's encoder device: {@code cpu}, or {@code gpu:N} with -Dglad.it.device=gpu:N
   * (scripts/gpu-check.sh); the offline reference always runs on the CPU. A GPU computes with other
   * kernels and summation orders, so its vectors differ from the CPU's in the last digits and it
   * comes with its own tolerance, -Dglad.it.tolerance.
   */
  private static final String JOB_DEVICE = System.getProperty("glad.it.device", "cpu");

  private static final float TOLERANCE =
      Float.parseFloat(System.getProperty("glad.it.tolerance", "1e-4"));

  @RegisterExtension static final KafkaTestBroker KAFKA = new KafkaTestBroker();

  @RegisterExtension static final MiniClusterExtension FLINK = TestClusters.twoSlots();

  private static Path model;
  private static UserSequences data;

  @BeforeAll
  static void trainModelAndMakeData() {
    if (!JOB_DEVICE.equals("cpu")) {
      // the MiniCluster declares no external resource "gpu", so only gpu:N selects a GPU; one
      // that is not there fails here instead of the job falling back to the CPU unnoticed
      assertThat(JOB_DEVICE).as("glad.it.device").matches("gpu:\\d+");
      Devices.require(JOB_DEVICE);
    }
    model = TestModels.tiny();
    // users of the model's generator, with history the model was not trained on
    SyntheticInteractions generator =
        new SyntheticInteractions(TestModels.TINY.generatorSettings(0).withUsers(60));
    Map<String, List<String>> byUser = new LinkedHashMap<>();
    for (InteractionEvent e : generator.next(1_800)) {
      byUser.computeIfAbsent(e.getUserId(), u -> new ArrayList<>()).add(e.getItemId());
    }
    data = new UserSequences(List.copyOf(byUser.keySet()), List.copyOf(byUser.values()));
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2})
  void withFrozenClustersTheStreamEqualsTheOfflineModelCode(int parallelism) throws Exception {
    // Given a dataset replayed into Kafka
    GladTopics topics = KAFKA.freshTopics();
    List<InteractionEvent> events = DatasetReplay.events(data, startOfReplay(), 1_000);
    KAFKA.send(topics.interactions(), events, InteractionEvent::getUserId);

    // When the job reads it with cluster updates off
    run(settings(topics, parallelism).set(CLUSTER_UPDATES, false).build());

    // Then nothing was rejected, and every user's last memory equals the offline builder's
    assertThat(KAFKA.readCommitted(topics.deadLetters(), readTimeout())).isEmpty();
    Map<String, UserMemory> streamed =
        lastPerUser(KAFKA.readCommitted(topics.userMemory(), readTimeout()));
    try (GladModel offline = GladModel.load(model, "cpu")) {
      OfflineMemoryBuilder builder = offline.memoryBuilder();
      int c = offline.config().chunkSize();
      int usersWithMemory = 0;
      for (int u = 0; u < data.userCount(); u++) {
        List<String> items = data.items(u);
        UserMemory actual = streamed.get(data.userId(u));
        if (items.size() < c) {
          assertThat(actual).as(data.userId(u)).isNull();
          continue;
        }
        usersWithMemory++;
        var expected = builder.build(offline.vocabulary().indicesOf(items));
        assertThat(actual).as(data.userId(u)).isNotNull();
        assertThat(actual.getChunkCount()).isEqualTo(expected.chunkCount());
        assertThat(actual.getSequenceNumber()).isEqualTo(expected.chunkCount());
        assertThat(actual.getClusters().stream().map(ClusterEdge::getClusterId))
            .containsExactly(box(expected.clusterIds()));
        assertThat(actual.getClusters().stream().map(ClusterEdge::getWeight))
            .containsExactly(box(expected.edgeWeights()));
        assertClose(Vectors.toArray(actual.getHU0()), expected.hU0(), "hU0 of " + data.userId(u));
        assertClose(
            Vectors.toArray(actual.getLongTerm()),
            expected.longTerm(),
            "long-term of " + data.userId(u));
        assertClose(
            Vectors.toArray(actual.getShortTerm()), expected.zU(), "z_U of " + data.userId(u));
        assertThat(actual.getModelVersion()).isEqualTo(offline.modelVersion());
      }
      assertThat(usersWithMemory).isGreaterThan(30);
      assertThat(streamed).hasSize(usersWithMemory);
    }
  }

  @Test
  void everyChunkUpdatesItsUserOnceAndTheCentroidsFollowSequentialKMeans() throws Exception {
    // Given the dataset, with cluster updates on and every k-means step audited
    GladTopics topics = KAFKA.freshTopics();
    List<InteractionEvent> events = DatasetReplay.events(data, startOfReplay(), 1_000);
    KAFKA.send(topics.interactions(), events, InteractionEvent::getUserId);

    run(settings(topics, 2).set(CLUSTER_UPDATES, true).set(EMIT_CLUSTER_ASSIGNMENTS, true).build());

    // Then each complete chunk produced exactly one user-memory update, numbered 1..n per user
    List<UserMemory> updates = KAFKA.readCommitted(topics.userMemory(), readTimeout());
    try (GladModel offline = GladModel.load(model, "cpu")) {
      int c = offline.config().chunkSize();
      long chunks = 0;
      for (int u = 0; u < data.userCount(); u++) {
        chunks += data.items(u).size() / c;
      }
      assertThat(updates).hasSize((int) chunks);
      Map<String, List<Long>> sequenceNumbers =
          updates.stream()
              .collect(
                  Collectors.groupingBy(
                      UserMemory::getUserId,
                      Collectors.mapping(UserMemory::getSequenceNumber, Collectors.toList())));
      sequenceNumbers.forEach(
          (user, seqs) ->
              assertThat(seqs.stream().sorted().toList())
                  .as(user)
                  .isEqualTo(
                      java.util.stream.LongStream.rangeClosed(1, seqs.size()).boxed().toList()));

      // and the final centroids equal sequential k-means over the chunk embeddings, replayed
      // offline in the order the stream applied them
      List<ClusterAssignment> steps =
          KAFKA.readCommitted(topics.clusterAssignments(), readTimeout());
      assertThat(steps).hasSize((int) chunks);
      Map<Integer, ClusterMemory> finals =
          lastPerCluster(KAFKA.readCommitted(topics.clusterMemory(), readTimeout()));
      GraphMemoryMath math = offline.math();
      Map<Integer, List<ClusterAssignment>> byCluster =
          steps.stream().collect(Collectors.groupingBy(ClusterAssignment::getClusterId));
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
          assertThat(step.getSizeAfter()).isEqualTo(size + 1);
          centroid =
              math.centroidAfterChunk(centroid, size, Vectors.toArray(step.getChunkEmbedding()));
          size++;
        }
        ClusterMemory last = finals.get(j);
        assertThat(last.getSize()).isEqualTo(size);
        assertClose(Vectors.toArray(last.getCentroid()), centroid, "centroid of cluster " + j);
      }
    }
  }

  @Test
  void clusterUpdatesReachTheEncoderWithinTheFeedbackBound() throws Exception {
    // Given a running job with cluster updates on, checkpoints every 500 ms
    GladTopics topics = KAFKA.freshTopics();
    GladJobSettings settings =
        settings(topics, 2)
            .set(BOUNDED, false)
            .set(CLUSTER_UPDATES, true)
            .set(EMIT_CLUSTER_ASSIGNMENTS, true)
            // the tick that moves the watermark goes to one partition, so the others must go idle
            // quickly; then a partition read late can fall behind the watermark: admit it (this
            // test is about the feedback bound, not about lateness)
            .set(SOURCE_IDLENESS, Duration.ofSeconds(1))
            .set(CLUSTER_PUBLISH_INTERVAL, Duration.ofMillis(200))
            .set(ALLOWED_LATENESS, Duration.ofMinutes(30))
            .set(DEDUPE_WINDOW, Duration.ofHours(1))
            // a long-running job with 500 ms checkpoints on a loaded 2-core machine: a transient
            // task or checkpoint failure restarts it (logged) instead of failing the test; the
            // bound checked below holds across a restart
            .set(RESTART_ATTEMPTS, 3)
            .set(RESTART_DELAY, Duration.ofMillis(200))
            .build();
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(GladJob.flinkConfiguration(settings));
    KafkaIo.job(settings).addTo(env);
    var job = env.executeAsync("memory-feedback-it");
    try {
      int c = TestModels.TINY.chunkSize();
      UserSequences first = prefixes(data, 0, 3 * c);
      UserSequences second = prefixes(data, 3 * c, Integer.MAX_VALUE);
      long start = startOfReplay();
      List<InteractionEvent> batch1 = DatasetReplay.events(first, start, 1_000);
      KAFKA.send(topics.interactions(), batch1, InteractionEvent::getUserId);
      KAFKA.send(
          topics.interactions(),
          List.of(tick("tick-1", start + 10_000_000)),
          InteractionEvent::getUserId);
      long chunks1 = chunksOf(first, c);
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  RunningJobs.running(job)
                      && KAFKA.readCommittedSoFar(topics.clusterAssignments()).size() >= chunks1);
      Map<Integer, Long> sizeAfterFirst = new LinkedHashMap<>();
      for (ClusterAssignment a : KAFKA.readCommittedSoFar(topics.clusterAssignments())) {
        sizeAfterFirst.merge(a.getClusterId(), a.getSizeAfter(), Math::max);
      }

      // When more chunks come after the documented bound (checkpoint interval + poll) has passed
      // one publish interval, one checkpoint to commit, one poll, slack for this machine
      Thread.sleep(200 + 500 + 500 + 2_000);
      List<InteractionEvent> batch2 =
          DatasetReplay.events(second, start + 20_000_000, 1_000).stream()
              .map(e -> InteractionEvent.newBuilder(e).setEventId("b2-" + e.getEventId()).build())
              .toList();
      KAFKA.send(topics.interactions(), batch2, InteractionEvent::getUserId);
      KAFKA.send(
          topics.interactions(),
          List.of(tick("tick-2", start + 40_000_000)),
          InteractionEvent::getUserId);
      long total = chunks1 + chunksOf(second, c);
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  RunningJobs.running(job)
                      && KAFKA.readCommittedSoFar(topics.clusterAssignments()).size() >= total);

      // Then every assignment of the second batch saw every k-means step of the first
      List<ClusterAssignment> steps = KAFKA.readCommittedSoFar(topics.clusterAssignments());
      List<ClusterAssignment> later =
          steps.stream()
              .filter(a -> a.getSizeAfter() > sizeAfterFirst.getOrDefault(a.getClusterId(), 0L))
              .toList();
      assertThat(later).isNotEmpty();
      for (ClusterAssignment a : later) {
        assertThat(a.getSizeSeenByEncoder())
            .as("cluster %d step %d", a.getClusterId(), a.getSizeAfter())
            .isGreaterThanOrEqualTo(sizeAfterFirst.getOrDefault(a.getClusterId(), 0L));
      }
      // (within a burst, assignments may miss the burst's own steps: that lag is the measured one)
      long maxLag =
          steps.stream()
              .mapToLong(a -> a.getSizeAfter() - 1 - a.getSizeSeenByEncoder())
              .max()
              .orElse(0);
      System.out.println("cluster feedback: max k-means steps missed by an assignment = " + maxLag);
    } finally {
      RunningJobs.cancelIfRunning(job);
    }
  }

  @Test
  void aCorruptArtifactFailsBeforeTheJobIsSubmitted(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws Exception {
    Path broken = tmp.resolve("model");
    copy(model, broken);
    Path params =
        Files.list(broken).filter(p -> p.toString().endsWith(".npz")).findFirst().orElseThrow();
    byte[] bytes = Files.readAllBytes(params);
    bytes[bytes.length / 2] ^= 0x5A;
    Files.write(params, bytes);
    GladTopics topics = KAFKA.freshTopics();

    assertThatThrownBy(
            () -> KafkaIo.job(settings(topics, 1).set(MODEL_DIR, broken.toString()).build()))
        .hasMessageContaining(params.getFileName().toString());
  }

  @Test
  void aJobChunkSizeThatDiffersFromTheModelsIsRefused() {
    GladTopics topics = KAFKA.freshTopics();
    assertThatThrownBy(() -> KafkaIo.job(settings(topics, 1).set(CHUNK_SIZE, 7).build()))
        .hasMessageContaining("chunk-size 7 of the job differs from the model's c = 5");
  }

  // ---- helpers

  /** True while the job runs; fails the test at once when it has died. */
  /** Items {@code from} (inclusive) to {@code to} (exclusive) of every user. */
  private static UserSequences prefixes(UserSequences all, int from, int to) {
    List<List<String>> items = new ArrayList<>();
    for (int u = 0; u < all.userCount(); u++) {
      List<String> mine = all.items(u);
      items.add(mine.subList(Math.min(from, mine.size()), Math.min(to, mine.size())));
    }
    List<String> users = new ArrayList<>();
    for (int u = 0; u < all.userCount(); u++) {
      users.add(all.userId(u));
    }
    return new UserSequences(users, items);
  }

  private static long chunksOf(UserSequences d, int c) {
    long n = 0;
    for (int u = 0; u < d.userCount(); u++) {
      n += d.items(u).size() / c;
    }
    return n;
  }

  /** An event of a user nobody else is, to move the watermark past everything before it. */
  private static InteractionEvent tick(String id, long time) {
    return Events.click(id, "clock", "i0", time);
  }

  private static long startOfReplay() {
    return System.currentTimeMillis() - Duration.ofDays(1).toMillis();
  }

  private static Duration readTimeout() {
    return Duration.ofSeconds(60);
  }

  private static GladJobSettings.Builder settings(GladTopics topics, int parallelism) {
    return GladJobSettings.builder()
        .set(BOOTSTRAP_SERVERS, KAFKA.bootstrapServers())
        .set(TOPIC_PREFIX, topics.prefix())
        .set(MODEL_DIR, model.toString())
        .set(DEVICE, JOB_DEVICE)
        .set(ENCODER_BATCH_SIZE, 16)
        .set(MAX_OUT_OF_ORDERNESS, Duration.ofSeconds(1))
        .set(STARTING_OFFSETS, GladJobOptions.StartingOffsets.EARLIEST)
        .set(BOUNDED, true)
        .set(CHECKPOINT_INTERVAL, Duration.ofMillis(500))
        .set(RESTART_ATTEMPTS, 0)
        .set(PARALLELISM, parallelism)
        // generous: a slow stretch on a loaded machine must not let the broker abort a
        // transaction the job will still commit (that loses its records)
        .set(TRANSACTION_TIMEOUT, Duration.ofMinutes(5))
        .set(TRANSACTIONAL_ID_PREFIX, "mem-" + topics.prefix() + parallelism);
  }

  private static void run(GladJobSettings settings) throws Exception {
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(GladJob.flinkConfiguration(settings));
    KafkaIo.job(settings).addTo(env);
    env.execute("memory-it");
  }

  private static Map<String, UserMemory> lastPerUser(List<UserMemory> records) {
    return records.stream()
        .collect(
            Collectors.toMap(
                UserMemory::getUserId,
                r -> r,
                (a, b) -> a.getSequenceNumber() >= b.getSequenceNumber() ? a : b));
  }

  private static Map<Integer, ClusterMemory> lastPerCluster(List<ClusterMemory> records) {
    return records.stream()
        .collect(
            Collectors.toMap(
                ClusterMemory::getClusterId,
                r -> r,
                (a, b) -> a.getVersion() >= b.getVersion() ? a : b));
  }

  private static void assertClose(float[] actual, float[] expected, String what) {
    assertThat(actual).as(what).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat(Math.abs(actual[i] - expected[i]))
          .as(what + "[" + i + "]: " + actual[i] + " vs " + expected[i])
          .isLessThanOrEqualTo(TOLERANCE);
    }
  }

  private static Integer[] box(int[] values) {
    return java.util.Arrays.stream(values).boxed().toArray(Integer[]::new);
  }

  private static void copy(Path from, Path to) throws java.io.IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }
}
