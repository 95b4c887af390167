package dev.glad.serving.memory;

import dev.glad.model.memory.ClusterNodes;
import dev.glad.schemas.ClusterMemory;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Every cluster node the service scores with, in memory (K is small): the artifact's state at
 * start, then the last record per cluster of the served model version in the cluster-memory topic's
 * log order. There is one writer per cluster key (the job's cluster node), so log order is update
 * order; the table neither assumes one record per k-means step nor compares versions, and a record
 * may carry fields it does not know (Avro defaults).
 *
 * <p>One thread applies records; any thread reads. A reader gets each node whole (centroid, h_CE^1
 * and size of one record), never half of an update.
 */
public final class ClusterTable {
  /**
   * One cluster node as last published.
   *
   * @param centroid m_j = h_CE^0
   * @param hidden h_CE^1
   * @param size n_j, chunks assigned
   * @param version the job's per-cluster counter (-1: the artifact's state)
   * @param updateTimeMs when the job published it (0: the artifact's state)
   */
  public record Node(
      float[] centroid, float[] hidden, long size, long version, long updateTimeMs) {}

  /** What {@link #apply} did with a record. */
  public enum Outcome {
    APPLIED,
    /** Written by another model version: not this model's cluster, ignored. */
    OTHER_MODEL_VERSION,
    /** A cluster id outside the model or vectors of another width: ignored. */
    REJECTED
  }

  private final String modelVersion;
  private final int width;
  private final AtomicReferenceArray<Node> nodes;

  /** The table in the artifact's state. */
  public ClusterTable(String modelVersion, ClusterNodes initial) {
    this.modelVersion = modelVersion;
    this.width = initial.width();
    this.nodes = new AtomicReferenceArray<>(initial.clusterCount());
    for (int j = 0; j < initial.clusterCount(); j++) {
      nodes.set(
          j, new Node(initial.centroids()[j], initial.hidden()[j], initial.sizes()[j], -1, 0));
    }
  }

  /** Applies the next record of the topic (in log order). */
  public Outcome apply(ClusterMemory record) {
    if (!modelVersion.equals(record.getModelVersion())) {
      return Outcome.OTHER_MODEL_VERSION;
    }
    int j = record.getClusterId();
    if (j < 0
        || j >= nodes.length()
        || record.getCentroid().size() != width
        || record.getHCE1().size() != width) {
      return Outcome.REJECTED;
    }
    nodes.set(
        j,
        new Node(
            floats(record.getCentroid()),
            floats(record.getHCE1()),
            record.getSize(),
            record.getVersion(),
            record.getUpdateTime().toEpochMilli()));
    return Outcome.APPLIED;
  }

  /** K. */
  public int size() {
    return nodes.length();
  }

  /** Whether {@code j} is a cluster of the model. */
  public boolean contains(int j) {
    return j >= 0 && j < nodes.length();
  }

  /** The node of cluster {@code j} as last published; its arrays are shared: do not modify. */
  public Node node(int j) {
    return nodes.get(j);
  }

  /** Clusters whose state came from the topic rather than the artifact. */
  public int updatedClusters() {
    int n = 0;
    for (int j = 0; j < nodes.length(); j++) {
      n += nodes.get(j).version() >= 0 ? 1 : 0;
    }
    return n;
  }

  private static float[] floats(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
