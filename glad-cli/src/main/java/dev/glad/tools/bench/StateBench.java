package dev.glad.tools.bench;

import static dev.glad.flink.job.GladJobOptions.BOOTSTRAP_SERVERS;
import static dev.glad.flink.job.GladJobOptions.CHECKPOINT_DIR;
import static dev.glad.flink.job.GladJobOptions.CHECKPOINT_INTERVAL;
import static dev.glad.flink.job.GladJobOptions.MODEL_DIR;
import static dev.glad.flink.job.GladJobOptions.PARALLELISM;
import static dev.glad.flink.job.GladJobOptions.RESTART_DELAY;
import static dev.glad.flink.job.GladJobOptions.STARTING_OFFSETS;
import static dev.glad.flink.job.GladJobOptions.TOPIC_PREFIX;
import static dev.glad.flink.job.GladJobOptions.TRANSACTIONAL_ID_PREFIX;

import com.google.gson.GsonBuilder;
import dev.glad.flink.job.GladJob;
import dev.glad.flink.job.GladJobOptions;
import dev.glad.flink.job.GladJobSettings;
import dev.glad.flink.job.KafkaIo;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.schemas.kafka.KafkaClientConfig;
import dev.glad.tools.generator.SyntheticInteractions;
import dev.glad.tools.kafka.EmbeddedKafkaBroker;
import dev.glad.tools.kafka.PacedProducer;
import dev.glad.tools.kafka.TopicAdmin;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.kafka.common.utils.Utils;

/**
 * {@code ./glad state-bench}: what the memory's state costs an operator, at several user counts.
 * For each count it streams a synthetic history through the whole job (a MiniCluster of two
 * TaskManagers, RocksDB, retained incremental checkpoints, the given model) and measures:
 *
 * <ul>
 *   <li>the state: a checkpoint's full size, per operator and per user, and its duration; a
 *       canonical savepoint's size and the time to take it (stop with savepoint);
 *   <li>restore: from submission from that savepoint until every task runs (state restored), and
 *       until the first checkpoint after it completes;
 *   <li>failover: with a live trickle of events, the TaskManagers the job runs on are killed (new
 *       ones join at once, as a cluster manager would bring them); the time from the kill until
 *       every task runs again, and until the first new user-memory record is committed (visible to
 *       read_committed consumers).
 * </ul>
 */
public final class StateBench {
  /** Bench options. */
  public record Options(
      Path model,
      List<Integer> users,
      int eventsPerUser,
      int parallelism,
      Duration checkpointInterval,
      Duration restartDelay,
      int trickleEventsPerSecond,
      int failovers,
      long seed,
      boolean upgrade,
      Map<String, String> jobSettings,
      Path json) {
    public Options {
      if (users.isEmpty() || users.stream().anyMatch(u -> u < 1)) {
        throw new IllegalArgumentException("--users must list user counts >= 1");
      }
      if (eventsPerUser < 1 || parallelism < 1 || trickleEventsPerSecond < 1 || failovers < 1) {
        throw new IllegalArgumentException(
            "--events-per-user, --parallelism, --trickle-rate and --failovers must be >= 1");
      }
    }
  }

  private static final int PARTITIONS = 4;

  private final Options options;
  private final PrintStream out;

  public StateBench(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** Runs every user count; returns the results (also written as JSON when asked). */
  public Map<String, Object> run() throws Exception {
    int chunkSize = BenchCluster.chunkSizeOf(options.model());
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("command", "state-bench");
    results.put("date", Instant.now().toString());
    results.put("cores", Runtime.getRuntime().availableProcessors());
    results.put("java", System.getProperty("java.version"));
    results.put("model", options.model().toString());
    results.put("chunk_size", chunkSize);
    results.put("parallelism", options.parallelism());
    results.put("checkpoint_interval_ms", options.checkpointInterval().toMillis());
    results.put("restart_delay_ms", options.restartDelay().toMillis());
    List<Map<String, Object>> runs = new ArrayList<>();
    results.put("runs", runs);
    Path work = Files.createTempDirectory("glad-state-bench-");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      for (int users : options.users()) {
        runs.add(runOne(broker.bootstrapServers(), users, chunkSize, work));
        write(results);
      }
    } finally {
      BenchCluster.deleteRecursively(work);
    }
    return results;
  }

