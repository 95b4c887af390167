package dev.glad.it;

import static dev.glad.flink.job.GladJobOptions.BOUNDED;
import static dev.glad.flink.job.GladJobOptions.RESTART_ATTEMPTS;
import static dev.glad.flink.job.GladJobOptions.RESTART_DELAY;
import static dev.glad.it.MemoryRuns.ticks;
import static org.awaitility.Awaitility.await;

import dev.glad.it.MemoryRuns.Mode;
import dev.glad.it.MemoryRuns.Output;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.kafka.GladTopics;
import java.time.Duration;
import java.util.List;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The memory outlives a broker restart mid-stream: the in-process broker stops while the job works
 * and starts again on the same port and log directory; the job's clients reconnect or the job
 * restarts from its last checkpoint, and its committed output equals an uninterrupted run's.
 *
 * <p>The outage is shorter than {@code source-idleness} (default 30 s). A longer one marks every
 * partition idle; after it, the partitions that deliver first carry the watermark on and a slower
 * partition's events can fall behind it by more than {@code allowed-lateness} (they are
 * dead-lettered {@code TOO_LATE}): docs/OPERATIONS.md says what that failure costs.
 */
class BrokerRestartITCase {
  @RegisterExtension static final KafkaTestBroker KAFKA = new KafkaTestBroker();

  @RegisterExtension static final MiniClusterExtension FLINK = TestClusters.twoSlots();

  private static MemoryRuns runs;

  @BeforeAll
  static void setUp() {
    runs = new MemoryRuns(KAFKA);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aBrokerRestartMidStreamLosesNothing(Mode mode) throws Exception {
    Output uninterrupted = runs.uninterrupted(mode);
    GladTopics topics = KAFKA.freshTopics();
    List<InteractionEvent> first = runs.slice(0, 0.5);
    List<InteractionEvent> second = runs.slice(0.5, 1);
    long last = second.get(second.size() - 1).getEventTime().toEpochMilli();
    KAFKA.send(topics.interactions(), first, InteractionEvent::getUserId);
    JobClient job =
        runs.start(
            runs.settings(topics, 2, mode)
                .set(BOUNDED, false)
                .set(RESTART_ATTEMPTS, 10)
                .set(RESTART_DELAY, Duration.ofSeconds(1))
                .build(),
            null);
    try {
      // Given the job has committed part of its output
      await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () ->
                  RunningJobs.running(job)
                      && !KAFKA.readCommittedSoFar(topics.userMemory()).isEmpty());

      // When the broker goes away for a few seconds and comes back on its log
      KAFKA.stop();
      await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
      KAFKA.restart();
      KAFKA.send(topics.interactions(), second, InteractionEvent::getUserId);
      KAFKA.send(
          topics.interactions(), ticks("tick", last + 600_000, 4), InteractionEvent::getUserId);

      // Then every chunk reaches the memory exactly once
      runs.awaitComplete(job, topics, mode, Duration.ofSeconds(240));
    } finally {
      RunningJobs.cancelIfRunning(job);
    }
    runs.assertSameMemory(runs.output(topics, mode), uninterrupted, mode);
  }
}
