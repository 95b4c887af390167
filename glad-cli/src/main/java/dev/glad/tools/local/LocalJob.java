package dev.glad.tools.local;

import static dev.glad.flink.job.GladJobOptions.CHECKPOINT_DIR;

import dev.glad.flink.job.GladJob;
import dev.glad.flink.job.GladJobSettings;
import dev.glad.flink.job.KafkaIo;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The streaming job on a local MiniCluster, run the way an operator expects ({@code ./glad job}):
 *
 * <ul>
 *   <li>checkpoints are retained in the checkpoint directory; started again with the same settings,
 *       the job resumes from the newest complete checkpoint or savepoint there and says which;
 *   <li>{@code fromSavepoint} resumes from a given savepoint;
 *   <li>starting empty while state exists needs {@code fresh}: it is never silent;
 *   <li>Ctrl-C (SIGINT) or SIGTERM stops the job with a savepoint and prints how to resume;
 *   <li>a handle file lets {@code ./glad savepoint} and {@code ./glad stop} act on the running job.
 * </ul>
 */
public final class LocalJob {
  /** How long a stop with savepoint may take before the launcher gives up on it. */
  static final Duration STOP_TIMEOUT = Duration.ofMinutes(5);

  /**
   * How to run.
   *
   * @param settings the job's settings; its checkpoint directory is {@code checkpointRoot}
   * @param parallelism slots of the local TaskManager and the job's parallelism
   * @param checkpointRoot a local directory: retained checkpoints and savepoints
   * @param fromSavepoint a savepoint or checkpoint to resume from, or null for the newest state
   * @param fresh start with empty state even when state exists
   * @param metricsPort the Prometheus reporter's port, or 0 for none
   * @param commandLine the command that started this, printed as the resume command
   */
  public record Options(
      GladJobSettings settings,
      int parallelism,
      Path checkpointRoot,
      Path fromSavepoint,
      boolean fresh,
      int metricsPort,
      List<String> commandLine) {}

  private LocalJob() {}

  /** Runs until the job ends (a stop, a failure, or the end of a bounded input). */
  public static void run(Options o, PrintStream out) throws Exception {
    Path root = o.checkpointRoot().toAbsolutePath().normalize();
    Optional<RunningJob> running = RunningJob.readFrom(root);
    if (running.isPresent()) {
      throw new IllegalArgumentException(
          "a job (process "
              + running.get().pid()
              + ") already runs on the checkpoint directory "
              + root
              + "; stop it first (./glad stop --checkpoint-dir "
              + root
              + ")");
    }
    String restoreFrom = restorePoint(o, root, out);
    GladJobSettings settings =
        o.settings().toBuilder().set(CHECKPOINT_DIR, root.toUri().toString()).build();
    Configuration conf = GladJob.flinkConfiguration(settings);
    conf.set(
        CheckpointingOptions.SAVEPOINT_DIRECTORY, JobState.savepointsOf(root).toUri().toString());
    int restPort = freePort();
    conf.set(RestOptions.BIND_PORT, Integer.toString(restPort));
    conf.set(RestOptions.PORT, restPort);
    conf.set(RestOptions.ADDRESS, "localhost");
    if (restoreFrom != null) {
      conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom);
    }
    if (o.metricsPort() > 0) {
      PrometheusMetrics.configure(conf, o.metricsPort());
    }
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(o.parallelism(), conf);
    GladJob job = KafkaIo.job(settings);
    job.addTo(env);
    JobClient client = env.executeAsync("glad-memory");
    new RunningJob(restPort, client.getJobID().toString(), ProcessHandle.current().pid())
        .writeTo(root);
    out.printf(
        "job %s running (c = %d, parallelism %d, run %s); checkpoints in %s; REST localhost:%d%s%n",
        client.getJobID(),
        job.chunkSize(),
        o.parallelism(),
        job.runId(),
        root,
        restPort,
        o.metricsPort() > 0 ? "; metrics http://localhost:" + o.metricsPort() + "/metrics" : "");
    out.println("Ctrl-C stops it with a savepoint; ./glad savepoint | ./glad stop act on it.");
    out.flush();
    AtomicBoolean stopping = new AtomicBoolean();
    StopOnSignal.install(
        () -> {
          if (!stopping.compareAndSet(false, true)) {
            out.println("stopping already; a further signal exits without a savepoint");
            out.flush();
            Runtime.getRuntime().halt(130);
          }
          out.println("stopping the job with a savepoint ...");
          out.flush();
          try {
            String savepoint =
                client
                    .stopWithSavepoint(
                        false,
                        JobState.savepointsOf(root).toUri().toString(),
                        SavepointFormatType.CANONICAL)
                    .get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            out.println("stopped with savepoint " + savepoint);
          } catch (Exception e) {
            out.println("the stop with savepoint failed: " + e + "; the latest checkpoint stays");
          }
          out.flush();
        });
    try {
      client.getJobExecutionResult().get();
    } finally {
      RunningJob.clear(root);
    }
    JobState.latest(root)
        .ifPresent(
            state -> {
              out.println("the job ended; its latest state: " + state.describe());
              out.println(
                  "resume with the same command (it resumes from the latest state): "
                      + String.join(" ", o.commandLine()));
              out.println("or from exactly this state: --from-savepoint " + state.path());
            });
    out.flush();
  }

  /** What to restore from, saying so; null for an empty start. */
  private static String restorePoint(Options o, Path root, PrintStream out) {
    if (o.fromSavepoint() != null) {
      Path sp = o.fromSavepoint().toAbsolutePath().normalize();
      if (!JobState.isComplete(sp)) {
        throw new IllegalArgumentException(
            "--from-savepoint " + sp + " holds no complete savepoint or checkpoint (no _metadata)");
      }
      out.println("resuming from " + sp);
      return sp.toUri().toString();
    }
    Optional<JobState> latest = JobState.latest(root);
    if (latest.isEmpty()) {
      out.println("no earlier state in " + root + ": starting with empty state");
      return null;
    }
    if (o.fresh()) {
      out.println(
          "starting with empty state (--fresh); the earlier state is not used: "
              + latest.get().describe());
      return null;
    }
    out.println("resuming from the latest state of the earlier run: " + latest.get().describe());
    return latest.get().path().toUri().toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
