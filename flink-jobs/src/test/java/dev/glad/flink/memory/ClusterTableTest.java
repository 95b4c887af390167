package dev.glad.flink.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glad.schemas.ClusterMemory;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ClusterTableTest {
  private final ClusterTable table = new ClusterTable(new ArithmeticModel(), "run-2");

  @Test
  void newerUpdatesOfThisModelReplaceTheNodeAndOlderOnesAreIgnored() {
    assertTrue(table.apply(update(1, "arith-1", 3, new float[] {0.5f, 0.5f})));
    assertFalse(table.apply(update(1, "arith-1", 2, new float[] {9, 9})));
    assertFalse(table.apply(update(1, "other-model", 7, new float[] {9, 9})));
    assertArrayEquals(new float[] {0.5f, 0.5f}, table.centroid(1), 0f);
    assertEquals(0, table.rejectedUpdates());
  }

  @Test
  void recordsThatCannotBelongToTheModelAreCountedNotThrown() {
    assertFalse(table.apply(update(2, "arith-1", 1, new float[] {1, 1})));
    assertFalse(table.apply(update(-1, "arith-1", 1, new float[] {1, 1})));
    assertFalse(table.apply(update(0, "arith-1", 1, new float[] {1, 1, 1})));
    assertEquals(3, table.rejectedUpdates());
    assertArrayEquals(ArithmeticModel.CENTROIDS[0], table.centroid(0), 0f);
  }

  @Test
  void recordsOfOtherRunsAreIgnoredButRestoredEntriesOfAnEarlierRunAreTheStart() {
    // restored broadcast state: what the run restored from had seen (an earlier run's record)
    ClusterMemory seenBefore =
        ClusterMemory.newBuilder(update(1, "arith-1", 5, new float[] {0.5f, 0.5f}))
            .setRunId("run-1")
            .build();
    table.restore(seenBefore);
    assertArrayEquals(new float[] {0.5f, 0.5f}, table.centroid(1), 0f);
    // a record the abandoned run committed later never shadows the restored run
    ClusterMemory abandoned =
        ClusterMemory.newBuilder(update(1, "arith-1", 9, new float[] {7, 7}))
            .setRunId("run-1")
            .build();
    assertFalse(table.apply(abandoned));
    assertEquals(1, table.otherRunUpdates());
    // this run's republication supersedes the restored entry even at the same version
    assertTrue(table.apply(update(1, "arith-1", 5, new float[] {0.25f, 0.75f})));
    assertArrayEquals(new float[] {0.25f, 0.75f}, table.centroid(1), 0f);
    assertFalse(table.apply(update(1, "arith-1", 5, new float[] {9, 9})));
  }

  private static ClusterMemory update(int id, String model, long version, float[] centroid) {
    return ClusterMemory.newBuilder()
        .setClusterId(id)
        .setModelVersion(model)
        .setCentroid(Vectors.toList(centroid))
        .setHCE1(Vectors.toList(centroid))
        .setSize(4)
        .setUpdateTime(Instant.ofEpochMilli(0))
        .setVersion(version)
        .setRunId("run-2")
        .build();
  }
}
