package dev.glad.it;

import static dev.glad.flink.job.GladJobOptions.BOUNDED;

import dev.glad.cli.Glad;
import dev.glad.it.MemoryRuns.Mode;
import dev.glad.schemas.kafka.GladTopics;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./glad job} in a JVM of its own, as an operator runs it: the test's classpath (with
 * classes of a next version before it, when a test upgrades), {@link MemoryRuns}' settings, and a
 * log file that a failure shows.
 */
final class LocalJobProcess {
  private LocalJobProcess() {}

  /**
   * The command that runs {@code mainClass} (normally {@link Glad}) with {@code ./glad job}
   * arguments for {@code runs} on {@code topics} (unbounded, frozen clusters, parallelism 2),
   * keeping its state in {@code checkpoints}, and {@code extra} arguments after them.
   *
   * @param classpathBefore classes that win over the test's own (a next version), or null
   */
  static List<String> command(
      Path classpathBefore,
      Class<?> mainClass,
      MemoryRuns runs,
      GladTopics topics,
      Path checkpoints,
      String... extra) {
    String classpath = System.getProperty("java.class.path");
    List<String> c = new ArrayList<>();
    c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    c.addAll(
        List.of(
            "-Xmx1g",
            "-Dai.djl.offline=true",
            "-Dai.djl.pytorch.num_threads=1",
            "-Dai.djl.pytorch.num_interop_threads=1",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "-cp",
            classpathBefore == null ? classpath : classpathBefore + File.pathSeparator + classpath,
            mainClass.getName(),
            "job"));
    c.addAll(runs.settings(topics, 2, Mode.FROZEN).set(BOUNDED, false).build().asArguments());
    c.addAll(List.of("--checkpoint-dir", checkpoints.toString(), "--metrics-port", "0"));
    c.addAll(List.of(extra));
    return c;
  }

  static Process start(List<String> command, Path log) throws IOException {
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  /** True while the process runs; fails with its output when it has died. */
  static boolean alive(Process p, Path log) throws IOException {
    if (!p.isAlive()) {
      throw new AssertionError(
          "the job process ended (exit " + p.exitValue() + "):\n" + Files.readString(log));
    }
    return true;
  }
}
