package dev.glad.tools.local;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action on SIGINT (Ctrl-C) and SIGTERM before the JVM starts shutting down, so the job's
 * MiniCluster is still whole while the action takes its savepoint (a JVM shutdown hook would race
 * Flink's own hooks that close the cluster's services).
 */
final class StopOnSignal {
  private static final Logger LOG = LoggerFactory.getLogger(StopOnSignal.class);

  private StopOnSignal() {}

  @SuppressWarnings("restriction") // sun.misc.Signal: the JDK's supported way to handle signals
  static void install(Runnable action) {
    for (String name : new String[] {"INT", "TERM"}) {
      try {
        sun.misc.Signal.handle(
            new sun.misc.Signal(name), signal -> new Thread(action, "glad-stop").start());
      } catch (IllegalArgumentException e) {
        LOG.warn("cannot handle SIG{} on this platform: {}", name, e.getMessage());
      }
    }
  }
}