  private Map<String, Object> runOne(String bootstrap, int users, int chunkSize, Path work)
      throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("users", users);
    String prefix = "state" + users + ".";
    GladTopics topics = GladTopics.withPrefix(prefix);
    TopicAdmin.createMissing(bootstrap, topics, PARTITIONS, (short) 1);

    long t = System.nanoTime();
    Map<String, Integer> eventsOfUser = fill(bootstrap, topics, users);
    long expectedUpdates = eventsOfUser.values().stream().mapToLong(n -> n / chunkSize).sum();
    r.put("events", (long) users * options.eventsPerUser());
    r.put("users_with_events", eventsOfUser.size());
    r.put("user_memory_updates", expectedUpdates);
    out.printf(
        Locale.ROOT,
        "%,d users: %,d events produced in %.1f s; %,d chunks will complete%n",
        users,
        (long) users * options.eventsPerUser(),
        seconds(t),
        expectedUpdates);

    Path checkpoints = work.resolve("ckpt-" + users);
    Path savepoints = work.resolve("sp-" + users);
    // each job restored from the savepoint writes under its own transactional ids: two restores
    // of one savepoint with the same ids fence each other's producers
    java.util.function.BiFunction<Path, String, GladJobSettings> settingsWithModel =
        (model, transactionalIds) ->
            BenchCluster.withSettings(options.jobSettings())
                .set(BOOTSTRAP_SERVERS, bootstrap)
                .set(TOPIC_PREFIX, prefix)
                .set(MODEL_DIR, model.toString())
                .set(STARTING_OFFSETS, GladJobOptions.StartingOffsets.EARLIEST)
                .set(CHECKPOINT_INTERVAL, options.checkpointInterval())
                .set(RESTART_DELAY, options.restartDelay())
                .set(CHECKPOINT_DIR, checkpoints.toUri().toString())
                .set(PARALLELISM, options.parallelism())
                .set(TRANSACTIONAL_ID_PREFIX, transactionalIds)
                .build();
    GladJobSettings settings = settingsWithModel.apply(options.model(), "state-bench-" + users);
    Configuration conf = GladJob.flinkConfiguration(settings);
    conf.set(CoreOptions.TMP_DIRS, work.resolve("tmp").toString());
    try (BenchCluster cluster = BenchCluster.start(conf, 2, options.parallelism());
        CommittedRecords committed = new CommittedRecords(bootstrap, topics.userMemory().name())) {
      // 1. the history streams in
      t = System.nanoTime();
      JobID job = cluster.submit(KafkaIo.job(settings), null);
      awaitCommitted(committed, expectedUpdates, "streaming the history");
      r.put("stream_seconds", seconds(t));

      // 2. the state: a checkpoint after the last update, then a canonical savepoint
      CompletedCheckpointStats checkpoint = cluster.checkpoint(job);
      r.put("checkpoint", cluster.checkpointReport(job, checkpoint, eventsOfUser.size()));
      t = System.nanoTime();
      String savepoint =
          cluster
              .miniCluster()
              .stopWithSavepoint(
                  job, savepoints.toUri().toString(), false, SavepointFormatType.CANONICAL)
              .get(BenchCluster.STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      Map<String, Object> sp = new LinkedHashMap<>();
      sp.put("stop_with_savepoint_seconds", seconds(t));
      long savepointBytes = directoryBytes(Path.of(java.net.URI.create(savepoint)));
      sp.put("bytes", savepointBytes);
      sp.put("bytes_per_user", savepointBytes / (double) eventsOfUser.size());
      r.put("savepoint", sp);
      out.printf(
          Locale.ROOT,
          "  state: checkpoint %s (%.0f B per user, %d ms); savepoint %s in %.1f s%n",
          bytes(checkpoint.getStateSize()),
          checkpoint.getStateSize() / (double) eventsOfUser.size(),
          checkpoint.getEndToEndDuration(),
          bytes(savepointBytes),
          (double) sp.get("stop_with_savepoint_seconds"));

      if (options.upgrade()) {
        r.put(
            "model_upgrade",
            upgrade(
                cluster,
                settingsWithModel.apply(
                    ModelCopies.reversioned(options.model(), work), "state-bench-upgrade-" + users),
                savepoint,
                committed,
                topics,
                eventsOfUser.values().stream().filter(n -> n >= chunkSize).count()));
      }

      // 3. restore from the savepoint
      t = System.nanoTime();
      job = cluster.submit(KafkaIo.job(settings), savepoint);
      cluster.awaitAllRunning(job, 0);
      double running = seconds(t);
      CompletedCheckpointStats first = cluster.checkpoint(job);
      double firstCheckpoint = seconds(t);
      Map<String, Object> restore = new LinkedHashMap<>();
      restore.put("from", "canonical savepoint");
      restore.put("until_all_tasks_running_seconds", running);
      restore.put("until_first_checkpoint_seconds", firstCheckpoint);
      restore.put("first_checkpoint_state_bytes", first.getStateSize());
      r.put("restore", restore);
      out.printf(
          Locale.ROOT,
          "  restore from the savepoint: every task running after %.1f s, first checkpoint"
              + " after %.1f s%n",
          running,
          firstCheckpoint);

      // 4. failovers under a live trickle of events
      AtomicBoolean trickling = new AtomicBoolean(true);
      Thread trickle = trickle(bootstrap, topics, eventsOfUser, trickling);
      try {
        awaitCommitted(committed, committed.count() + 1, "live output before the failure");
        double[] runningAgain = new double[options.failovers()];
        double[] output = new double[options.failovers()];
        for (int f = 0; f < options.failovers(); f++) {
          double[] times = failover(cluster, job, committed, topics);
          runningAgain[f] = times[0];
          output[f] = times[1];
          out.printf(
              Locale.ROOT,
              "  TaskManagers killed (%d/%d): every task running again after %.1f s, first"
                  + " committed user-memory record of the restored job after %.1f s%n",
              f + 1,
              options.failovers(),
              runningAgain[f],
              output[f]);
        }
        Map<String, Object> failover = new LinkedHashMap<>();
        failover.put("trickle_events_per_s", options.trickleEventsPerSecond());
        failover.put("until_all_tasks_running_seconds", Stats.median(runningAgain));
        failover.put("until_all_tasks_running_seconds_runs", runningAgain);
        failover.put("until_first_committed_output_seconds", Stats.median(output));
        failover.put("until_first_committed_output_seconds_runs", output);
        r.put("taskmanager_failure", failover);
      } finally {
        trickling.set(false);
        trickle.join();
        cluster.miniCluster().cancelJob(job).get();
      }
    }
    return r;
  }

