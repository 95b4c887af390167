package dev.glad.it;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The Flink MiniClusters the integration tests share per class. */
final class TestClusters {
  private TestClusters() {}

  /** One TaskManager with two slots: a parallelism-2 job, the size most tests run. */
  static MiniClusterExtension twoSlots() {
    return miniCluster(1, 2, new Configuration());
  }

  /** {@code taskManagers} TaskManagers of {@code slots} slots each, with {@code configuration}. */
  static MiniClusterExtension miniCluster(
      int taskManagers, int slots, Configuration configuration) {
    return new MiniClusterExtension(
        new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(taskManagers)
            .setNumberSlotsPerTaskManager(slots)
            .setConfiguration(configuration)
            .build());
  }
}
