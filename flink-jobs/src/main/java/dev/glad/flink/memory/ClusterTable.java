package dev.glad.flink.memory;

import dev.glad.schemas.ClusterMemory;

/**
 * A task's view of every cluster node: centroids, sizes and h_CE^1, starting from the artifact and
 * moved forward by {@link ClusterMemory} records that come back through the cluster-memory topic.
 * Records of another model version, of another job run, or older than what the table holds, are
 * ignored. Entries restored from a checkpoint (broadcast state) may come from an earlier run: they
 * are the run's starting point, and its own records supersede them.
 */
public final class ClusterTable {
  private final String modelVersion;
  private final String runId;
  private final boolean[] fromThisRun;
  private long fromOtherRuns;
  private final float[][] centroids;
  private final float[][] hidden;
  private final long[] sizes;
  private final long[] versions;
  private long rejected;

  /**
   * @param runId the job run this task belongs to: it applies only that run's records
   */
  public ClusterTable(StreamingModel model, String runId) {
    this.modelVersion = model.modelVersion();
    this.runId = runId;
    int k = model.clusterCount();
    this.fromThisRun = new boolean[k];
    this.centroids = new float[k][];
    this.hidden = new float[k][];
    this.sizes = new long[k];
    this.versions = new long[k];
    for (int j = 0; j < k; j++) {
      StreamingModel.ClusterNode node = model.initialCluster(j);
      centroids[j] = node.centroid();
      hidden[j] = node.hidden();
      sizes[j] = node.size();
      versions[j] = -1; // any update record is newer than the artifact
    }
  }

  /**
   * Applies an update if it is for this model and this run, and newer than what the table holds.
   *
   * <p>A record that cannot belong to this model (a cluster id outside it, vectors of another
   * width) is rejected and counted, never thrown: the compacted topic would hand it back after
   * every restart, and one bad record must not stop the job.
   *
   * @return whether the table changed
   */
  public boolean apply(ClusterMemory update) {
    if (!fits(update)) {
      return false;
    }
    int j = update.getClusterId();
    if (!runId.equals(update.getRunId())) {
      fromOtherRuns++;
      return false;
    }
    if (fromThisRun[j] && update.getVersion() <= versions[j]) {
      return false;
    }
    set(update, true);
    return true;
  }

  /**
   * Applies an entry of the task's restored broadcast state, whatever run wrote it: it is what the
   * run restored from saw.
   */
  public void restore(ClusterMemory restored) {
    if (fits(restored) && restored.getVersion() > versions[restored.getClusterId()]) {
      set(restored, runId.equals(restored.getRunId()));
    }
  }

  private boolean fits(ClusterMemory update) {
    if (!modelVersion.equals(update.getModelVersion())) {
      return false;
    }
    int j = update.getClusterId();
    int width = centroids.length == 0 ? 0 : centroids[0].length;
    if (j < 0
        || j >= centroids.length
        || update.getCentroid().size() != width
        || update.getHCE1().size() != hidden[j].length) {
      rejected++;
      return false;
    }
    return true;
  }

  private void set(ClusterMemory update, boolean ofThisRun) {
    int j = update.getClusterId();
    centroids[j] = Vectors.toArray(update.getCentroid());
    hidden[j] = Vectors.toArray(update.getHCE1());
    sizes[j] = update.getSize();
    versions[j] = update.getVersion();
    fromThisRun[j] = ofThisRun;
  }

  /** Records of other job runs that {@link #apply} ignored. */
  public long otherRunUpdates() {
    return fromOtherRuns;
  }

  /** Records {@link #apply} rejected as not belonging to this model. */
  public long rejectedUpdates() {
    return rejected;
  }

  public int size() {
    return centroids.length;
  }

  /** All centroids; the array is the table's own, not a copy: do not modify. */
  public float[][] centroids() {
    return centroids;
  }

  public float[] centroid(int j) {
    return centroids[j];
  }

  public float[] hidden(int j) {
    return hidden[j];
  }

  public long clusterSize(int j) {
    return sizes[j];
  }

  /** Centroids of the given clusters, in order. */
  public float[][] centroidsOf(int[] clusterIds) {
    float[][] out = new float[clusterIds.length][];
    for (int i = 0; i < clusterIds.length; i++) {
      out[i] = centroids[clusterIds[i]];
    }
    return out;
  }

  /** h_CE^1 of the given clusters, in order. */
  public float[][] hiddenOf(int[] clusterIds) {
    float[][] out = new float[clusterIds.length][];
    for (int i = 0; i < clusterIds.length; i++) {
      out[i] = hidden[clusterIds[i]];
    }
    return out;
  }
}
