package dev.glad.it;

import static dev.glad.flink.job.GladJobOptions.BOOTSTRAP_SERVERS;
import static dev.glad.flink.job.GladJobOptions.BOUNDED;
import static dev.glad.flink.job.GladJobOptions.CHECKPOINT_INTERVAL;
import static dev.glad.flink.job.GladJobOptions.CLUSTER_UPDATES;
import static dev.glad.flink.job.GladJobOptions.DEVICE;
import static dev.glad.flink.job.GladJobOptions.ENCODER_BATCH_SIZE;
import static dev.glad.flink.job.GladJobOptions.MAX_OUT_OF_ORDERNESS;
import static dev.glad.flink.job.GladJobOptions.MODEL_DIR;
import static dev.glad.flink.job.GladJobOptions.PARALLELISM;
import static dev.glad.flink.job.GladJobOptions.RESTART_ATTEMPTS;
import static dev.glad.flink.job.GladJobOptions.STARTING_OFFSETS;
import static dev.glad.flink.job.GladJobOptions.TOPIC_PREFIX;
import static dev.glad.flink.job.GladJobOptions.TRANSACTIONAL_ID_PREFIX;
import static dev.glad.flink.job.GladJobOptions.TRANSACTION_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.glad.flink.job.GladJob;
import dev.glad.flink.job.GladJobOptions;
import dev.glad.flink.job.GladJobSettings;
import dev.glad.flink.job.KafkaIo;
import dev.glad.model.artifact.GladModel;
import dev.glad.model.data.SpecialTokens;
import dev.glad.model.data.UserSequences;
import dev.glad.model.head.GladHead;
import dev.glad.model.head.GladScorer;
import dev.glad.model.memory.GraphMemoryMath;
import dev.glad.schemas.ClusterEdge;
import dev.glad.schemas.ClusterMemory;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.UserMemory;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.serving.MemoryView;
import dev.glad.serving.ScoreRequest;
import dev.glad.serving.ScoreResult;
import dev.glad.serving.app.RankingService;
import dev.glad.serving.config.RankingServiceOptions;
import dev.glad.serving.config.RankingServiceSettings;
import dev.glad.tools.generator.SyntheticInteractions;
import dev.glad.tools.replay.DatasetReplay;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broker + job + ranking service in one JVM (the service's RocksDB and the job's RocksDB state
 * backend share one {@code org.rocksdb}): the served scores equal the offline model's for users
 * streamed through the job, the service follows the topics live (users and clusters), and it never
 * mixes in a memory of another model version.
 */
class RankingServiceITCase {
  /** The bound between served and offline scores. */
  private static final float TOLERANCE = 1e-5f;

  @RegisterExtension static final KafkaTestBroker KAFKA = new KafkaTestBroker();

  @RegisterExtension static final MiniClusterExtension FLINK = TestClusters.twoSlots();

  private static Path model;
  private static UserSequences data;
  private static List<String> candidates;

  @TempDir static Path stateDirs;

  @BeforeAll
  static void trainModelAndMakeData() {
    model = TestModels.tiny();
    SyntheticInteractions generator =
        new SyntheticInteractions(TestModels.TINY.generatorSettings(0).withUsers(40));
    Map<String, List<String>> byUser = new LinkedHashMap<>();
    for (InteractionEvent e : generator.next(1_200)) {
      byUser.computeIfAbsent(e.getUserId(), u -> new ArrayList<>()).add(e.getItemId());
    }
    data = new UserSequences(List.copyOf(byUser.keySet()), List.copyOf(byUser.values()));
    try (GladModel m = GladModel.load(model, "cpu")) {
      List<String> all = m.vocabulary().itemIds();
      SplittableRandom random = new SplittableRandom(3);
      candidates = new ArrayList<>();
      for (int t = 0; t < 99; t++) {
        candidates.add(all.get(random.nextInt(all.size())));
      }
      candidates.add(50, "an-item-the-model-never-saw");
    }
  }

