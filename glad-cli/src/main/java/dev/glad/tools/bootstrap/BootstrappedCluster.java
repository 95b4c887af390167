package dev.glad.tools.bootstrap;

import dev.glad.flink.state.ClusterState;

/** One cluster node after the history (cluster updates on). A Flink POJO. */
public final class BootstrappedCluster {
  public int clusterId;
  public ClusterState state;

  public BootstrappedCluster() {}

  public BootstrappedCluster(int clusterId, ClusterState state) {
    this.clusterId = clusterId;
    this.state = state;
  }
}
