package dev.glad.flink.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glad.flink.erasure.Erasure;
import dev.glad.flink.erasure.SplitDeletions;
import dev.glad.flink.state.UserState;
import dev.glad.schemas.ClusterEdge;
import dev.glad.schemas.ClusterMemory;
import dev.glad.schemas.DeletionAudit;
import dev.glad.schemas.DeletionOutcome;
import dev.glad.schemas.UserMemory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class UserMemoryFunctionTest {

  private static KeyedBroadcastOperatorTestHarness<
          String, EncodedOrErasure, ClusterMemory, UserMemoryOrTombstone>
      harness(boolean clusterUpdates) throws Exception {
    var h =
        ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
            new UserMemoryFunction(ArithmeticModel.factory(), "run-1", clusterUpdates, 2),
            EncodedOrErasure::userId,
            Types.STRING,
            UserMemoryFunction.CLUSTER_UPDATES);
    return h;
  }

  @Test
  void eachChunkAddsAnEdgeAndEmitsTheRefreshedMemory() throws Exception {
    try (var h = harness(true)) {
      h.processElement(encoded("u", 0, new float[] {1, 0}, 0), 1);
      h.processElement(encoded("u", 1, new float[] {0, 1}, 1), 2);
      h.processElement(encoded("u", 2, new float[] {1, 0}, 0), 3);

      List<UserMemory> out = memories(h);
      assertEquals(3, out.size());
      UserMemory last = out.get(2);
      assertEquals(3L, last.getChunkCount());
      assertEquals(3L, last.getSequenceNumber());
      assertEquals(List.of(new ClusterEdge(0, 2), new ClusterEdge(1, 1)), last.getClusters());
      // running mean of the three chunk embeddings
      assertArrayEquals(new float[] {2f / 3, 1f / 3}, Vectors.toArray(last.getHU0()), 1e-6f);
      assertArrayEquals(new float[] {1, 0}, Vectors.toArray(last.getShortTerm()), 0f);
      // hU1 = hU0 + c0 + c1; longTerm = hU1 + hidden0 + hidden1 (hidden = centroid initially)
      assertArrayEquals(
          new float[] {2f / 3 + 2, 1f / 3 + 2}, Vectors.toArray(last.getLongTerm()), 1e-6f);
      assertEquals("arith-1", last.getModelVersion());
      assertEquals(1L, out.get(0).getSequenceNumber());
    }
  }

  @Test
  void deltasGoToEveryClusterOfTheUserAndCarryTheChunkToItsCluster() throws Exception {
    try (var h = harness(true)) {
      h.processElement(encoded("u", 0, new float[] {1, 0}, 0), 1);
      h.processElement(encoded("u", 1, new float[] {0, 1}, 1), 2);

      List<ClusterDelta> deltas = deltas(h);
      assertEquals(3, deltas.size());
      // first chunk: cluster 0 gains the user with hU0 = (1,0)
      assertEquals(0, deltas.get(0).clusterId);
      assertArrayEquals(new float[] {1, 0}, deltas.get(0).userSumDelta, 0f);
      assertArrayEquals(new float[] {1, 0}, deltas.get(0).chunkEmbedding, 0f);
      // second chunk: hU0 becomes (0.5, 0.5): cluster 0 sees the change, cluster 1 the new user
      assertEquals(0, deltas.get(1).clusterId);
      assertArrayEquals(new float[] {-0.5f, 0.5f}, deltas.get(1).userSumDelta, 1e-6f);
      assertEquals(null, deltas.get(1).chunkEmbedding);
      assertEquals(1, deltas.get(2).clusterId);
      assertArrayEquals(new float[] {0.5f, 0.5f}, deltas.get(2).userSumDelta, 1e-6f);
      assertArrayEquals(new float[] {0, 1}, deltas.get(2).chunkEmbedding, 0f);
    }
  }

  @Test
  void withClusterUpdatesOffNoDeltasLeave() throws Exception {
    try (var h = harness(false)) {
      h.processElement(encoded("u", 0, new float[] {1, 0}, 0), 1);
      assertEquals(1, memories(h).size());
      assertEquals(List.of(), deltas(h));
    }
  }

  @Test
  void broadcastClusterUpdatesChangeTheLongTermVector() throws Exception {
    try (var h = harness(true)) {
      h.processBroadcastElement(ChunkEncoderOperatorTest.update(0, new float[] {2, 0}, 11, 1), 1);
      h.processElement(encoded("u", 0, new float[] {1, 0}, 0), 2);

      UserMemory out = memories(h).get(0);
      // hU1 = (1,0) + (2,0); longTerm = hU1 + hidden (2,0)
      assertArrayEquals(new float[] {5, 0}, Vectors.toArray(out.getLongTerm()), 1e-6f);
    }
  }

  private static List<ClusterDelta> deltas(
      KeyedBroadcastOperatorTestHarness<
              String, EncodedOrErasure, ClusterMemory, UserMemoryOrTombstone>
          h) {
    ConcurrentLinkedQueue<StreamRecord<ClusterDelta>> side =
        h.getSideOutput(UserMemoryFunction.CLUSTER_DELTAS);
    return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
  }

  @Test
  void anErasureTakesTheUserOutOfTheirClustersAndLeavesATombstoneAndAnAudit() throws Exception {
    try (var h = harness(true)) {
      h.processElement(encoded("u", 0, new float[] {1, 0}, 0), 1);
      h.processElement(encoded("u", 1, new float[] {0, 1}, 1), 2);
      h.processElement(encoded("u", 2, new float[] {1, 0}, 0), 3);
      Erasure erasure = new Erasure("u", "req-1", 5, 0, 9);
      erasure.openChunkItems = 2;

      h.processElement(EncodedOrErasure.of(erasure), 4);

      // every delta the user sent, plus the removal, sums to nothing per cluster
      float[][] sums = new float[2][2];
      for (ClusterDelta d : deltas(h)) {
        sums[d.clusterId] = Vectors.plus(sums[d.clusterId], d.userSumDelta);
      }
      assertArrayEquals(new float[] {0, 0}, sums[0], 1e-6f);
      assertArrayEquals(new float[] {0, 0}, sums[1], 1e-6f);
      UserMemoryOrTombstone last = h.extractOutputValues().get(3);
      assertEquals(true, last.isTombstone());
      assertEquals("u", last.userId());
      DeletionAudit audit = audits(h).get(0);
      assertEquals(DeletionOutcome.ERASED, audit.getOutcome());
      assertEquals(3L, audit.getMemoryChunks());
      assertEquals(2, audit.getClusterEdges());
      assertEquals(2, audit.getOpenChunkItems());
      assertEquals("req-1", audit.getRequestId());

      // a later chunk starts a new memory
      h.processElement(encoded("u", 0, new float[] {0, 1}, 1), 5);
      UserMemory fresh = memories(h).get(3);
      assertEquals(1L, fresh.getChunkCount());
      assertEquals(1L, fresh.getSequenceNumber());
      assertArrayEquals(new float[] {0, 1}, Vectors.toArray(fresh.getHU0()), 0f);
    }
  }

  @Test
  void erasingAnUnknownUserIsAuditedAsNothingHeld() throws Exception {
    try (var h = harness(true)) {
      h.processElement(EncodedOrErasure.of(new Erasure("nobody", "req-2", 5, 0, 9)), 1);

      assertEquals(List.of(), deltas(h));
      assertEquals(true, h.extractOutputValues().get(0).isTombstone());
      assertEquals(DeletionOutcome.NOTHING_HELD, audits(h).get(0).getOutcome());
    }
  }

  @Test
  void theNewestChunksItemsAreStoredUpToTheRetention() throws Exception {
    try (var h = harness(true)) {
      h.processElement(encoded("u", 0, new float[] {1, 0}, 0, "i0", "i2"), 1);
      h.processElement(encoded("u", 1, new float[] {0, 1}, 1, "i1", "i3"), 2);
      // retention 2: appended without a read until 3 = 2 + 2/2 entries, then cut to the newest 2
      assertEquals(
          List.of(List.of("i0", "i2"), List.of("i1", "i3")), storedChunks(h, "u"), "below 3");
      h.processElement(encoded("u", 2, new float[] {1, 0}, 0, "i4", "i6"), 3);

      assertEquals(List.of(List.of("i1", "i3"), List.of("i4", "i6")), storedChunks(h, "u"));
      UserState state = userState(h, "u");
      assertEquals(2, state.getStoredChunkCount());
      assertEquals(List.of(), state.getStoredChunks(), "nothing stored inside the node itself");
    }
  }

  @Test
  void aMemoryOfThePreviousLayoutHasItsStoredChunksMovedToTheList() throws Exception {
    try (var h = harness(true)) {
      h.processElement(encoded("u", 0, new float[] {1, 0}, 0, "i0", "i2"), 1);
      // as a savepoint of the previous version holds it: the chunks inside UserState, no list
      UserState previousLayout =
          UserState.newBuilder(userState(h, "u"))
              .setStoredChunks(List.of(List.of("old", "one")))
              .setStoredChunkCount(0)
              .build();
      currentUser(h, "u");
      keyedState(h, UserMemoryFunction.userStateDescriptor()).update(previousLayout);
      keyedState(h, StoredChunks.descriptor()).clear();

      h.processElement(encoded("u", 1, new float[] {0, 1}, 1, "i1", "i3"), 2);

      assertEquals(List.of(List.of("old", "one"), List.of("i1", "i3")), storedChunks(h, "u"));
      assertEquals(List.of(), userState(h, "u").getStoredChunks());
      assertEquals(2, userState(h, "u").getStoredChunkCount());
    }
  }

  private static org.apache.flink.streaming.api.operators.AbstractStreamOperator<?> currentUser(
      KeyedBroadcastOperatorTestHarness<
              String, EncodedOrErasure, ClusterMemory, UserMemoryOrTombstone>
          h,
      String user) {
    var operator =
        (org.apache.flink.streaming.api.operators.AbstractStreamOperator<?>) h.getOperator();
    operator.setCurrentKey(user);
    return operator;
  }

  /** The current key's state of {@code descriptor} in the harness's operator. */
  private static <S extends org.apache.flink.api.common.state.State> S keyedState(
      KeyedBroadcastOperatorTestHarness<
              String, EncodedOrErasure, ClusterMemory, UserMemoryOrTombstone>
          h,
      org.apache.flink.api.common.state.StateDescriptor<S, ?> descriptor)
      throws Exception {
    return ((org.apache.flink.streaming.api.operators.AbstractStreamOperator<?>) h.getOperator())
        .getKeyedStateBackend()
        .getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
  }

  private static UserState userState(
      KeyedBroadcastOperatorTestHarness<
              String, EncodedOrErasure, ClusterMemory, UserMemoryOrTombstone>
          h,
      String user)
      throws Exception {
    currentUser(h, user);
    return keyedState(h, UserMemoryFunction.userStateDescriptor()).value();
  }

  private static List<List<String>> storedChunks(
      KeyedBroadcastOperatorTestHarness<
              String, EncodedOrErasure, ClusterMemory, UserMemoryOrTombstone>
          h,
      String user)
      throws Exception {
    currentUser(h, user);
    List<List<String>> out = new java.util.ArrayList<>();
    keyedState(h, StoredChunks.descriptor()).get().forEach(out::add);
    return out;
  }

  @Test
  void aChunkOfAUserOfTheOldModelRebuildsTheMemoryFirst() throws Exception {
    OperatorSubtaskState underA = twoUsersUnderArith1();
    try (var h =
        upgradedHarness(
            new UserMemoryFunction(ArithmeticModel.factory("arith-2"), "run-1", true, 10), false)) {
      h.initializeState(underA);
      h.open();

      h.processElement(encoded("u", 2, new float[] {0, 1}, 1, "i0", "i0"), 5);

      List<UserMemory> out = memories(h);
      assertEquals(2, out.size(), "the rebuilt memory, then the chunk's");
      UserMemory rebuilt = out.get(0);
      assertEquals("arith-2", rebuilt.getModelVersion());
      assertEquals(3L, rebuilt.getSequenceNumber());
      assertEquals(2L, rebuilt.getChunkCount());
      // under arith-2 "i0 i0" and "i2 i2" both encode to (0,1), "i1 i1" would be (1,0)
      assertArrayEquals(new float[] {0, 1}, Vectors.toArray(rebuilt.getHU0()), 1e-6f);
      assertEquals(List.of(new ClusterEdge(1, 2)), rebuilt.getClusters());
      assertEquals(4L, out.get(1).getSequenceNumber());
      assertEquals(3L, out.get(1).getChunkCount());
    }
  }

  @Test
  void theOperatorRebuildsEveryUserOfTheOldModelInTheBackground() throws Exception {
    OperatorSubtaskState underA = twoUsersUnderArith1();
    try (var h =
        upgradedHarness(
            new UserMemoryFunction(ArithmeticModel.factory("arith-2"), "run-1", true, 10), true)) {
      h.initializeState(underA);
      h.open();
      assertEquals(List.of(), memories(h), "nothing before the first background step");

      h.setProcessingTime(1);

      Map<String, UserMemory> byUser = new java.util.TreeMap<>();
      memories(h).forEach(m -> byUser.put(m.getUserId(), m));
      assertEquals(java.util.Set.of("u", "v"), byUser.keySet());
      assertEquals("arith-2", byUser.get("u").getModelVersion());
      assertEquals(3L, byUser.get("u").getSequenceNumber());
      assertEquals(2L, byUser.get("v").getSequenceNumber());
      assertArrayEquals(new float[] {1, 0}, Vectors.toArray(byUser.get("v").getHU0()), 1e-6f);
      // k-means joins for the rebuilt chunks, then each user's whole share of its clusters
      long joins = deltas(h).stream().filter(ClusterDelta::joinsCluster).count();
      assertEquals(3, joins);
    }
  }

  /** u: two chunks ("i0 i0", "i2 i2"), v: one ("i1 i1"), written by arith-1 with retention 10. */
  @Test
  void aRestoreUnderTheSameModelSkipsTheStartUpScanAndAnUpgradeDoesNot() throws Exception {
    OperatorSubtaskState recorded;
    try (var h =
        upgradedHarness(
            new UserMemoryFunction(ArithmeticModel.factory(), "run-1", true, 10), true)) {
      h.open();
      h.processElement(encoded("u", 0, new float[] {1, 0}, 0, "i0", "i0"), 1);
      h.processElement(encoded("v", 0, new float[] {0, 1}, 1, "i1", "i1"), 2);
      recorded = h.snapshot(1, 3);
    }
    try (var h =
        upgradedHarness(
            new UserMemoryFunction(ArithmeticModel.factory(), "run-1", true, 10), true)) {
      h.initializeState(recorded);
      h.open();
      assertEquals(0, ((UserMemoryOperator) h.getOperator()).usersScannedAtStart());
    }
    try (var h =
        upgradedHarness(
            new UserMemoryFunction(ArithmeticModel.factory("arith-2"), "run-1", true, 10), true)) {
      h.initializeState(recorded);
      h.open();
      assertEquals(2, ((UserMemoryOperator) h.getOperator()).usersScannedAtStart());
      h.setProcessingTime(1);
      assertEquals(2, memories(h).size(), "both users rebuilt under arith-2");
    }
  }

  @Test
  void aStateWithoutTheRecordOfVersionsIsScanned() throws Exception {
    // written by Flink's own operator: as by the bootstrap or a version before the record
    OperatorSubtaskState unrecorded = twoUsersUnderArith1();
    try (var h =
        upgradedHarness(
            new UserMemoryFunction(ArithmeticModel.factory(), "run-1", true, 10), true)) {
      h.initializeState(unrecorded);
      h.open();
      assertEquals(2, ((UserMemoryOperator) h.getOperator()).usersScannedAtStart());
      h.setProcessingTime(1);
      assertEquals(List.of(), memories(h), "same model: nobody to rebuild");
    }
  }

  @Test
  void onlyARecordOfThisVersionAloneRulesOutOtherVersions() {
    assertFalse(UserMemoryOperator.mayHoldOtherVersions(false, List.of(), "a"));
    assertTrue(UserMemoryOperator.mayHoldOtherVersions(true, List.of(), "a"));
    assertFalse(UserMemoryOperator.mayHoldOtherVersions(true, List.of("a", "a"), "a"));
    assertTrue(UserMemoryOperator.mayHoldOtherVersions(true, List.of("a", "b"), "a"));
    assertTrue(UserMemoryOperator.mayHoldOtherVersions(true, List.of("a", ""), "a"));
  }

  private static OperatorSubtaskState twoUsersUnderArith1() throws Exception {
    try (var h =
        upgradedHarness(
            new UserMemoryFunction(ArithmeticModel.factory(), "run-1", true, 10), false)) {
      h.open();
      h.processElement(encoded("u", 0, new float[] {1, 0}, 0, "i0", "i0"), 1);
      h.processElement(encoded("u", 1, new float[] {1, 0}, 0, "i2", "i2"), 2);
      h.processElement(encoded("v", 0, new float[] {0, 1}, 1, "i1", "i1"), 3);
      return h.snapshot(1, 4);
    }
  }

  /** A harness of the job's operator (with the background upgrade) or of Flink's own. */
  private static KeyedBroadcastOperatorTestHarness<
          String, EncodedOrErasure, ClusterMemory, UserMemoryOrTombstone>
      upgradedHarness(UserMemoryFunction f, boolean background) throws Exception {
    return new KeyedBroadcastOperatorTestHarness<>(
        background
            ? new UserMemoryOperator(f)
            : new org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator<>(
                f, List.of(UserMemoryFunction.CLUSTER_UPDATES)),
        EncodedOrErasure::userId,
        Types.STRING,
        128,
        1,
        0);
  }

  private static List<UserMemory> memories(
      KeyedBroadcastOperatorTestHarness<
              String, EncodedOrErasure, ClusterMemory, UserMemoryOrTombstone>
          h) {
    return h.extractOutputValues().stream()
        .filter(r -> !r.isTombstone())
        .map(r -> r.memory)
        .toList();
  }

  private static List<DeletionAudit> audits(
      KeyedBroadcastOperatorTestHarness<
              String, EncodedOrErasure, ClusterMemory, UserMemoryOrTombstone>
          h) {
    ConcurrentLinkedQueue<StreamRecord<DeletionAudit>> side =
        h.getSideOutput(SplitDeletions.AUDITS);
    return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
  }

  static EncodedOrErasure encoded(String user, long seq, float[] s, int cluster, String... items) {
    return EncodedOrErasure.of(
        new EncodedChunk(user, seq, s, cluster, 10, 1, 2, 0).withItemIds(items));
  }
}