  /**
   * Restores the savepoint under {@code upgraded} (another model version) and times until every
   * user with a memory is published under it (rebuilt from the stored chunks, in the background:
   * nothing new streams in).
   */
  private Map<String, Object> upgrade(
      BenchCluster cluster,
      GladJobSettings upgraded,
      String savepoint,
      CommittedRecords committed,
      GladTopics topics,
      long usersWithMemory)
      throws Exception {
    String version = ModelCopies.versionOf(Path.of(upgraded.get(MODEL_DIR)));
    long t = System.nanoTime();
    JobID job = cluster.submit(KafkaIo.job(upgraded), savepoint);
    java.util.Set<String> rebuilt = new java.util.HashSet<>();
    long reported = t;
    long deadline = t + BenchCluster.STEP_TIMEOUT.toNanos();
    while (rebuilt.size() < usersWithMemory) {
      for (var r : committed.poll(Duration.ofMillis(200))) {
        dev.glad.schemas.UserMemory m = topics.userMemory().deserializeValue(r.value());
        if (m != null && m.getModelVersion().equals(version)) {
          rebuilt.add(m.getUserId());
        }
      }
      long now = System.nanoTime();
      if (now > deadline) {
        throw new IllegalStateException(
            "the upgrade published "
                + rebuilt.size()
                + " of "
                + usersWithMemory
                + " memories within "
                + BenchCluster.STEP_TIMEOUT);
      }
      if (now - reported > 10_000_000_000L) {
        reported = now;
        double rate = rebuilt.size() / seconds(t);
        out.printf(
            Locale.ROOT,
            "  model upgrade: %,d / %,d users published under the new version, %,.0f users/s,"
                + " ETA %.0f s%n",
            rebuilt.size(),
            usersWithMemory,
            rate,
            (usersWithMemory - rebuilt.size()) / Math.max(rate, 1e-9));
      }
    }
    double seconds = seconds(t);
    cluster.miniCluster().cancelJob(job).get();
    Map<String, Object> u = new LinkedHashMap<>();
    u.put("users_rebuilt", usersWithMemory);
    u.put("seconds_from_submission", seconds);
    u.put("users_per_s", usersWithMemory / seconds);
    out.printf(
        Locale.ROOT,
        "  model upgrade: %,d memories rebuilt and committed under the new version %.1f s after"
            + " the job was submitted (%,.0f users/s, start-up included)%n",
        usersWithMemory,
        seconds,
        usersWithMemory / seconds);
    return u;
  }

