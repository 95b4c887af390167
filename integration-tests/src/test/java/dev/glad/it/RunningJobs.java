package dev.glad.it;

import org.apache.flink.core.execution.JobClient;

/** Checks on jobs started with {@code executeAsync} that keep a test's real failure visible. */
final class RunningJobs {
  private RunningJobs() {}

  /** True while the job runs; throws with the job's own failure once it has ended. */
  static boolean running(JobClient job) throws Exception {
    var status = job.getJobStatus().get(30, java.util.concurrent.TimeUnit.SECONDS);
    if (status.isGloballyTerminalState()) {
      throw new AssertionError(
          "the job ended: "
              + status
              + "; "
              + job.getJobExecutionResult().handle((r, e) -> e).get());
    }
    return true;
  }

  /**
   * Cancels a job that still runs. A job that already ended (failed) is left alone, so that the
   * exception that ended the test is the one reported, not "was not canceled, but FAILED".
   */
  static void cancelIfRunning(JobClient job) throws Exception {
    if (!job.getJobStatus().get().isGloballyTerminalState()) {
      try {
        job.cancel().get();
      } catch (java.util.concurrent.ExecutionException e) {
        if (!job.getJobStatus().get().isGloballyTerminalState()) {
          throw e;
        }
      }
    }
  }
}
