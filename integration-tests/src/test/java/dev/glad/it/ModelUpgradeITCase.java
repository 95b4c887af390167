package dev.glad.it;

import static dev.glad.flink.job.GladJobOptions.BOUNDED;
import static dev.glad.flink.job.GladJobOptions.MODEL_DIR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.glad.flink.memory.Vectors;
import dev.glad.flink.state.UserState;
import dev.glad.it.KafkaTestBroker.Keyed;
import dev.glad.it.MemoryRuns.Mode;
import dev.glad.model.artifact.GladModel;
import dev.glad.model.memory.OfflineMemoryBuilder;
import dev.glad.schemas.ClusterEdge;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.UserMemory;
import dev.glad.schemas.kafka.GladTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A model upgrade mid-stream keeps every memory: the job runs with model A, stops with a savepoint,
 * and restores with model B (both trained here) while the rest of the stream flows. Every user's
 * final memory is what model B computes offline over the user's whole history (frozen clusters);
 * users with no chunk after the upgrade are rebuilt in the background; no user's published memory
 * is ever withdrawn, and each user's sequence numbers only increase.
 */
class ModelUpgradeITCase {
  @RegisterExtension static final KafkaTestBroker KAFKA = new KafkaTestBroker();

  @RegisterExtension static final MiniClusterExtension FLINK = TestClusters.twoSlots();

  private static final float TOLERANCE = 1e-4f;

  @Test
  void anUpgradeRebuildsEveryMemoryUnderTheNewModel() throws Exception {
    MemoryRuns runs = new MemoryRuns(KAFKA);
    Path modelB = TestModels.tinyOtherSeed();
    GladTopics topics = KAFKA.freshTopics();
    KAFKA.send(topics.interactions(), runs.slice(0, 0.5), InteractionEvent::getUserId);

    // Given memories under model A, in a savepoint
    Path savepoints = Files.createTempDirectory("upgrade-savepoints");
    JobClient underA =
        runs.start(runs.settings(topics, 2, Mode.FROZEN).set(BOUNDED, false).build(), null);
    String savepoint;
    long chunksOfFirstHalf = runs.chunksOf(runs.slice(0, 0.5));
    try {
      await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () ->
                  RunningJobs.running(underA)
                      && KAFKA.readCommittedSoFar(topics.userMemory()).size()
                          >= chunksOfFirstHalf / 2);
      savepoint =
          underA
              .stopWithSavepoint(
                  false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
              .get();
    } finally {
      RunningJobs.cancelIfRunning(underA);
    }
    Map<String, UserState> atUpgrade =
        CommittedSavepoint.userStates(Path.of(java.net.URI.create(savepoint)));

    // When the job restores it with model B and the rest of the stream comes
    KAFKA.send(topics.interactions(), runs.slice(0.5, 1), InteractionEvent::getUserId);
    runs.sendClosingTicks(topics);
    Map<String, Expected> expected = offlineUnder(modelB, runs);
    JobClient underB =
        runs.start(
            runs.settings(topics, 2, Mode.FROZEN)
                .set(BOUNDED, false)
                .set(MODEL_DIR, modelB.toString())
                .build(),
            savepoint);
    try {
      await()
          .atMost(Duration.ofSeconds(180))
          .until(() -> RunningJobs.running(underB) && notUpgraded(topics, expected).isEmpty());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          "users without model B's memory of their whole history after 180 s: "
              + notUpgraded(topics, expected),
          e);
    } finally {
      RunningJobs.cancelIfRunning(underB);
    }