  @Test
  void forUsersStreamedThroughTheJobTheServedScoresEqualTheOfflineModels() throws Exception {
    // Given users streamed through the job (frozen clusters: the offline model's cluster state)
    GladTopics topics = KAFKA.freshTopics();
    KAFKA.send(
        topics.interactions(),
        DatasetReplay.events(data, startOfReplay(), 1_000),
        InteractionEvent::getUserId);
    runJob(jobSettings(topics, 2).set(CLUSTER_UPDATES, false).build());

    // When the service has read the memory topics and every user is scored over HTTP
    try (RankingService service = startService(topics, "equivalence");
        GladModel offline = GladModel.load(model, "cpu");
        NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      assertThat(service.awaitReady(Duration.ofSeconds(60))).isTrue();
      GladScorer scorer =
          new GladScorer(
              offline.encoder(),
              GladHead.fromWeights(offline.config(), manager, offline.math().weights()),
              offline.memoryBuilder(),
              offline.config(),
              true);
      int c = offline.config().chunkSize();
      HttpClient http = HttpClient.newHttpClient();
      int[] candidateIndices = offline.vocabulary().indicesOf(candidates);
      int withMemory = 0;
      double largest = 0;
      for (int u = 0; u < data.userCount(); u++) {
        List<String> history = data.items(u);
        JsonObject answer = score(http, service, data.userId(u), history, candidates);

        // Then the scores are GladScorer's over the same history and cluster state
        float[] expected =
            scorer
                .scoreCandidates(
                    new int[][] {offline.vocabulary().indicesOf(history)},
                    new int[][] {candidateIndices})[0];
        boolean hasMemory = history.size() >= c;
        withMemory += hasMemory ? 1 : 0;
        assertThat(answer.get("memory").getAsString())
            .as(data.userId(u))
            .isEqualTo(hasMemory ? "used" : "none");
        assertThat(answer.get("scoring").getAsString())
            .isEqualTo(hasMemory ? "glad" : "short_term");
        assertThat(answer.get("modelVersion").getAsString()).isEqualTo(offline.modelVersion());
        JsonArray results = answer.getAsJsonArray("results");
        assertThat(results).hasSize(candidates.size());
        for (int t = 0; t < candidates.size(); t++) {
          JsonObject r = results.get(t).getAsJsonObject();
          assertThat(r.get("item").getAsString()).isEqualTo(candidates.get(t));
          if (candidates.get(t).equals("an-item-the-model-never-saw")) {
            assertThat(r.get("status").getAsString()).isEqualTo("unknown_item");
            assertThat(r.get("score").isJsonNull()).isTrue();
            continue;
          }
          float served = r.get("score").getAsFloat();
          largest = Math.max(largest, Math.abs(served - expected[t]));
          assertThat(Math.abs(served - expected[t]))
              .as(
                  "%s, %s: served %s, offline %s",
                  data.userId(u), candidates.get(t), served, expected[t])
              .isLessThanOrEqualTo(TOLERANCE);
        }
      }
      assertThat(withMemory).isGreaterThan(20);
      System.out.printf(
          "ranking service vs offline GladScorer: %d users (%d with memory) x %d candidates,"
              + " largest difference %.2e%n",
          data.userCount(), withMemory, candidates.size(), largest);
    }
  }

  @Test
  void theServiceFollowsTheTopicsLiveAndScoresWithTheLatestUserAndClusterState() throws Exception {
    // Given a service that is ready on empty topics
    GladTopics topics = KAFKA.freshTopics();
    try (RankingService service = startService(topics, "live");
        GladModel offline = GladModel.load(model, "cpu")) {
      assertThat(service.awaitReady(Duration.ofSeconds(60))).isTrue();

      // When the job streams the users with cluster updates on (the service already serving)
      KAFKA.send(
          topics.interactions(),
          DatasetReplay.events(data, startOfReplay(), 1_000),
          InteractionEvent::getUserId);
      runJob(jobSettings(topics, 2).set(CLUSTER_UPDATES, true).build());
      Map<String, UserMemory> users = new LinkedHashMap<>();
      for (UserMemory m : KAFKA.readCommitted(topics.userMemory(), Duration.ofSeconds(60))) {
        users.merge(
            m.getUserId(), m, (a, b) -> a.getSequenceNumber() >= b.getSequenceNumber() ? a : b);
      }
      Map<Integer, ClusterMemory> clusters = new LinkedHashMap<>();
      for (ClusterMemory m : KAFKA.readCommitted(topics.clusterMemory(), Duration.ofSeconds(60))) {
        clusters.put(m.getClusterId(), m); // the last record in log order (one writer per key)
      }
      assertThat(clusters).isNotEmpty();

      // Then it catches up without a restart: every user's latest memory, every cluster's
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  users.values().stream()
                          .allMatch(
                              m ->
                                  service
                                      .ranker()
                                      .memory(m.getUserId(), 0, 0)
                                      .map(v -> v.sequenceNumber() == m.getSequenceNumber())
                                      .orElse(false))
                      && service.materializer().clusterLag() == 0
                      && service.materializer().userLag() == 0);
      assertThat(service.ready()).isTrue();

      // and scores with them: the model's equations over the topics' latest records
      GraphMemoryMath math = offline.math();
      int c = offline.config().chunkSize();
      int[] candidateIndices = offline.vocabulary().indicesOf(candidates);
      Map<String, List<String>> historyOf = new LinkedHashMap<>();
      for (int u = 0; u < data.userCount(); u++) {
        historyOf.put(data.userId(u), data.items(u));
      }
      for (UserMemory m : users.values()) {
        List<String> history = historyOf.get(m.getUserId());
        List<String> recent = history.subList(history.size() - c, history.size());
        ScoreResult served =
            service
                .ranker()
                .score(
                    new ScoreRequest(m.getUserId(), recent, candidates, true),
                    System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
        MemoryView view = service.ranker().memory(m.getUserId(), 0, 0).orElseThrow();
        assertThat(view.ageMs()).isGreaterThanOrEqualTo(0);
        assertThat(served.scoring()).isEqualTo(ScoreResult.Scoring.GLAD);
        float[] expected = expectedScores(offline, math, m, clusters, recent, candidateIndices);
        for (int t = 0; t < candidateIndices.length; t++) {
          if (candidateIndices[t] == SpecialTokens.UNK) {
            continue;
          }
          assertThat(served.scores()[t])
              .as("%s, %s", m.getUserId(), candidates.get(t))
              .isCloseTo(
                  expected[t],
                  org.assertj.core.data.Offset.offset(
                      TOLERANCE * Math.max(1, Math.abs(expected[t]))));
        }
      }
    }
  }

