package dev.glad.tools.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;

/**
 * The handle a running {@code ./glad job} leaves in its checkpoint directory, so that {@code ./glad
 * savepoint} and {@code ./glad stop} can find it: its MiniCluster's REST address, the job id and
 * the process id.
 *
 * @param restPort the MiniCluster's REST port on localhost
 * @param jobId the Flink job id
 * @param pid the launcher process
 */
public record RunningJob(int restPort, String jobId, long pid) {
  static final String FILE = "running-job.properties";

  /** Writes the handle (atomically). */
  public void writeTo(Path checkpointRoot) {
    Properties p = new Properties();
    p.setProperty("restPort", Integer.toString(restPort));
    p.setProperty("jobId", jobId);
    p.setProperty("pid", Long.toString(pid));
    try {
      Files.createDirectories(checkpointRoot);
      Path tmp = checkpointRoot.resolve(FILE + ".tmp");
      try (var w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        p.store(w, "the ./glad job running on this checkpoint directory");
      }
      Files.move(tmp, checkpointRoot.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the job handle in " + checkpointRoot, e);
    }
  }

  /** The handle of the job running on this checkpoint directory, if its process is alive. */
  public static Optional<RunningJob> readFrom(Path checkpointRoot) {
    Path file = checkpointRoot.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    RunningJob job =
        new RunningJob(
            Integer.parseInt(p.getProperty("restPort")),
            p.getProperty("jobId"),
            Long.parseLong(p.getProperty("pid")));
    boolean alive = ProcessHandle.of(job.pid()).map(ProcessHandle::isAlive).orElse(false);
    return alive ? Optional.of(job) : Optional.empty();
  }

  /** Removes the handle (the job has ended). */
  public static void clear(Path checkpointRoot) {
    try {
      Files.deleteIfExists(checkpointRoot.resolve(FILE));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the job handle in " + checkpointRoot, e);
    }
  }
}
