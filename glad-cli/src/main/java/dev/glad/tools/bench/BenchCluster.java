package dev.glad.tools.bench;

import dev.glad.flink.job.GladJob;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * A MiniCluster for the benches, with what they measure through Flink's own bookkeeping: when every
 * task runs, checkpoint statistics per operator, and TaskManager failures.
 */
final class BenchCluster implements AutoCloseable {
  static final Duration STEP_TIMEOUT = Duration.ofMinutes(30);

  private final MiniCluster cluster;
  private final Configuration conf;
  private int firstLiveTaskManager;
  private final int taskManagers;

  private BenchCluster(MiniCluster cluster, Configuration conf, int taskManagers) {
    this.cluster = cluster;
    this.conf = conf;
    this.taskManagers = taskManagers;
  }

  /**
   * Starts {@code taskManagers} TaskManagers of {@code slots} slots with the job's {@code conf}.
   */
  static BenchCluster start(Configuration conf, int taskManagers, int slots) throws Exception {
    MiniCluster cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(taskManagers)
                .setNumSlotsPerTaskManager(slots)
                .build());
    cluster.start();
    return new BenchCluster(cluster, conf, taskManagers);
  }

  /** Submits {@code job}, restored from {@code savepoint} unless it is null. */
  JobID submit(GladJob job, String savepoint) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    job.addTo(env);
    StreamGraph graph = env.getStreamGraph();
    graph.setJobName("glad-bench");
    graph.setSavepointRestoreSettings(
        savepoint == null
            ? SavepointRestoreSettings.none()
            : SavepointRestoreSettings.forPath(savepoint, false));
    return cluster.submitJob(graph).get().getJobID();
  }

  MiniCluster miniCluster() {
    return cluster;
  }

  /** The job's execution graph; null while the JobManager still initializes the job. */
  AccessExecutionGraph graph(JobID job) throws InterruptedException {
    try {
      return cluster.getExecutionGraph(job).get();
    } catch (ExecutionException e) {
      return null;
    }
  }

  /** Waits until every task of the job runs, in attempt {@code minAttempt} or a later one. */
  void awaitAllRunning(JobID job, int minAttempt) throws Exception {
    long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
    while (!allRunning(job, minAttempt)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the job's tasks did not all run within " + STEP_TIMEOUT);
      }
      Thread.sleep(20);
    }
  }

  /**
   * Whether every task of the job runs in attempt {@code minAttempt} or later (0: any; after a
   * failure: one more than before it).
   */
  boolean allRunning(JobID job, int minAttempt) throws InterruptedException {
    AccessExecutionGraph graph = graph(job);
    // a job the JobManager still initializes has a graph without vertices: not running yet
    return graph != null
        && graph.getAllExecutionVertices().iterator().hasNext()
        && StreamSupport.stream(graph.getAllExecutionVertices().spliterator(), false)
            .allMatch(
                v ->
                    v.getExecutionState() == ExecutionState.RUNNING
                        && v.getCurrentExecutionAttempt().getAttemptNumber() >= minAttempt);
  }

  /** The lowest attempt number among the job's tasks (0 until a failure). */
  int attempt(JobID job) throws InterruptedException {
    AccessExecutionGraph graph = graph(job);
    return graph == null
        ? 0
        : StreamSupport.stream(graph.getAllExecutionVertices().spliterator(), false)
            .mapToInt(v -> v.getCurrentExecutionAttempt().getAttemptNumber())
            .min()
            .orElse(0);
  }

  /** Triggers a checkpoint and returns its statistics once it completed. */
  CompletedCheckpointStats checkpoint(JobID job) throws Exception {
    Long id = null;
    long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
    while (id == null) {
      try {
        id =
            cluster
                .triggerCheckpoint(job, CheckpointType.CONFIGURED)
                .get(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        // tasks not running yet (a restore in progress): try again
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
    deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (System.nanoTime() < deadline) {
      AccessExecutionGraph graph = graph(job);
      var stats = graph == null ? null : graph.getCheckpointStatsSnapshot();
      if (stats != null) {
        for (var c : stats.getHistory().getCheckpoints()) {
          if (c.getCheckpointId() == id.longValue() && c instanceof CompletedCheckpointStats done) {
            return done;
          }
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("no statistics of checkpoint " + id);
  }

  /** Size (full and incremental), duration and per-operator state of a checkpoint. */
  Map<String, Object> checkpointReport(JobID job, CompletedCheckpointStats checkpoint, int users)
      throws InterruptedException {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("state_bytes", checkpoint.getStateSize());
    c.put("checkpointed_bytes", checkpoint.getCheckpointedSize());
    c.put("state_bytes_per_user", checkpoint.getStateSize() / (double) users);
    c.put("duration_ms", checkpoint.getEndToEndDuration());
    Map<String, Object> perOperator = new LinkedHashMap<>();
    AccessExecutionGraph graph = graph(job);
    if (graph != null) {
      for (AccessExecutionJobVertex v : graph.getVerticesTopologically()) {
        var task = checkpoint.getTaskStateStats(v.getJobVertexId());
        if (task != null) {
          perOperator.put(v.getName(), task.getStateSize());
        }
      }
    }
    c.put("state_bytes_per_task", perOperator);
    return c;
  }

  /**
   * Kills every live TaskManager after starting as many new ones (as a cluster manager would bring
   * them): whichever holds the job's slots, the job fails over.
   */
  void replaceAllTaskManagers() throws Exception {
    for (int i = 0; i < taskManagers; i++) {
      cluster.startTaskManager();
    }
    for (int i = 0; i < taskManagers; i++) {
      cluster.terminateTaskManager(firstLiveTaskManager + i).get();
    }
    firstLiveTaskManager += taskManagers;
  }

  /** A settings builder holding {@code key -> text} job settings (validated as the job does). */
  static dev.glad.flink.job.GladJobSettings.Builder withSettings(Map<String, String> texts) {
    var b = dev.glad.flink.job.GladJobSettings.builder();
    texts.forEach(
        (key, text) ->
            b.setText(
                dev.glad.flink.job.GladJobOptions.byKey(key)
                    .orElseThrow(
                        () ->
                            new IllegalArgumentException(
                                "--set "
                                    + key
                                    + ": unknown setting; known: "
                                    + String.join(
                                        ", ", dev.glad.flink.job.GladJobSettings.keys()))),
                text));
    return b;
  }

  /** c of the artifact, checked as the job checks it before submission. */
  static int chunkSizeOf(java.nio.file.Path model) {
    return new dev.glad.flink.memory.GladStreamingModel.Factory(
            model.toString(),
            "cpu",
            dev.glad.flink.job.GladJobOptions.ENCODER_THREADS.defaultValue(),
            null)
        .checkedChunkSize(java.util.Optional.empty());
  }

  /** Deletes a bench's work directory. */
  static void deleteRecursively(java.nio.file.Path dir) throws java.io.IOException {
    try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
