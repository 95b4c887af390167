package dev.glad.flink.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.glad.flink.chunk.ChunkOrErasure;
import dev.glad.flink.erasure.Erasure;
import dev.glad.schemas.ClusterMemory;
import dev.glad.schemas.CompletedChunk;
import java.time.Instant;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class ChunkEncoderOperatorTest {

  private static TwoInputStreamOperatorTestHarness<ChunkOrErasure, ClusterMemory, EncodedOrErasure>
      harness(int batchSize, long maxWait) throws Exception {
    return new TwoInputStreamOperatorTestHarness<>(
        new ChunkEncoderOperator(ArithmeticModel.factory(), "run-1", batchSize, maxWait));
  }

  @Test
  void flushesAFullBatchInOneForwardPassAndAssignsNearestCentroids() throws Exception {
    try (var h = harness(3, 1_000)) {
      h.open();
      h.processElement1(chunk("u1", 0, "i0", "i2"), 1);
      h.processElement1(chunk("u2", 0, "i1", "i3"), 2);
      assertEquals(0, encoded(h).size(), "waits for the batch to fill");

      h.processElement1(chunk("u3", 0, "i0", "i1"), 3);

      List<EncodedChunk> out = encoded(h);
      assertEquals(List.of("u1", "u2", "u3"), out.stream().map(c -> c.userId).toList());
      assertArrayEquals(new float[] {1, 0}, out.get(0).embedding, 1e-6f);
      assertEquals(0, out.get(0).clusterId);
      assertEquals(1, out.get(1).clusterId);
      assertEquals(10L, out.get(0).clusterSizeSeen);
    }
  }

  @Test
  void flushesAfterTheMaximumWait() throws Exception {
    try (var h = harness(100, 50)) {
      h.open();
      h.setProcessingTime(0);
      h.processElement1(chunk("u1", 0, "i0", "i0"), 1);
      h.setProcessingTime(49);
      assertEquals(0, encoded(h).size());
      h.setProcessingTime(50);
      assertEquals(1, encoded(h).size());
    }
  }

  @Test
  void flushesBeforeForwardingAWatermark() throws Exception {
    try (var h = harness(100, 10_000)) {
      h.open();
      h.processElement1(chunk("u1", 0, "i0", "i0"), 1);
      h.processWatermark1(new Watermark(5));
      h.processWatermark2(new Watermark(5));

      List<Object> output = List.copyOf(h.getOutput());
      assertEquals(2, output.size());
      assertEquals(StreamRecord.class, output.get(0).getClass());
      assertEquals(new Watermark(5), output.get(1));
    }
  }

  @Test
  void clusterUpdatesMoveTheCentroidsUsedForAssignment() throws Exception {
    try (var h = harness(1, 1_000)) {
      h.open();
      // cluster 1 moves onto axis 0, closer to a chunk of items on axis 0 than cluster 0 is
      h.processElement2(update(1, new float[] {0.9f, 0f}, 11, 1), 1);
      h.processElement1(chunk("u1", 0, "i0", "i1", "i0", "i0", "i2"), 2);

      EncodedChunk out = encoded(h).get(0);
      assertEquals(1, out.clusterId);
      assertEquals(11L, out.clusterSizeSeen);
      // an older version of the same cluster is ignored
      h.processElement2(update(1, new float[] {0f, 1f}, 10, 0), 3);
      h.processElement1(chunk("u2", 0, "i0", "i1", "i0", "i0", "i2"), 4);
      assertEquals(1, encoded(h).get(1).clusterId);
    }
  }

  @Test
  void chunksInFlightSurviveACheckpointAndAreEncodedOnceAfterRestore() throws Exception {
    OperatorSubtaskState snapshot;
    try (var h = harness(10, 60_000)) {
      h.open();
      h.processElement1(chunk("u1", 0, "i0", "i0"), 1);
      h.processElement1(chunk("u2", 0, "i1", "i1"), 2);
      h.processElement2(update(0, new float[] {0.5f, 0.5f}, 12, 3), 3);
      snapshot = h.snapshot(1L, 10L);
      assertEquals(0, encoded(h).size());
    }
    try (var restored = harness(10, 60_000)) {
      restored.initializeState(snapshot);
      restored.open();
      restored.endInput1();

      List<EncodedChunk> out = encoded(restored);
      assertEquals(List.of("u1", "u2"), out.stream().map(c -> c.userId).toList());
      // the restored cluster table is the one from before the checkpoint
      assertEquals(
          12L,
          out.stream().filter(c -> c.clusterId == 0).findFirst().orElseThrow().clusterSizeSeen);
    }
  }

  @Test
  void anErasureFlushesTheBatchAndFollowsTheChunksBeforeIt() throws Exception {
    try (var h = harness(100, 60_000)) {
      h.open();
      h.processElement1(chunk("u1", 0, "i0", "i0"), 1);
      h.processElement1(chunk("u2", 0, "i1", "i1"), 2);

      h.processElement1(ChunkOrErasure.of(new Erasure("u1", "r", 0, 0, 0)), 3);

      List<String> order =
          h.extractOutputValues().stream()
              .map(r -> r.isChunk() ? r.chunk.userId : "erase " + r.erasure.userId)
              .toList();
      assertEquals(List.of("u1", "u2", "erase u1"), order);
    }
  }

  private static List<EncodedChunk> encoded(
      TwoInputStreamOperatorTestHarness<ChunkOrErasure, ClusterMemory, EncodedOrErasure> h) {
    return h.extractOutputValues().stream()
        .filter(EncodedOrErasure::isChunk)
        .map(r -> r.chunk)
        .toList();
  }

  static ChunkOrErasure chunk(String user, long seq, String... items) {
    return ChunkOrErasure.of(completed(user, seq, items));
  }

  static CompletedChunk completed(String user, long seq, String... items) {
    return CompletedChunk.newBuilder()
        .setUserId(user)
        .setSequenceNumber(seq)
        .setItemIds(List.of(items))
        .setFirstEventTime(Instant.ofEpochMilli(1))
        .setLastEventTime(Instant.ofEpochMilli(2))
        .setLastIngestTime(Instant.ofEpochMilli(3))
        .build();
  }

  static ClusterMemory update(int id, float[] centroid, long size, long version) {
    return ClusterMemory.newBuilder()
        .setClusterId(id)
        .setModelVersion("arith-1")
        .setCentroid(Vectors.toList(centroid))
        .setHCE1(Vectors.toList(centroid))
        .setSize(size)
        .setUpdateTime(Instant.ofEpochMilli(0))
        .setVersion(version)
        .setRunId("run-1")
        .build();
  }
}
