package dev.glad.serving.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glad.model.memory.ClusterNodes;
import dev.glad.schemas.ClusterMemory;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The clusters: the artifact's state, then the last record per cluster in log order. */
class ClusterTableTest {
  private static final String SERVED = "v1";

  private static ClusterTable table() {
    float[][] centroids = {{0, 0}, {1, 1}, {2, 2}};
    float[][] hidden = {{10, 10}, {11, 11}, {12, 12}};
    return new ClusterTable(
        SERVED, new ClusterNodes(centroids, new long[] {5, 6, 7}, new float[3][2], hidden, null));
  }

  private static ClusterMemory record(String version, int id, long counter, float value) {
    return ClusterMemory.newBuilder()
        .setClusterId(id)
        .setModelVersion(version)
        .setCentroid(List.of(value, value))
        .setHCE1(List.of(value + 100, value + 100))
        .setSize(counter + 10)
        .setUpdateTime(Instant.ofEpochMilli(1_000 + counter))
        .setVersion(counter)
        .build();
  }

  @Test
  void startsInTheArtifactsState() {
    ClusterTable table = table();
    assertThat(table.size()).isEqualTo(3);
    assertThat(table.node(1).centroid()).containsExactly(1f, 1f);
    assertThat(table.node(1).hidden()).containsExactly(11f, 11f);
    assertThat(table.node(1).size()).isEqualTo(6);
    assertThat(table.node(1).version()).isEqualTo(-1);
    assertThat(table.updatedClusters()).isZero();
  }

  @Test
  void theLastRecordInLogOrderIsTheClustersStateWhateverItsCounter() {
    ClusterTable table = table();
    // publishing less often than every k-means step: counters jump, and log order is what counts
    assertThat(table.apply(record(SERVED, 2, 5, 0.5f))).isEqualTo(ClusterTable.Outcome.APPLIED);
    assertThat(table.apply(record(SERVED, 2, 40, 0.75f))).isEqualTo(ClusterTable.Outcome.APPLIED);
    assertThat(table.node(2).centroid()).containsExactly(0.75f, 0.75f);
    assertThat(table.node(2).hidden()).containsExactly(100.75f, 100.75f);
    assertThat(table.node(2).size()).isEqualTo(50);
    assertThat(table.node(2).version()).isEqualTo(40);
    assertThat(table.node(2).updateTimeMs()).isEqualTo(1_040);
    assertThat(table.updatedClusters()).isEqualTo(1);
  }

  @Test
  void recordsOfAnotherModelOrShapeAreIgnored() {
    ClusterTable table = table();
    assertThat(table.apply(record("v0", 1, 3, 9f)))
        .isEqualTo(ClusterTable.Outcome.OTHER_MODEL_VERSION);
    assertThat(table.apply(record(SERVED, 3, 3, 9f))).isEqualTo(ClusterTable.Outcome.REJECTED);
    ClusterMemory wide = record(SERVED, 1, 3, 9f);
    wide.setCentroid(List.of(1f, 2f, 3f));
    assertThat(table.apply(wide)).isEqualTo(ClusterTable.Outcome.REJECTED);
    assertThat(table.node(1).centroid()).containsExactly(1f, 1f);
  }
}
