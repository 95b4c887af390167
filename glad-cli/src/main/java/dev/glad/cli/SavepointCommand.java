package dev.glad.cli;

import dev.glad.tools.local.JobState;
import dev.glad.tools.local.RunningJob;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./glad savepoint} and {@code ./glad stop}: act on a running {@code ./glad job}. */
final class SavepointCommand {
  private SavepointCommand() {}

  static final Duration TIMEOUT = Duration.ofMinutes(5);

  /** The options both commands share. */
  static class Target {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--checkpoint-dir",
        paramLabel = "DIR",
        description =
            "the running job's checkpoint directory (default: <repository>/.glad/job/checkpoints)")
    String checkpointDir;

    Path root() {
      return checkpointDir == null
          ? LocalCheckpoints.defaultDirectory()
          : LocalCheckpoints.localPath(checkpointDir);
    }

    RunningJob running() {
      return RunningJob.readFrom(root())
          .orElseThrow(
              () ->
                  new IllegalArgumentException(
                      "no ./glad job is running on " + root() + " (no live job handle there)"));
    }

    RestClusterClient<StandaloneClusterId> client(RunningJob job) throws Exception {
      Configuration conf = new Configuration();
      conf.set(RestOptions.ADDRESS, "localhost");
      conf.set(RestOptions.PORT, job.restPort());
      return new RestClusterClient<>(conf, StandaloneClusterId.getInstance());
    }

    String savepoints() {
      return JobState.savepointsOf(root()).toUri().toString();
    }
  }

  /** {@code ./glad savepoint}. */
  @Command(
      name = "savepoint",
      mixinStandardHelpOptions = true,
      description = "Takes a savepoint of the running ./glad job; it keeps running.")
  static final class Take extends Target implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      RunningJob job = running();
      try (var client = client(job)) {
        String path =
            client
                .triggerSavepoint(
                    JobID.fromHexString(job.jobId()), savepoints(), SavepointFormatType.CANONICAL)
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        out.println("savepoint " + path);
        out.println("resume from it: ./glad job ... --from-savepoint " + path);
      }
      return 0;
    }
  }

  /** {@code ./glad stop}. */
  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description = "Stops the running ./glad job with a savepoint (it resumes from it).")
  static final class Stop extends Target implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      RunningJob job = running();
      try (var client = client(job)) {
        String path =
            client
                .stopWithSavepoint(
                    JobID.fromHexString(job.jobId()),
                    false,
                    savepoints(),
                    SavepointFormatType.CANONICAL)
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        out.println("stopped with savepoint " + path);
        out.println("resume: the same ./glad job command resumes from it");
      }
      return 0;
    }
  }
}
