package dev.glad.it;

import static dev.glad.flink.job.GladJobOptions.ALLOWED_LATENESS;
import static dev.glad.flink.job.GladJobOptions.BOUNDED;
import static dev.glad.flink.job.GladJobOptions.CHECKPOINT_INTERVAL;
import static dev.glad.flink.job.GladJobOptions.DEDUPE_WINDOW;
import static dev.glad.flink.job.GladJobOptions.ENCODER_BATCH_SIZE;
import static dev.glad.flink.job.GladJobOptions.ENCODER_MAX_WAIT;
import static dev.glad.flink.job.GladJobOptions.RESTART_ATTEMPTS;
import static dev.glad.flink.job.GladJobOptions.RESTART_DELAY;
import static dev.glad.flink.job.GladJobOptions.STATE_COMPRESSION;
import static dev.glad.flink.job.GladJobOptions.TIMER_STORE;
import static dev.glad.flink.job.GladJobOptions.TRANSACTION_TIMEOUT;
import static dev.glad.it.MemoryRuns.ticks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.glad.flink.job.GladJobOptions.StateCompression;
import dev.glad.flink.job.GladJobOptions.TimerStore;
import dev.glad.it.MemoryRuns.Mode;
import dev.glad.it.MemoryRuns.Output;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.kafka.GladTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The memory outlives a stop and restore, a rescale and a TaskManager failure: each run is
 * interrupted mid-stream and its committed output compared with an uninterrupted run of the same
 * input ({@link MemoryRuns#assertSameMemory}), with frozen clusters and with cluster updates on.
 */
class DurabilityITCase {
  @RegisterExtension static final KafkaTestBroker KAFKA = new KafkaTestBroker();

  @RegisterExtension
  static final MiniClusterExtension FLINK = TestClusters.miniCluster(2, 2, new Configuration());

  private static MemoryRuns runs;
  private static final Map<Mode, Output> UNINTERRUPTED = new EnumMap<>(Mode.class);

  @BeforeAll
  static void setUp() {
    runs = new MemoryRuns(KAFKA);
  }

  private static synchronized Output uninterrupted(Mode mode) throws Exception {
    if (!UNINTERRUPTED.containsKey(mode)) {
      UNINTERRUPTED.put(mode, runs.uninterrupted(mode));
    }
    return UNINTERRUPTED.get(mode);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aStopWithSavepointMidStreamAndARestoreLoseNothing(Mode mode, @TempDir Path savepoints)
      throws Exception {
    restoreFromASavepointTakenMidStream(2, mode, savepoints);
  }

  @ParameterizedTest(name = "2 -> {0}, {1}")
  @CsvSource({"3, FROZEN", "3, UPDATES", "1, FROZEN", "1, UPDATES"})
  void aJobRescaledFromASavepointLosesNothing(int parallelism, Mode mode, @TempDir Path savepoints)
      throws Exception {
    restoreFromASavepointTakenMidStream(parallelism, mode, savepoints);
  }

  /**
   * The timer store is switched through a savepoint (the way OPERATIONS.md says to): the first job
   * keeps its timers in RocksDB, the restored one on the heap, and nothing is lost or doubled.
   */
  @Test
  void aJobRestoredWithItsTimersMovedToTheHeapLosesNothing(@TempDir Path savepoints)
      throws Exception {
    restoreFromASavepointTakenMidStream(2, Mode.UPDATES, savepoints, Change.none(TimerStore.HEAP));
  }

  /**
   * State compression changes at a restart: the first job writes Snappy-compressed files and stops
   * with a native savepoint (its RocksDB files, as incremental checkpoints keep them), the restored
   * job reads them and writes uncompressed ones, and nothing is lost or doubled.
   */
  @Test
  void aJobRestoredFromSnappyFilesWithoutCompressionLosesNothing(@TempDir Path savepoints)
      throws Exception {
    restoreFromASavepointTakenMidStream(
        2,
        Mode.UPDATES,
        savepoints,
        new Change(
            StateCompression.SNAPPY,
            SavepointFormatType.NATIVE,
            TimerStore.ROCKSDB,
            StateCompression.NONE));
  }

  /**
   * What differs between the job that stops and the one that restores: the first job's state
   * compression and savepoint format, the restored job's timer store and state compression.
   */
  private record Change(
      StateCompression firstCompression,
      SavepointFormatType format,
      TimerStore restoredTimers,
      StateCompression restoredCompression) {
    static Change none(TimerStore restoredTimers) {
      return new Change(
          StateCompression.NONE,
          SavepointFormatType.CANONICAL,
          restoredTimers,
          StateCompression.NONE);
    }
  }

  /**
   * Given the first half of the input and a job at parallelism 2 working on it, when the job stops
   * with a savepoint before it is done, the second half arrives and a job at {@code parallelism}
   * restores the savepoint and reads to the end, then the memory equals an uninterrupted run's.
   */
  private void restoreFromASavepointTakenMidStream(int parallelism, Mode mode, Path savepoints)
      throws Exception {
    restoreFromASavepointTakenMidStream(
        parallelism, mode, savepoints, Change.none(TimerStore.ROCKSDB));
  }

  private void restoreFromASavepointTakenMidStream(
      int parallelism, Mode mode, Path savepoints, Change change) throws Exception {
    GladTopics topics = KAFKA.freshTopics();
    KAFKA.send(topics.interactions(), runs.slice(0, 0.5), InteractionEvent::getUserId);
    JobClient first =
        runs.start(
            runs.settings(topics, 2, mode)
                .set(BOUNDED, false)
                .set(STATE_COMPRESSION, change.firstCompression())
                .build(),
            null);
    String savepoint;
    try {
      await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () ->
                  RunningJobs.running(first)
                      && !KAFKA.readCommittedSoFar(topics.userMemory()).isEmpty());
      savepoint =
          first.stopWithSavepoint(false, savepoints.toUri().toString(), change.format()).get();
    } finally {
      RunningJobs.cancelIfRunning(first);
    }
    KAFKA.send(topics.interactions(), runs.slice(0.5, 1), InteractionEvent::getUserId);

    // a restored job keeps its splits' stopping offsets (none: the first job was unbounded), so
    // the second runs unbounded too until everything is committed
    runs.runUntilComplete(
        runs.settings(topics, parallelism, mode)
            .set(BOUNDED, false)
            .set(TIMER_STORE, change.restoredTimers())
            .set(STATE_COMPRESSION, change.restoredCompression())
            .build(),
        savepoint,
        topics);

    runs.assertSameMemory(runs.output(topics, mode), uninterrupted(mode), mode);
  }

  /**
   * The TaskManagers the job runs on die while completed chunks wait in the encoder's batch buffer
   * (some of them in the last checkpoint, some not) and the sinks' transactions hold uncommitted
   * output; the job restores the checkpoint on new TaskManagers (the test checks that its tasks
   * really failed over), and the memory equals an uninterrupted run's.
   *
   * <p>Chunks sit in the encoder's buffer only between watermarks: the encoder flushes on every
   * watermark, and chunks in order complete on one. Late events (behind the watermark, within the
   * allowed lateness) complete chunks at once, with no watermark behind them, so a batch size and a
   * wait longer than the test keep those chunks buffered until the next watermark. Checkpoints are
   * triggered by the test, so what each holds is known.
   */
  @ParameterizedTest
  @EnumSource(Mode.class)
  void aTaskManagerFailureWithChunksInTheEncoderBufferAndOpenTransactionsLosesNothing(
      Mode mode, @InjectMiniCluster MiniCluster cluster) throws Exception {
    GladTopics topics = KAFKA.freshTopics();
    List<InteractionEvent> inOrder = runs.slice(0, 0.4);
    List<InteractionEvent> lateBeforeCheckpoint = runs.slice(0.4, 0.7);
    List<InteractionEvent> lateAfterCheckpoint = runs.slice(0.7, 1);
    long last = inOrder.get(inOrder.size() - 1).getEventTime().toEpochMilli();
    long minute = 60_000;
    JobClient job =
        runs.start(
            runs.settings(topics, 2, mode)
                .set(BOUNDED, false)
                // checkpoints come from the test (the periodic one is later than the test takes)
                .set(CHECKPOINT_INTERVAL, Duration.ofMinutes(13))
                .set(TRANSACTION_TIMEOUT, Duration.ofMinutes(14))
                .set(ENCODER_BATCH_SIZE, 4096)
                .set(ENCODER_MAX_WAIT, Duration.ofHours(1))
                .set(ALLOWED_LATENESS, Duration.ofHours(1))
                .set(DEDUPE_WINDOW, Duration.ofHours(2))
                .set(RESTART_ATTEMPTS, 3)
                .set(RESTART_DELAY, Duration.ofMillis(500))
                .build(),
            null);
    try {
      // the in-order part, and a tick that moves the watermark 10 minutes past it
      KAFKA.send(topics.interactions(), inOrder, InteractionEvent::getUserId);
      KAFKA.send(
          topics.interactions(),
          ticks("tick-1", last + 10 * minute, 4),
          InteractionEvent::getUserId);
      long chunksInOrder = runs.chunksOf(inOrder);
      awaitUncommitted(job, topics, chunksInOrder, chunksInOrder);
      checkpoint(cluster, job);

      // late events complete chunks that wait in the encoder's buffer; a checkpoint holds them
      KAFKA.send(topics.interactions(), lateBeforeCheckpoint, InteractionEvent::getUserId);
      long chunksThrough70 = runs.chunksOf(runs.slice(0, 0.7));
      awaitUncommitted(job, topics, chunksThrough70, chunksInOrder);
      checkpoint(cluster, job);

      // a watermark flushes them into an open transaction; more late events fill the buffer
      KAFKA.send(
          topics.interactions(),
          ticks("tick-2", last + 20 * minute, 4),
          InteractionEvent::getUserId);
      awaitUncommitted(job, topics, chunksThrough70, chunksThrough70);
      KAFKA.send(topics.interactions(), lateAfterCheckpoint, InteractionEvent::getUserId);
      long allChunks = runs.chunksOf(runs.events);
      awaitUncommitted(job, topics, allChunks, chunksThrough70);

      // When the TaskManagers the job runs on die (and new ones come). Both of the cluster's
      // first two die: which of them holds the job's slots is the scheduler's choice, and a
      // failure that hits no task would prove nothing.
      cluster.startTaskManager();
      cluster.startTaskManager();
      cluster.terminateTaskManager(firstLiveTaskManager).get();
      cluster.terminateTaskManager(firstLiveTaskManager + 1).get();
      firstLiveTaskManager += 2;
      // (the failure hit the job: tasks run again in a new attempt)
      await().atMost(Duration.ofSeconds(60)).until(() -> restartedTasks(cluster, job) > 0);

      // Then, after the restore and a watermark that flushes the buffer, everything is committed
      KAFKA.send(
          topics.interactions(),
          ticks("tick-3", last + 30 * minute, 4),
          InteractionEvent::getUserId);
      await()
          .atMost(Duration.ofSeconds(180))
          .until(
              () -> {
                RunningJobs.running(job);
                tryCheckpoint(cluster, job);
                return runs.complete(topics, mode);
              });
    } finally {
      RunningJobs.cancelIfRunning(job);
    }
    runs.assertSameMemory(runs.output(topics, mode), uninterrupted(mode), mode);
  }

  /**
   * Index of the oldest live TaskManager of the class's cluster: MiniCluster numbers TaskManagers
   * in start order and keeps terminated ones in its list; the extension starts 0 and 1.
   */
  private static int firstLiveTaskManager = 0;

  /** Tasks of the job that run in a later attempt than their first, i.e. were failed over. */
  private static long restartedTasks(MiniCluster cluster, JobClient job) throws Exception {
    return java.util.stream.StreamSupport.stream(
            cluster.getExecutionGraph(job.getJobID()).get().getAllExecutionVertices().spliterator(),
            false)
        .filter(v -> v.getCurrentExecutionAttempt().getAttemptNumber() > 0)
        .count();
  }

  /** Waits until completed chunks and user-memory updates (committed or not) reach the counts. */
  private static void awaitUncommitted(
      JobClient job, GladTopics topics, long completedChunks, long userUpdates) {
    await()
        .atMost(Duration.ofSeconds(120))
        .until(
            () ->
                RunningJobs.running(job)
                    && KAFKA.readUncommittedSoFar(topics.completedChunks()).size()
                        >= completedChunks
                    && KAFKA.readUncommittedSoFar(topics.userMemory()).size() >= userUpdates);
    // nothing beyond: the buffered chunks are really still buffered
    assertThat(KAFKA.readUncommittedSoFar(topics.userMemory())).hasSize((int) userUpdates);
  }

  private static void checkpoint(MiniCluster cluster, JobClient job) throws Exception {
    cluster.triggerCheckpoint(job.getJobID()).get();
  }

  private static void tryCheckpoint(MiniCluster cluster, JobClient job) {
    try {
      checkpoint(cluster, job);
    } catch (Exception e) {
      // restarting: the next round asks again
    }
  }
}
