package dev.glad.serving;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.glad.model.artifact.GladModel;
import dev.glad.model.head.GladHead;
import dev.glad.model.head.GladScorer;
import dev.glad.model.memory.UserGraphMemory;
import dev.glad.serving.memory.ClusterTable;
import dev.glad.serving.memory.StoredUserMemory;
import dev.glad.serving.memory.UserStore;
import dev.glad.serving.metrics.ServingMetrics;
import dev.glad.serving.scoring.ShortTermEncoder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ranker over a real (random) artifact, a real RocksDB store and the batched encoder: the
 * offline model's numbers for a user with memory, and every cold-start and safety rule.
 */
class GladRankerTest {
  private static final float TOLERANCE = 1e-5f;
  private static final long NOW = 1_000_000L;

  @TempDir static Path dir;
  private static GladModel model;
  private static UserStore users;
  private static ServingMetrics metrics;
  private static ShortTermEncoder encoder;
  private static GladRanker ranker;

  @BeforeAll
  static void start() {
    model = GladModel.load(TestArtifacts.randomGca(dir.resolve("model"), 11), "cpu");
    users = UserStore.open(dir.resolve("users"));
    metrics = new ServingMetrics();
    encoder = new ShortTermEncoder(model.encoder(), 16, Duration.ZERO, metrics);
    ranker =
        new GladRanker(
            model,
            users,
            new ClusterTable(model.modelVersion(), model.initialClusters()),
            encoder,
            metrics,
            () -> NOW);
  }

  @AfterAll
  static void stop() {
    encoder.close();
    users.close();
    model.close();
  }

  private static List<String> items(int... ids) {
    List<String> out = new ArrayList<>();
    for (int id : ids) {
      out.add("i" + id);
    }
    return out;
  }

