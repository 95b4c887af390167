package dev.glad.tools.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The state a local job leaves in its checkpoint directory: retained checkpoints ({@code <dir>/<job
 * id>/chk-<n>/_metadata}) and savepoints ({@code <dir>/savepoints/savepoint-*}). Checkpoints and
 * savepoints are complete once their {@code _metadata} file exists; Flink writes it last.
 *
 * @param path the checkpoint or savepoint directory to restore from
 * @param kind {@code checkpoint} or {@code savepoint}
 * @param written when its metadata was written
 */
public record JobState(Path path, String kind, Instant written) {

  /** Where a local job keeps its savepoints, under its checkpoint directory. */
  public static Path savepointsOf(Path checkpointRoot) {
    return checkpointRoot.resolve("savepoints");
  }

  /**
   * The newest complete checkpoint or savepoint under {@code checkpointRoot}: what a restart
   * resumes from. A savepoint taken when the job stopped is newer than its last checkpoint, so a
   * stopped job resumes where it stopped.
   */
  public static Optional<JobState> latest(Path checkpointRoot) {
    if (!Files.isDirectory(checkpointRoot)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.walk(checkpointRoot, 3)) {
      return files
          .filter(p -> p.getFileName().toString().equals("_metadata"))
          .map(JobState::of)
          .flatMap(Optional::stream)
          .max(Comparator.comparing(JobState::written));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + checkpointRoot, e);
    }
  }

  private static Optional<JobState> of(Path metadata) {
    Path dir = metadata.getParent();
    String name = dir.getFileName().toString();
    String kind;
    if (name.startsWith("chk-")) {
      kind = "checkpoint";
    } else if (name.startsWith("savepoint-")) {
      kind = "savepoint";
    } else {
      return Optional.empty();
    }
    try {
      FileTime time = Files.getLastModifiedTime(metadata);
      return Optional.of(new JobState(dir, kind, time.toInstant()));
    } catch (IOException e) {
      return Optional.empty(); // removed while we looked (a subsumed checkpoint)
    }
  }

  /** E.g. {@code checkpoint 12 of job 3f2e... (written 2026-11-30T12:00:00Z)}. */
  public String describe() {
    String name = path.getFileName().toString();
    String what =
        kind.equals("checkpoint")
            ? "checkpoint " + name.substring(4) + " of job " + path.getParent().getFileName()
            : "savepoint " + name;
    return what + " (written " + written + ", " + path + ")";
  }

  /** Whether {@code path} holds a complete checkpoint or savepoint. */
  public static boolean isComplete(Path path) {
    return Files.isRegularFile(path.resolve("_metadata"));
  }
}