  /** Produces {@code users × eventsPerUser} events; returns the events per user. */
  private Map<String, Integer> fill(String bootstrap, GladTopics topics, int users) {
    long events = (long) users * options.eventsPerUser();
    // event times 1 ms apart, ending a minute before now (the job refuses events in the future)
    long start = System.currentTimeMillis() - events - Duration.ofMinutes(1).toMillis();
    SyntheticInteractions generator =
        new SyntheticInteractions(
            SyntheticInteractions.Settings.defaults(options.seed(), 0).withUsers(users));
    Map<String, Integer> eventsOfUser = new HashMap<>();
    try (PacedProducer producer = PacedProducer.bulk(bootstrap, KafkaClientConfig.none())) {
      BenchHistory.send(
          producer,
          topics,
          generator,
          events,
          start,
          out,
          e -> eventsOfUser.merge(e.getUserId(), 1, Integer::sum));
      // a tick on every partition, a minute of event time later: it moves every partition's
      // watermark past the history, so every chunk of it completes
      for (String tick : ticksOnEveryPartition()) {
        producer.send(
            topics.interactions().name(),
            tick.getBytes(StandardCharsets.UTF_8),
            topics
                .interactions()
                .serializeValue(
                    InteractionEvent.newBuilder(generator.next())
                        .setUserId(tick)
                        .setEventId(tick + "-" + options.seed())
                        .setEventTime(Instant.ofEpochMilli(start + events + 60_000))
                        .build()));
      }
      producer.flush();
    }
    return eventsOfUser;
  }

  /** A user id per partition of the interactions topic (Kafka's default key partitioner). */
  private static List<String> ticksOnEveryPartition() {
    Map<Integer, String> byPartition = new HashMap<>();
    for (int i = 0; byPartition.size() < PARTITIONS; i++) {
      String id = "bench-tick-" + i;
      byPartition.putIfAbsent(
          Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % PARTITIONS, id);
    }
    return List.copyOf(byPartition.values());
  }

