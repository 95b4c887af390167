package dev.glad.cli;

import dev.glad.flink.job.GladJobOptions;
import dev.glad.flink.job.GladJobSettings;
import java.net.URI;
import java.nio.file.Path;

/** Where a local job ({@code ./glad job}) keeps its state. */
final class LocalCheckpoints {
  private LocalCheckpoints() {}

  /** The default: {@code <repository>/.glad/job/checkpoints}. */
  static Path defaultDirectory() {
    return Path.of(System.getProperty("glad.home", "."), ".glad", "job", "checkpoints")
        .toAbsolutePath();
  }

  /** The settings' checkpoint directory (a local path or file: URI), or the default. */
  static Path directory(GladJobSettings settings) {
    return settings
        .explicit(GladJobOptions.CHECKPOINT_DIR)
        .map(LocalCheckpoints::localPath)
        .orElseGet(LocalCheckpoints::defaultDirectory);
  }

  /** A local path from {@code /dir}, {@code dir} or {@code file:///dir}. */
  static Path localPath(String location) {
    if (location.startsWith("file:")) {
      return Path.of(URI.create(location));
    }
    if (location.contains("://")) {
      throw new IllegalArgumentException(
          "checkpoint-dir "
              + location
              + ": ./glad job keeps its state on a local file system; on a cluster use flink run"
              + " with -s SAVEPOINT (docs/OPERATIONS.md)");
    }
    return Path.of(location).toAbsolutePath();
  }
}
