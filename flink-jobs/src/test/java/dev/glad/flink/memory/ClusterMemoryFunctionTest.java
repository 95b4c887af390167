package dev.glad.flink.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.glad.schemas.ClusterAssignment;
import dev.glad.schemas.ClusterMemory;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class ClusterMemoryFunctionTest {

  @Test
  void aJoiningChunkMovesTheCentroidByMacQueenAndEveryDeltaMovesTheUserSum() throws Exception {
    try (KeyedOneInputStreamOperatorTestHarness<Integer, ClusterDelta, ClusterMemory> h =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
            new ClusterMemoryFunction(ArithmeticModel.factory()),
            (ClusterDelta d) -> d.clusterId,
            Types.INT)) {
      // cluster 0 starts at (1,0) with 10 chunks (ArithmeticModel)
      h.processElement(
          new ClusterDelta(0, new float[] {0.5f, 0.5f}, new float[] {0, 1}, 8, "u", 0, 0), 1);
      h.processElement(new ClusterDelta(0, new float[] {0.25f, 0f}, null, 0, "v", 3, 0), 2);

      List<ClusterMemory> out = h.extractOutputValues();
      assertEquals(2, out.size());
      ClusterMemory first = out.get(0);
      assertEquals(11L, first.getSize());
      assertEquals(1L, first.getVersion());
      assertArrayEquals(
          new float[] {10f / 11, 1f / 11}, Vectors.toArray(first.getCentroid()), 1e-6f);
      ClusterMemory second = out.get(1);
      assertEquals(11L, second.getSize());
      assertEquals(2L, second.getVersion());
      // hidden = centroid + userSum, userSum = (0.75, 0.5)
      assertArrayEquals(
          new float[] {10f / 11 + 0.75f, 1f / 11 + 0.5f}, Vectors.toArray(second.getHCE1()), 1e-6f);

      List<ClusterAssignment> steps =
          h.getSideOutput(ClusterMemoryFunction.ASSIGNMENTS).stream()
              .map(StreamRecord::getValue)
              .toList();
      assertEquals(1, steps.size());
      assertEquals(11L, steps.get(0).getSizeAfter());
      assertEquals(8L, steps.get(0).getSizeSeenByEncoder());
      assertEquals("u", steps.get(0).getUserId());
    }
  }
}
