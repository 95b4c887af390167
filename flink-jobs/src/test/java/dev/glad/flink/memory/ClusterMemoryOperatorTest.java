package dev.glad.flink.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.glad.schemas.ClusterAssignment;
import dev.glad.schemas.ClusterMemory;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class ClusterMemoryOperatorTest {

  private static KeyedOneInputStreamOperatorTestHarness<Integer, ClusterDelta, ClusterMemory>
      harness(String runId, long publishIntervalMillis) throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new ClusterMemoryOperator(ArithmeticModel.factory(), runId, publishIntervalMillis),
            (ClusterDelta d) -> d.clusterId,
            Types.INT);
    return h;
  }

  @Test
  void aJoiningChunkMovesTheCentroidByMacQueenAndEveryDeltaMovesTheUserSum() throws Exception {
    try (var h = harness("run-1", 0)) {
      h.open();
      // cluster 0 starts at (1,0) with 10 chunks (ArithmeticModel)
      h.processElement(
          new ClusterDelta(0, new float[] {0.5f, 0.5f}, new float[] {0, 1}, 8, "u", 0, 0), 1);
      h.processElement(new ClusterDelta(0, new float[] {0.25f, 0f}, null, 0, "v", 3, 0), 2);

      List<ClusterMemory> out = h.extractOutputValues();
      assertEquals(2, out.size());
      ClusterMemory first = out.get(0);
      assertEquals(11L, first.getSize());
      assertEquals(1L, first.getVersion());
      assertEquals("run-1", first.getRunId());
      assertArrayEquals(
          new float[] {10f / 11, 1f / 11}, Vectors.toArray(first.getCentroid()), 1e-6f);
      ClusterMemory second = out.get(1);
      assertEquals(11L, second.getSize());
      assertEquals(2L, second.getVersion());
      // hidden = centroid + userSum, userSum = (0.75, 0.5)
      assertArrayEquals(
          new float[] {10f / 11 + 0.75f, 1f / 11 + 0.5f}, Vectors.toArray(second.getHCE1()), 1e-6f);

      List<ClusterAssignment> steps =
          h.getSideOutput(ClusterMemoryOperator.ASSIGNMENTS).stream()
              .map(StreamRecord::getValue)
              .toList();
      assertEquals(1, steps.size());
      assertEquals(11L, steps.get(0).getSizeAfter());
      assertEquals(8L, steps.get(0).getSizeSeenByEncoder());
      assertEquals("u", steps.get(0).getUserId());
    }
  }

  @Test
  void aChangedClusterIsPublishedOncePerIntervalWithEveryStepApplied() throws Exception {
    try (var h = harness("run-1", 1_000)) {
      h.open();
      h.setProcessingTime(0);
      for (int i = 0; i < 5; i++) {
        h.processElement(
            new ClusterDelta(1, new float[] {0.1f, 0f}, new float[] {0, 1}, 0, "u" + i, i, 0), i);
      }
      h.processElement(new ClusterDelta(0, new float[] {0f, 0.2f}, null, 0, "v", 0, 0), 9);
      assertEquals(0, h.extractOutputValues().size());
      assertEquals(5, h.getSideOutput(ClusterMemoryOperator.ASSIGNMENTS).size());

      h.setProcessingTime(1_000);

      List<ClusterMemory> out = h.extractOutputValues();
      assertEquals(2, out.size());
      ClusterMemory one = out.stream().filter(r -> r.getClusterId() == 1).findFirst().orElseThrow();
      assertEquals(15L, one.getSize()); // 10 + 5 steps, every one applied
      assertEquals(5L, one.getVersion());
    }
  }

  @Test
  void aRestoredRunRepublishesEveryClusterUnderItsOwnId() throws Exception {
    OperatorSubtaskState snapshot;
    try (var h = harness("run-1", 0)) {
      h.open();
      h.processElement(new ClusterDelta(0, new float[] {0.5f, 0f}, null, 0, "u", 0, 0), 1);
      h.processElement(new ClusterDelta(1, new float[] {0f, 0.5f}, null, 0, "u", 0, 0), 2);
      snapshot = h.snapshot(1, 3);
    }
    try (var h = harness("run-2", 0)) {
      h.initializeState(snapshot);
      h.open();

      List<ClusterMemory> out = h.extractOutputValues();
      assertEquals(2, out.size());
      for (ClusterMemory r : out) {
        assertEquals("run-2", r.getRunId());
        assertEquals(1L, r.getVersion());
      }
    }
  }
}