    // Then every user's memory is model B's over the whole history
    List<Keyed<String, UserMemory>> log = KAFKA.readCommittedKeyedSoFar(topics.userMemory());
    Map<String, UserMemory> last = latest(log);
    String versionB = expected.values().iterator().next().version();
    for (var e : expected.entrySet()) {
      String user = e.getKey();
      Expected b = e.getValue();
      UserMemory a = last.get(user);
      assertThat(a.getModelVersion()).as(user).isEqualTo(versionB);
      assertThat(a.getChunkCount()).as("chunks of " + user).isEqualTo(b.chunks());
      assertThat(a.getClusters()).as("edges of " + user).isEqualTo(b.edges());
      MemoryRuns.assertClose(a.getHU0(), b.hU0(), "hU0 of " + user, TOLERANCE);
      MemoryRuns.assertClose(a.getLongTerm(), b.longTerm(), "long-term of " + user, TOLERANCE);
      MemoryRuns.assertClose(a.getShortTerm(), b.zU(), "z_U of " + user, TOLERANCE);
    }
    // users whose whole history was in the memory at the upgrade got B only in the background
    List<String> idleAfterUpgrade =
        atUpgrade.entrySet().stream()
            .filter(e -> e.getValue().getChunkCount() == expected.get(e.getKey()).chunks())
            .map(Map.Entry::getKey)
            .toList();
    assertThat(idleAfterUpgrade).as("users rebuilt only in the background").isNotEmpty();

    // and no memory was withdrawn, and each user's sequence numbers increase, one by one
    Map<String, List<Long>> sequences = new LinkedHashMap<>();
    for (Keyed<String, UserMemory> r : log) {
      assertThat(r.value()).as("a tombstone for " + r.key()).isNotNull();
      sequences.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value().getSequenceNumber());
    }
    sequences.forEach(
        (user, seqs) -> {
          for (int i = 1; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).as("sequence of " + user).isEqualTo(seqs.get(i - 1) + 1);
          }
        });
  }

  /** A user's memory as model B computes it offline over the whole history. */
  record Expected(
      String version,
      long chunks,
      List<ClusterEdge> edges,
      List<Float> hU0,
      List<Float> longTerm,
      List<Float> zU) {}

  private static Map<String, Expected> offlineUnder(Path model, MemoryRuns runs) {
    Map<String, Expected> out = new LinkedHashMap<>();
    try (GladModel offline = GladModel.load(model, "cpu")) {
      OfflineMemoryBuilder builder = offline.memoryBuilder();
      int c = offline.config().chunkSize();
      for (int u = 0; u < runs.data.userCount(); u++) {
        List<String> items = runs.data.items(u);
        if (items.size() < c) {
          continue;
        }
        var m = builder.build(offline.vocabulary().indicesOf(items));
        List<ClusterEdge> edges = new ArrayList<>();
        for (int k = 0; k < m.clusterIds().length; k++) {
          edges.add(new ClusterEdge(m.clusterIds()[k], m.edgeWeights()[k]));
        }
        out.put(
            runs.data.userId(u),
            new Expected(
                offline.modelVersion(),
                m.chunkCount(),
                edges,
                Vectors.toList(m.hU0()),
                Vectors.toList(m.longTerm()),
                Vectors.toList(m.zU())));
      }
    }
    return out;
  }

  /** The users whose latest memory is not yet model B's over their whole history. */
  private static List<String> notUpgraded(GladTopics topics, Map<String, Expected> expected) {
    Map<String, UserMemory> last = latest(KAFKA.readCommittedKeyedSoFar(topics.userMemory()));
    return expected.entrySet().stream()
        .filter(
            e ->
                !(last.containsKey(e.getKey())
                    && last.get(e.getKey()).getModelVersion().equals(e.getValue().version())
                    && last.get(e.getKey()).getChunkCount() == e.getValue().chunks()))
        .map(Map.Entry::getKey)
        .toList();
  }

  /** Each user's last record in log order (one partition per user). */
  private static Map<String, UserMemory> latest(List<Keyed<String, UserMemory>> log) {
    Map<String, UserMemory> last = new LinkedHashMap<>();
    for (Keyed<String, UserMemory> r : log) {
      last.put(r.key(), r.value());
    }
    return last;
  }
}