  /**
   * Live events for the failover: users of the history get items now, so their chunks keep
   * completing and the job keeps committing user-memory records.
   */
  private Thread trickle(
      String bootstrap, GladTopics topics, Map<String, Integer> eventsOfUser, AtomicBoolean on) {
    List<String> userIds = List.copyOf(eventsOfUser.keySet());
    Thread thread =
        new Thread(
            () -> {
              SyntheticInteractions generator =
                  new SyntheticInteractions(
                      SyntheticInteractions.Settings.defaults(options.seed() + 1, 0)
                          .withUsers(userIds.size()));
              Random random = new Random(options.seed());
              long interval = 1_000_000_000L / options.trickleEventsPerSecond();
              long next = System.nanoTime();
              try (PacedProducer producer =
                  PacedProducer.bulk(bootstrap, KafkaClientConfig.none())) {
                for (long i = 0; on.get(); i++) {
                  String user = userIds.get(random.nextInt(userIds.size()));
                  InteractionEvent e =
                      InteractionEvent.newBuilder(generator.next())
                          .setUserId(user)
                          .setEventId("trickle-" + i)
                          .setEventTime(Instant.now())
                          .build();
                  producer.send(
                      topics.interactions().name(),
                      user.getBytes(StandardCharsets.UTF_8),
                      topics.interactions().serializeValue(e));
                  if (i % 50 == 0) {
                    producer.flush();
                  }
                  next += interval;
                  long wait = next - System.nanoTime();
                  if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                  }
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "state-bench-trickle");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /**
   * Kills the TaskManagers the job runs on (new ones join at once) and returns the seconds until
   * every task runs again and until the restored job's first committed user-memory record: one it
   * produced (updateTime) after the kill; what the dying TaskManagers still commit does not count.
   * The output is polled while the job recovers, so both moments are taken as they happen.
   */
  private static double[] failover(
      BenchCluster cluster, JobID job, CommittedRecords committed, GladTopics topics)
      throws Exception {
    int nextAttempt = cluster.attempt(job) + 1;
    long killedAtMillis = System.currentTimeMillis();
    long killed = System.nanoTime();
    cluster.replaceAllTaskManagers();
    long firstOutput = 0;
    double runningAgain = 0;
    long deadline = killed + BenchCluster.STEP_TIMEOUT.toNanos();
    while ((firstOutput == 0 || runningAgain == 0) && System.nanoTime() < deadline) {
      if (firstOutput == 0) {
        firstOutput =
            committed.firstMatching(
                rec ->
                    topics.userMemory().deserializeValue(rec.value()).getUpdateTime().toEpochMilli()
                        > killedAtMillis,
                Duration.ofMillis(20));
      }
      if (runningAgain == 0 && cluster.allRunning(job, nextAttempt)) {
        runningAgain = seconds(killed);
      }
    }
    if (firstOutput == 0 || runningAgain == 0) {
      throw new IllegalStateException(
          "the job did not recover within " + BenchCluster.STEP_TIMEOUT);
    }
    return new double[] {runningAgain, (firstOutput - killed) / 1e9};
  }

  private void awaitCommitted(CommittedRecords committed, long expected, String what)
      throws Exception {
    long t = System.nanoTime();
    long lastReport = t;
    long deadline = t + BenchCluster.STEP_TIMEOUT.toNanos();
    long start = committed.count();
    while (committed.poll() < expected) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            what
                + ": "
                + committed.count()
                + " of "
                + expected
                + " records after "
                + BenchCluster.STEP_TIMEOUT);
      }
      if (System.nanoTime() - lastReport > 5e9) {
        lastReport = System.nanoTime();
        double rate = (committed.count() - start) / seconds(t);
        out.printf(
            Locale.ROOT,
            "  %s: %,d / %,d user-memory records committed, %,.0f/s, ETA %s%n",
            what,
            committed.count(),
            expected,
            rate,
            rate > 0
                ? String.format(Locale.ROOT, "%.0f s", (expected - committed.count()) / rate)
                : "?");
      }
    }
  }

  private void write(Map<String, Object> results) throws IOException {
    if (options.json() != null) {
      Files.writeString(
          options.json(), new GsonBuilder().setPrettyPrinting().create().toJson(results));
    }
  }

  private static double seconds(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1e9;
  }

  private static String bytes(long n) {
    return String.format(Locale.ROOT, "%.1f MB", n / 1e6);
  }

  private static long directoryBytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }
}