  /** GraphMemoryMath per candidate over a user record and the clusters' last records. */
  private static float[] expectedScores(
      GladModel offline,
      GraphMemoryMath math,
      UserMemory m,
      Map<Integer, ClusterMemory> clusters,
      List<String> recent,
      int[] candidateIndices) {
    int n = m.getClusters().size();
    int[] ids = new int[n];
    int[] weights = new int[n];
    float[][] centroids = new float[n][];
    float[][] hidden = new float[n][];
    for (int i = 0; i < n; i++) {
      ClusterEdge edge = m.getClusters().get(i);
      ids[i] = edge.getClusterId();
      weights[i] = edge.getWeight();
      ClusterMemory record = clusters.get(ids[i]);
      centroids[i] =
          record == null ? offline.initialCentroids()[ids[i]] : floats(record.getCentroid());
      hidden[i] =
          record == null ? offline.initialClusterHidden()[ids[i]] : floats(record.getHCE1());
    }
    float[] zU = offline.encoder().encode(offline.vocabulary().indicesOf(recent));
    float[] hU1 = math.userHidden(floats(m.getHU0()), ids, weights, centroids);
    float[] longTerm = math.userLongTerm(hU1, weights, hidden);
    float[] out = new float[candidateIndices.length];
    for (int t = 0; t < out.length; t++) {
      out[t] =
          math.scoreItem(
              offline.config().variant(), zU, hU1, weights, hidden, longTerm, candidateIndices[t]);
    }
    return out;
  }

  @Test
  void aMemoryOfAnotherModelVersionIsNotMixedInAndAnErasedUserIsForgotten() throws Exception {
    // Given a user written by another model version, and a user written then erased
    GladTopics topics = KAFKA.freshTopics();
    try (GladModel offline = GladModel.load(model, "cpu")) {
      int e = offline.config().hiddenSize();
      KAFKA.send(
          topics.userMemory(),
          List.of(
              userRecord("u-old-model", "another-model-version", e),
              userRecord("u-erased", offline.modelVersion(), e)),
          UserMemory::getUserId);
      KAFKA.sendRaw(topics.userMemory().name(), "u-erased", null);

      // When the service has read the topic
      try (RankingService service = startService(topics, "versions")) {
        assertThat(service.awaitReady(Duration.ofSeconds(60))).isTrue();
        HttpClient http = HttpClient.newHttpClient();

        // Then the other version's memory is not used: short-term scoring, counted
        JsonObject old = score(http, service, "u-old-model", List.of(), candidates.subList(0, 3));
        assertThat(old.get("memory").getAsString()).isEqualTo("other_model_version");
        assertThat(old.get("scoring").getAsString()).isEqualTo("popularity");
        JsonObject withRecent =
            score(http, service, "u-old-model", candidates.subList(0, 4), candidates.subList(0, 3));
        assertThat(withRecent.get("scoring").getAsString()).isEqualTo("short_term");
        assertThat(
                withRecent
                    .getAsJsonArray("results")
                    .get(0)
                    .getAsJsonObject()
                    .get("gate")
                    .getAsFloat())
            .isEqualTo(1f);
        String metrics = get(http, service, "/metrics").body();
        assertThat(metrics)
            .contains(
                "glad_serving_scored_requests_total{memory=\"other_model_version\",scoring=\"popularity\"} 1")
            .contains(
                "glad_serving_scored_requests_total{memory=\"other_model_version\",scoring=\"short_term\"} 1")
            .contains(
                "glad_serving_topic_records_total{outcome=\"tombstone\",topic=\"user-memory\"} 1");

        // and the erased user is gone
        assertThat(get(http, service, "/v1/users/u-erased/memory").statusCode()).isEqualTo(404);
        assertThat(
                score(http, service, "u-erased", List.of(), candidates.subList(0, 1))
                    .get("memory")
                    .getAsString())
            .isEqualTo("none");
        HttpResponse<String> ready = get(http, service, "/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"userLagRecords\":0");
      }
    }
  }

