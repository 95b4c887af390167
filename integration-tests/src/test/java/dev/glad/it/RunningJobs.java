package dev.glad.it;

import org.apache.flink.core.execution.JobClient;

/** Checks on jobs started with {@code executeAsync} that keep a test's real failure visible. */
final class RunningJobs {
  private RunningJobs() {}

  /** True while the job runs; throws with the job's own failure once it has ended. */
  static boolean running(JobClient job) throws Exception {
    var status = job.getJobStatus().get(30, java.util.concurrent.TimeUnit.SECONDS);
    if (status.isGloballyTerminalState()) {
      Throwable failure = job.getJobExecutionResult().handle((r, e) -> e).get();
      Throwable root = failure;
      while (root != null && root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      // the job's own exception sits at the bottom of the client's wrappers
      throw new AssertionError(
          "the job ended: "
              + status
              + "; "
              + failure
              + (root == failure ? "" : "; root cause: " + root),
          failure);
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