  private static List<String> allItems() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < TestArtifacts.ITEMS; i++) {
      out.add("i" + i);
    }
    return out;
  }

  private static long deadline() {
    return System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
  }

  /** Stores the memory the stream would hold after {@code history} (frozen clusters). */
  private static UserGraphMemory storeMemoryOf(String userId, List<String> history) {
    UserGraphMemory m = model.memoryBuilder().buildFromItemIds(history, model.vocabulary());
    users.apply(
        model.modelVersion(),
        userId,
        new StoredUserMemory(
            model.modelVersion(),
            m.chunkCount() - 1,
            NOW - 5_000,
            NOW - 2_000,
            m.chunkCount(),
            m.clusterIds(),
            m.edgeWeights(),
            m.hU0(),
            m.zU()));
    return m;
  }

  @Test
  void aUserWithMemoryScoresAsTheOfflineModel() throws Exception {
    // Given a user whose memory the stream built from eight items (two complete chunks)
    List<String> history = items(1, 5, 9, 2, 5, 30, 31, 7);
    storeMemoryOf("u-glad", history);
    List<String> candidates = allItems();

    // When the ranker scores every item with the user's history as recent items
    ScoreResult r = ranker.score(new ScoreRequest("u-glad", history, candidates, true), deadline());

    // Then the scores are the offline GladScorer's (DJL head over the offline memory builder)
    assertThat(r.scoring()).isEqualTo(ScoreResult.Scoring.GLAD);
    assertThat(r.memory()).isEqualTo(ScoreResult.Memory.USED);
    assertThat(r.shortTerm()).isEqualTo(ScoreResult.ShortTermSource.RECENT_ITEMS);
    assertThat(r.memoryAgeMs()).isEqualTo(2_000);
    assertThat(r.chunkCount()).isEqualTo(2);
    float[] expected = offlineScores(history, candidates);
    for (int t = 0; t < candidates.size(); t++) {
      assertThat(r.scores()[t])
          .as(candidates.get(t))
          .isCloseTo(expected[t], org.assertj.core.data.Offset.offset(TOLERANCE));
      assertThat(r.gates()[t]).isBetween(0f, 1f);
    }
  }

  static float[] offlineScores(List<String> history, List<String> candidates) {
    int[][] input = {model.vocabulary().indicesOf(history)};
    int[][] items = {model.vocabulary().indicesOf(candidates)};
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      GladScorer scorer =
          new GladScorer(
              model.encoder(),
              GladHead.fromWeights(model.config(), manager, model.math().weights()),
              model.memoryBuilder(),
              model.config(),
              true);
      return scorer.scoreCandidates(input, items)[0];
    }
  }

  @Test
  void aUserWithoutMemoryIsScoredWithTheShortTermVectorAlone() throws Exception {
    List<String> recent = items(4, 8);
    ScoreResult r =
        ranker.score(new ScoreRequest("u-new", recent, items(1, 2, 3), true), deadline());

    assertThat(r.scoring()).isEqualTo(ScoreResult.Scoring.SHORT_TERM);
    assertThat(r.memory()).isEqualTo(ScoreResult.Memory.NONE);
    assertThat(r.gates()).containsOnly(1f);
    float[] offline = offlineScores(recent, items(1, 2, 3));
    for (int t = 0; t < 3; t++) {
      assertThat(r.scores()[t]).isCloseTo(offline[t], org.assertj.core.data.Offset.offset(1e-5f));
    }
  }

  @Test
  void withoutMemoryAndWithoutRecentItemsTheScoreIsItemPopularity() throws Exception {
    ScoreResult r =
        ranker.score(new ScoreRequest("u-nobody", List.of(), items(3, 6), true), deadline());

    assertThat(r.scoring()).isEqualTo(ScoreResult.Scoring.POPULARITY);
    assertThat(r.shortTerm()).isEqualTo(ScoreResult.ShortTermSource.NONE);
    assertThat(r.scores())
        .containsExactly(model.math().itemBias("i3"), model.math().itemBias("i6"));
    assertThat(r.gates()[0]).isNaN();
  }

  @Test
  void withMemoryButNoRecentItemsTheMemorysShortTermVectorIsUsed() throws Exception {
    List<String> history = items(2, 3, 4, 5, 6, 7);
    storeMemoryOf("u-quiet", history);

    ScoreResult r =
        ranker.score(new ScoreRequest("u-quiet", List.of(), items(2), true), deadline());

    // the stream's z_U is the encoding of the last complete chunk = the last c items here
    ScoreResult same =
        ranker.score(new ScoreRequest("u-quiet", items(5, 6, 7), items(2), true), deadline());
    assertThat(r.shortTerm()).isEqualTo(ScoreResult.ShortTermSource.MEMORY);
    assertThat(r.scoring()).isEqualTo(ScoreResult.Scoring.GLAD);
    assertThat(r.scores()[0])
        .isCloseTo(same.scores()[0], org.assertj.core.data.Offset.offset(1e-5f));
  }

  @Test
  void aMemoryOfAnotherModelVersionIsNeverMixedInAndIsCounted() throws Exception {
    users.apply(
        model.modelVersion(),
        "u-old",
        new StoredUserMemory(
            "another-model", 3, 0, 0, 4, new int[] {0}, new int[] {4}, new float[8], new float[8]));
    double before = metrics.scoredRequests("short_term", "other_model_version");

    ScoreResult r =
        ranker.score(new ScoreRequest("u-old", items(1, 2), items(5, 6), true), deadline());
    ScoreResult shortTerm =
        ranker.score(new ScoreRequest("u-old", items(1, 2), items(5, 6), false), deadline());

    assertThat(r.memory()).isEqualTo(ScoreResult.Memory.OTHER_MODEL_VERSION);
    assertThat(r.scoring()).isEqualTo(ScoreResult.Scoring.SHORT_TERM);
    assertThat(r.scores()).containsExactly(shortTerm.scores());
    assertThat(metrics.scoredRequests("short_term", "other_model_version")).isEqualTo(before + 1);
  }

  @Test
  void unknownItemsGetAStatusAndAreEncodedAsUnknownInTheRecentItems() throws Exception {
    ScoreResult r =
        ranker.score(
            new ScoreRequest("u-x", List.of("i1", "nope"), List.of("i2", "ghost", "i3"), true),
            deadline());

    assertThat(r.known(0)).isTrue();
    assertThat(r.known(1)).isFalse();
    assertThat(r.known(2)).isTrue();
    assertThat(r.unknownRecentItems()).containsExactly("nope");
  }

  @Test
  void shortTermOnlyScoringIgnoresTheMemory() throws Exception {
    List<String> history = items(1, 2, 3, 4, 5, 6);
    storeMemoryOf("u-both", history);

    ScoreResult r = ranker.score(new ScoreRequest("u-both", history, items(9), false), deadline());

    assertThat(r.memory()).isEqualTo(ScoreResult.Memory.NOT_REQUESTED);
    assertThat(r.scoring()).isEqualTo(ScoreResult.Scoring.SHORT_TERM);
  }

  @Test
  void theMemoryViewListsEdgesHeaviestFirstWithTheTopClustersItems() {
    List<String> history = items(1, 2, 3, 1, 2, 3, 1, 2, 3, 30, 31, 32);
    UserGraphMemory m = storeMemoryOf("u-view", history);

    MemoryView view = ranker.memory("u-view", 1, 3).orElseThrow();

    assertThat(view.servedVersion()).isTrue();
    assertThat(view.chunkCount()).isEqualTo(4);
    assertThat(view.ageMs()).isEqualTo(2_000);
    assertThat(view.clusters()).hasSize(m.clusterIds().length);
    List<Integer> weights = view.clusters().stream().map(MemoryView.Cluster::weight).toList();
    assertThat(weights).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    assertThat(view.clusters().get(0).topItems()).hasSize(3);
    for (int i = 1; i < view.clusters().size(); i++) {
      assertThat(view.clusters().get(i).topItems()).isEmpty();
    }
    assertThat(ranker.memory("u-never", 1, 3)).isEmpty();
  }
}
