package dev.glad.it;

import static dev.glad.it.MemoryRuns.ticks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.glad.cli.Glad;
import dev.glad.it.MemoryRuns.Mode;
import dev.glad.it.MemoryRuns.Output;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.tools.local.JobState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local job ({@code ./glad job}) outlives a crash of its whole process: killed hard (SIGKILL)
 * mid-stream and started again with the same command in a new JVM, it resumes from the newest
 * retained checkpoint, says so, and its committed output equals an uninterrupted run's. {@code
 * ./glad stop} then stops it with a savepoint.
 */
class ProcessCrashITCase {
  @RegisterExtension static final KafkaTestBroker KAFKA = new KafkaTestBroker();

  private static MemoryRuns runs;

  @BeforeAll
  static void setUp() {
    runs = new MemoryRuns(KAFKA);
  }

  @Test
  void aKilledLocalJobResumesInANewProcessFromItsRetainedCheckpoint(@TempDir Path work)
      throws Exception {
    Output uninterrupted = withMiniClusterRun();
    GladTopics topics = KAFKA.freshTopics();
    Path checkpoints = work.resolve("checkpoints");
    List<String> command = command(topics, checkpoints);
    KAFKA.send(topics.interactions(), runs.slice(0, 0.5), InteractionEvent::getUserId);

    // Given a local job that has committed part of its output and retained a checkpoint
    Process first = start(command, work.resolve("first.log"));
    try {
      await()
          .atMost(Duration.ofSeconds(180))
          .until(
              () ->
                  alive(first, work.resolve("first.log"))
                      && !KAFKA.readCommittedSoFar(topics.userMemory()).isEmpty()
                      && JobState.latest(checkpoints).isPresent());
    } finally {
      // When its process dies without warning
      first.destroyForcibly().waitFor();
    }
    List<InteractionEvent> second = runs.slice(0.5, 1);
    long last = second.get(second.size() - 1).getEventTime().toEpochMilli();
    KAFKA.send(topics.interactions(), second, InteractionEvent::getUserId);
    KAFKA.send(
        topics.interactions(), ticks("tick", last + 600_000, 4), InteractionEvent::getUserId);

    // Then the same command in a new process resumes from the retained checkpoint
    Process again = start(command, work.resolve("again.log"));
    try {
      await()
          .atMost(Duration.ofSeconds(240))
          .until(
              () -> alive(again, work.resolve("again.log")) && runs.complete(topics, Mode.FROZEN));
      assertThat(Files.readString(work.resolve("again.log")))
          .contains("resuming from the latest state of the earlier run: checkpoint");

      // and ./glad stop stops it with a savepoint
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code =
          Glad.run(
              new String[] {"stop", "--checkpoint-dir", checkpoints.toString()},
              new PrintStream(out, true, StandardCharsets.UTF_8),
              new PrintStream(err, true, StandardCharsets.UTF_8));
      assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("stopped with savepoint ");
      assertThat(
              again.waitFor(
                  java.util.concurrent.TimeUnit.MINUTES.toMillis(2),
                  java.util.concurrent.TimeUnit.MILLISECONDS))
          .isTrue();
      assertThat(JobState.latest(checkpoints).orElseThrow().kind()).isEqualTo("savepoint");
    } finally {
      again.destroyForcibly().waitFor();
    }
    runs.assertSameMemory(runs.output(topics, Mode.FROZEN), uninterrupted, Mode.FROZEN);
  }

  /** The uninterrupted run, through the same command line, to its end. */
  private Output withMiniClusterRun() throws Exception {
    GladTopics topics = KAFKA.freshTopics();
    KAFKA.send(topics.interactions(), runs.events, InteractionEvent::getUserId);
    long last = runs.events.get(runs.events.size() - 1).getEventTime().toEpochMilli();
    KAFKA.send(
        topics.interactions(), ticks("tick", last + 600_000, 4), InteractionEvent::getUserId);
    Path dir = Files.createTempDirectory("glad-uninterrupted-");
    Process p = start(command(topics, dir.resolve("checkpoints")), dir.resolve("run.log"));
    try {
      await()
          .atMost(Duration.ofSeconds(240))
          .until(() -> alive(p, dir.resolve("run.log")) && runs.complete(topics, Mode.FROZEN));
    } finally {
      p.destroyForcibly().waitFor();
    }
    return runs.output(topics, Mode.FROZEN);
  }

  private static List<String> command(GladTopics topics, Path checkpoints) {
    return LocalJobProcess.command(null, Glad.class, runs, topics, checkpoints);
  }

  private static Process start(List<String> command, Path log) throws IOException {
    return LocalJobProcess.start(command, log);
  }

  private static boolean alive(Process p, Path log) throws IOException {
    return LocalJobProcess.alive(p, log);
  }
}