  @Test
  void aCorruptArtifactIsRefusedWithAClearMessage(@TempDir Path tmp) throws Exception {
    Path broken = tmp.resolve("model");
    Files.createDirectories(broken);
    try (var files = Files.list(model)) {
      for (Path f : files.toList()) {
        Files.copy(f, broken.resolve(f.getFileName()));
      }
    }
    Path head = broken.resolve("head.npz");
    byte[] bytes = Files.readAllBytes(head);
    bytes[bytes.length / 2] ^= 0x5A;
    Files.write(head, bytes);
    GladTopics topics = KAFKA.freshTopics();

    assertThatThrownBy(() -> RankingService.start(serviceSettings(topics, broken, "corrupt")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cannot serve the model artifact " + broken + ": ")
        .hasMessageContaining("head.npz: checksum mismatch");
  }

  // ---- helpers

  private static UserMemory userRecord(String user, String version, int e) {
    List<Float> zeros = new ArrayList<>();
    for (int i = 0; i < e; i++) {
      zeros.add(0.1f * i);
    }
    return UserMemory.newBuilder()
        .setUserId(user)
        .setModelVersion(version)
        .setEventTime(Instant.now())
        .setUpdateTime(Instant.now())
        .setChunkCount(1)
        .setClusters(List.of(new ClusterEdge(0, 1)))
        .setHU0(zeros)
        .setLongTerm(zeros)
        .setShortTerm(zeros)
        .setSequenceNumber(0)
        .build();
  }

  private static RankingServiceSettings serviceSettings(
      GladTopics topics, Path artifact, String name) {
    return RankingServiceSettings.builder()
        .set(RankingServiceOptions.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers())
        .set(RankingServiceOptions.TOPIC_PREFIX, topics.prefix())
        .set(RankingServiceOptions.MODEL_DIR, artifact.toString())
        .set(RankingServiceOptions.HOST, "127.0.0.1")
        .set(RankingServiceOptions.PORT, 0)
        .set(RankingServiceOptions.STATE_DIR, stateDirs.resolve(name).toString())
        .build();
  }

  private static RankingService startService(GladTopics topics, String name) {
    return RankingService.start(serviceSettings(topics, model, name));
  }

  private static JsonObject score(
      HttpClient http, RankingService service, String user, List<String> recent, List<String> items)
      throws Exception {
    JsonObject body = new JsonObject();
    body.addProperty("userId", user);
    JsonArray r = new JsonArray();
    recent.forEach(r::add);
    body.add("recentItems", r);
    JsonArray c = new JsonArray();
    items.forEach(c::add);
    body.add("candidates", c);
    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(URI.create(service.baseUrl() + "/v1/score"))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    JsonElement parsed = JsonParser.parseString(answer.body());
    return parsed.getAsJsonObject();
  }

  private static HttpResponse<String> get(HttpClient http, RankingService service, String path)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(service.baseUrl() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static float[] floats(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  private static long startOfReplay() {
    return System.currentTimeMillis() - Duration.ofDays(1).toMillis();
  }

  private static GladJobSettings.Builder jobSettings(GladTopics topics, int parallelism) {
    return GladJobSettings.builder()
        .set(BOOTSTRAP_SERVERS, KAFKA.bootstrapServers())
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
        .set(TRANSACTION_TIMEOUT, Duration.ofMinutes(5))
        .set(TRANSACTIONAL_ID_PREFIX, "serve-" + topics.prefix() + parallelism);
  }

  private static void runJob(GladJobSettings settings) throws Exception {
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(GladJob.flinkConfiguration(settings));
    KafkaIo.job(settings).addTo(env);
    env.execute("ranking-service-it");
  }
}
