package dev.glad.it;

import static dev.glad.flink.job.GladJobOptions.BOUNDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.glad.flink.memory.Vectors;
import dev.glad.flink.state.ClusterState;
import dev.glad.flink.state.UserState;
import dev.glad.it.KafkaTestBroker.Keyed;
import dev.glad.it.MemoryRuns.Mode;
import dev.glad.model.artifact.GladModel;
import dev.glad.schemas.ClusterEdge;
import dev.glad.schemas.DeletionAudit;
import dev.glad.schemas.DeletionOutcome;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.UserDeletion;
import dev.glad.schemas.UserMemory;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.tools.erasure.UserErasure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Per-user erasure against a running job with cluster updates on: the erased user leaves nothing in
 * the job's state (read from a savepoint with the State Processor API), a tombstone on the
 * compacted user-memory topic, and clusters whose user-side sums are a recomputation without the
 * user; later events of an erased user start a new memory; bad requests are audited, never thrown.
 */
class ErasureITCase {
  @RegisterExtension static final KafkaTestBroker KAFKA = new KafkaTestBroker();

  @RegisterExtension static final MiniClusterExtension FLINK = TestClusters.twoSlots();

  private static final float SUM_TOLERANCE = 1e-4f;

  @Test
  void anErasedUserLeavesNothingBehindAndTheClustersForgetThem() throws Exception {
    MemoryRuns runs = new MemoryRuns(KAFKA);
    GladTopics topics = KAFKA.freshTopics();
    KAFKA.send(topics.interactions(), runs.events, InteractionEvent::getUserId);
    runs.sendClosingTicks(topics);
    Path savepoints = Files.createTempDirectory("erasure-savepoints");
    JobClient job =
        runs.start(runs.settings(topics, 2, Mode.UPDATES).set(BOUNDED, false).build(), null);
    Map<String, UserMemory> before;
    String erased;
    String erasedAndBack;
    String keptByMismatch;
    String savepoint;
    try {
      // Given every user's memory, committed
      runs.awaitComplete(job, topics, Mode.UPDATES, Duration.ofSeconds(180));
      before = MemoryRuns.lastPerUser(KAFKA.readCommittedSoFar(topics.userMemory()));
      List<String> byChunks =
          before.values().stream()
              .sorted(Comparator.comparingLong(UserMemory::getChunkCount).reversed())
              .map(UserMemory::getUserId)
              .toList();
      erased = byChunks.get(0);
      erasedAndBack = byChunks.get(1);
      keptByMismatch = byChunks.get(2);

      // When: two users are erased, one the job never saw, and two requests are malformed
      KAFKA.send(
          topics.userDeletions(),
          List.of(request(erasedAndBack, "r-back"), request("nobody", "r-nobody")),
          UserDeletion::getUserId);
      KAFKA.sendRaw(
          topics.userDeletions().name(), "someone", "not avro".getBytes(StandardCharsets.UTF_8));
      KAFKA.sendRaw(
          topics.userDeletions().name(),
          "a-different-key",
          topics.userDeletions().serializeValue(request(keptByMismatch, "r-mismatch")));
      // the operator's tool (./glad erase-user) asks for one and waits for its audit
      Properties client = new Properties();
      client.put("bootstrap.servers", KAFKA.bootstrapServers());
      Optional<DeletionAudit> answer =
          new UserErasure(topics, client).erase(erased, "r-erase", Duration.ofSeconds(120));
      assertThat(answer).as("the audit of the tool's request").isPresent();
      assertThat(answer.get().getOutcome()).isEqualTo(DeletionOutcome.ERASED);
      await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () ->
                  RunningJobs.running(job)
                      && KAFKA.readCommittedSoFar(topics.deletionsAudit()).size() == 5);

      // and one erased user comes back with a chunk's worth of new events
      long last = runs.events.get(runs.events.size() - 1).getEventTime().toEpochMilli();
      List<String> items = itemsOf(runs, erasedAndBack);
      List<InteractionEvent> comeback = new ArrayList<>();
      for (int i = 0; i < TestModels.TINY.chunkSize(); i++) {
        comeback.add(
            Events.click("back-" + i, erasedAndBack, items.get(i), last + 700_000 + i * 1_000L));
      }
      KAFKA.send(topics.interactions(), comeback, InteractionEvent::getUserId);
      KAFKA.send(
          topics.interactions(),
          MemoryRuns.ticks("late-tick", last + 1_200_000, 4),
          InteractionEvent::getUserId);
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> RunningJobs.running(job) && latest(topics, erasedAndBack) != null);
      savepoint =
          job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
              .get();
    } finally {
      RunningJobs.cancelIfRunning(job);
    }

    // Then the job's state holds nothing of the erased user
    Path state = Path.of(java.net.URI.create(savepoint));
    Map<String, SavepointStates.Holding> holdings =
        SavepointStates.assemblerHoldings(state).stream()
            .collect(Collectors.toMap(SavepointStates.Holding::userId, Function.identity()));
    Map<String, UserState> users = CommittedSavepoint.userStates(state);
    assertThat(holdings).doesNotContainKey(erased).containsKey(keptByMismatch);
    assertThat(users).doesNotContainKey(erased).containsKey(keptByMismatch);
    assertThat(users.get(keptByMismatch).getChunkCount())
        .as("a malformed request erases nobody")
        .isEqualTo(before.get(keptByMismatch).getChunkCount());

    // and the user's latest record on the compacted topic is a tombstone
    assertThat(latestRecord(topics, erased)).isNotNull();
    assertThat(latestRecord(topics, erased).value()).isNull();

    // and the returning user has a new memory of one chunk, numbered from 1
    UserMemory back = latest(topics, erasedAndBack);
    assertThat(back.getChunkCount()).isEqualTo(1);
    assertThat(back.getSequenceNumber()).isEqualTo(1);
    assertThat(users.get(erasedAndBack).getChunkCount()).isEqualTo(1);

    // and every cluster's user-side sum is the artifact's plus the users the job still holds
    Map<Integer, ClusterState> clusters = SavepointStates.clusterStates(state);
    float[][] initial;
    try (GladModel model = GladModel.load(runs.model, "cpu")) {
      initial = model.initialClusterUserSums();
    }
    Map<Integer, float[]> withoutErased = recomputedSums(initial, users.values(), clusters);
    float largestGap = 0;
    for (var e : clusters.entrySet()) {
      float[] actual = Vectors.toArray(e.getValue().getUserSum());
      float[] expected = withoutErased.get(e.getKey());
      for (int i = 0; i < expected.length; i++) {
        assertThat(Math.abs(actual[i] - expected[i]))
            .as("user-side sum of cluster " + e.getKey() + "[" + i + "]")
            .isLessThanOrEqualTo(SUM_TOLERANCE * Math.max(1f, Math.abs(expected[i])));
      }
    }
    // (the check can fail: the erased user's share, left in, is far above the tolerance)
    UserMemory erasedMemory = before.get(erased);
    for (ClusterEdge edge : erasedMemory.getClusters()) {
      for (float v : erasedMemory.getHU0()) {
        largestGap = Math.max(largestGap, Math.abs(edge.getWeight() * v));
      }
    }
    assertThat(largestGap).isGreaterThan(100 * SUM_TOLERANCE);

    // and every request has its audit
    Map<String, DeletionAudit> audits = new LinkedHashMap<>();
    for (DeletionAudit a : KAFKA.readCommittedSoFar(topics.deletionsAudit())) {
      audits.put(a.getRequestId() == null ? "undecodable" : a.getRequestId().toString(), a);
    }
    assertThat(audits.keySet())
        .containsExactlyInAnyOrder("r-erase", "r-back", "r-nobody", "undecodable", "r-mismatch");
    DeletionAudit erasure = audits.get("r-erase");
    assertThat(erasure.getOutcome()).isEqualTo(DeletionOutcome.ERASED);
    assertThat(erasure.getMemoryChunks()).isEqualTo(erasedMemory.getChunkCount());
    assertThat(erasure.getClusterEdges()).isEqualTo(erasedMemory.getClusters().size());
    assertThat(audits.get("r-back").getOutcome()).isEqualTo(DeletionOutcome.ERASED);
    assertThat(audits.get("r-nobody").getOutcome()).isEqualTo(DeletionOutcome.NOTHING_HELD);
    assertThat(audits.get("undecodable").getOutcome()).isEqualTo(DeletionOutcome.MALFORMED);
    assertThat(audits.get("undecodable").getUserId()).isEqualTo("someone");
    assertThat(audits.get("r-mismatch").getOutcome()).isEqualTo(DeletionOutcome.MALFORMED);
  }

  private static UserDeletion request(String user, String requestId) {
    return new UserDeletion(user, requestId, Instant.now());
  }

  /** The user's last committed record on the user-memory topic (its partition keeps the order). */
  private static Keyed<String, UserMemory> latestRecord(GladTopics topics, String user) {
    Keyed<String, UserMemory> last = null;
    for (Keyed<String, UserMemory> r : KAFKA.readCommittedKeyedSoFar(topics.userMemory())) {
      if (user.equals(r.key())) {
        last = r;
      }
    }
    return last;
  }

  private static UserMemory latest(GladTopics topics, String user) {
    Keyed<String, UserMemory> r = latestRecord(topics, user);
    return r == null ? null : r.value();
  }

  /** Σ over the users held of {@code weight · h_U^0}, on top of the artifact's sums. */
  private static Map<Integer, float[]> recomputedSums(
      float[][] initial,
      java.util.Collection<UserState> users,
      Map<Integer, ClusterState> clusters) {
    Map<Integer, double[]> sums = new LinkedHashMap<>();
    for (int j : clusters.keySet()) {
      double[] s = new double[initial[j].length];
      for (int i = 0; i < s.length; i++) {
        s[i] = initial[j][i];
      }
      sums.put(j, s);
    }
    for (UserState u : users) {
      for (int k = 0; k < u.getClusterIds().size(); k++) {
        double[] s = sums.get(u.getClusterIds().get(k));
        assertThat(s).as("a cluster of a held user is in the cluster state").isNotNull();
        int w = u.getEdgeWeights().get(k);
        for (int i = 0; i < s.length; i++) {
          s[i] += w * (double) u.getHU0().get(i);
        }
      }
    }
    Map<Integer, float[]> out = new LinkedHashMap<>();
    sums.forEach(
        (j, s) -> {
          float[] f = new float[s.length];
          for (int i = 0; i < s.length; i++) {
            f[i] = (float) s[i];
          }
          out.put(j, f);
        });
    return out;
  }

  private static List<String> itemsOf(MemoryRuns runs, String user) {
    for (int u = 0; u < runs.data.userCount(); u++) {
      if (runs.data.userId(u).equals(user)) {
        return runs.data.items(u);
      }
    }
    throw new AssertionError("no history of " + user);
  }
}
