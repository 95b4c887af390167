package dev.glad.cli;

import dev.glad.tools.local.FlinkRest;
import dev.glad.tools.local.JobState;
import dev.glad.tools.local.RunningJob;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
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

    FlinkRest client(RunningJob job) {
      return new FlinkRest(job.restPort());
    }

    /** The job's launcher has ended; the savepoint it left, written after {@code since}. */
    String savepointWrittenSince(RunningJob job, java.time.Instant since) throws Exception {
      ProcessHandle.of(job.pid())
          .ifPresent(p -> p.onExit().orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join());
      return JobState.latest(root())
          .filter(s -> s.kind().equals("savepoint") && !s.written().isBefore(since.minusSeconds(1)))
          .map(s -> s.path().toString())
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "the job stopped, but no savepoint written since "
                          + since
                          + " is in "
                          + root()));
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
      String path = client(job).savepoint(job.jobId(), savepoints(), TIMEOUT);
      out.println("savepoint " + path);
      out.println("resume from it: ./glad job ... --from-savepoint " + path);
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
      java.time.Instant asked = java.time.Instant.now();
      String path;
      try {
        path = client(job).stop(job.jobId(), savepoints(), TIMEOUT);
      } catch (java.io.IOException e) {
        // the launcher ends with its job, taking its REST endpoint with it, often before the
        // answer is read: the savepoint is then the newest in the job's directory
        path = savepointWrittenSince(job, asked);
      }
      out.println("stopped with savepoint " + path);
      out.println("resume: the same ./glad job command resumes from it");
      return 0;
    }
  }
}
