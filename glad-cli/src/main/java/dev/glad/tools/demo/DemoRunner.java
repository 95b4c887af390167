package dev.glad.tools.demo;

import static dev.glad.flink.job.GladJobOptions.BOOTSTRAP_SERVERS;
import static dev.glad.flink.job.GladJobOptions.CHECKPOINT_DIR;
import static dev.glad.flink.job.GladJobOptions.CHECKPOINT_INTERVAL;
import static dev.glad.flink.job.GladJobOptions.CONSUMER_GROUP;
import static dev.glad.flink.job.GladJobOptions.MAX_OUT_OF_ORDERNESS;
import static dev.glad.flink.job.GladJobOptions.MODEL_DIR;
import static dev.glad.flink.job.GladJobOptions.PARALLELISM;
import static dev.glad.flink.job.GladJobOptions.RESTART_ATTEMPTS;
import static dev.glad.flink.job.GladJobOptions.SOURCE_IDLENESS;
import static dev.glad.flink.job.GladJobOptions.STARTING_OFFSETS;
import static dev.glad.flink.job.GladJobOptions.TRANSACTION_TIMEOUT;

import dev.glad.flink.job.GladJob;
import dev.glad.flink.job.GladJobOptions;
import dev.glad.flink.job.GladJobSettings;
import dev.glad.flink.job.KafkaIo;
import dev.glad.model.artifact.GladModel;
import dev.glad.schemas.CompletedChunk;
import dev.glad.schemas.DeadLetterReason;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.UserMemory;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.tools.generator.SyntheticInteractions;
import dev.glad.tools.kafka.EmbeddedKafkaBroker;
import dev.glad.tools.kafka.PacedProducer;
import dev.glad.tools.kafka.TopicAdmin;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code ./glad demo}: an in-process Kafka broker, a Flink MiniCluster running the GLAD job, and a
 * live synthetic stream with planted interests and a few bad records of every kind. Prints progress
 * while it runs and a summary that checks the output is exactly once.
 */
public final class DemoRunner {
  /** The generator's most active users (Zipf activity), whose memories the summary follows. */
  static final List<String> SAMPLE_USERS =
      List.of(
          SyntheticInteractions.userId(0),
          SyntheticInteractions.userId(1),
          SyntheticInteractions.userId(2));

  /** Demo options. */
  public record Options(
      int users,
      long events,
      int ratePerSecond,
      int chunkSize,
      long seed,
      int parallelism,
      int partitions,
      long badRecordEvery,
      Duration outOfOrderJitter,
      Path model,
      Path modelCache) {
    public Options {
      if (users < 1) {
        throw new IllegalArgumentException("--users must be >= 1, got " + users);
      }
      if (events < 1) {
        throw new IllegalArgumentException("--events must be >= 1, got " + events);
      }
      if (ratePerSecond < 1) {
        throw new IllegalArgumentException("--rate must be >= 1, got " + ratePerSecond);
      }
      if (parallelism < 1) {
        throw new IllegalArgumentException("--parallelism must be >= 1, got " + parallelism);
      }
      if (partitions < 1) {
        throw new IllegalArgumentException("--partitions must be >= 1, got " + partitions);
      }
      if (badRecordEvery < 0) {
        throw new IllegalArgumentException("--bad-every must be >= 0, got " + badRecordEvery);
      }
      if (model == null && modelCache == null) {
        throw new IllegalArgumentException(
            "either --model DIR or a model cache directory is needed");
      }
    }

    /**
     * The small model the demo trains when no {@code --model} is given: phase 1 + GCA on the
     * generator's history of the same users (same seed, so the same planted interests), with as
     * many history events as the live stream has.
     */
    public DemoModel demoModel() {
      return DemoModel.forStream(users, events, chunkSize, seed);
    }
  }

  private final Options options;
  private final PrintStream out;

  public DemoRunner(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /**
   * Runs the demo to its summary.
   *
   * @return true when every check of the summary passed
   */
  public boolean run() throws Exception {
    long started = System.nanoTime();
    out.println("GLAD demo: preparing the model ...");
    Path modelDir;
    long historyToSkip;
    if (options.model() != null) {
      modelDir = options.model();
      historyToSkip = 0;
      out.println("  using the model in " + modelDir);
    } else {
      DemoModel demoModel = options.demoModel();
      modelDir = demoModel.trainOrReuse(options.modelCache(), out);
      // the live stream continues the history the model was trained on
      historyToSkip = demoModel.historyEvents();
    }
    out.println("GLAD demo: starting an in-process Kafka broker (KRaft) ...");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        GladModel model = GladModel.load(modelDir, "cpu")) {
      if (model.config().chunkSize() != options.chunkSize()) {
        throw new IllegalArgumentException(
            "the model's chunk size c = "
                + model.config().chunkSize()
                + " differs from the demo's --chunk-size "
                + options.chunkSize()
                + " ("
                + modelDir
                + ")");
      }
      Path work = Files.createTempDirectory("glad-demo-");
      GladTopics topics = GladTopics.defaults();
      TopicAdmin.createMissing(broker.bootstrapServers(), topics, options.partitions(), (short) 1);
      out.printf(
          "  broker %s, topics %s (%d partitions)%n",
          broker.bootstrapServers(),
          topics.all().stream().map(t -> t.name()).toList(),
          options.partitions());

      GladJobSettings settings =
          GladJobSettings.builder()
              .set(BOOTSTRAP_SERVERS, broker.bootstrapServers())
              .set(MODEL_DIR, modelDir.toString())
              .set(CHECKPOINT_INTERVAL, Duration.ofSeconds(2))
              .set(CHECKPOINT_DIR, work.resolve("checkpoints").toUri().toString())
              // Every partition gets data while the demo runs, so idleness is never needed; a short
              // one would break the final drain: Flink drops the drain's MAX watermark from an
              // idle source (FLINK-40499) and the last event-time buffers would not flush.
              .set(SOURCE_IDLENESS, Duration.ofMinutes(10))
              // the generator's jitter is the stream's whole disorder: wait just past it, so
              // chunks (and the watermark that "too late" needs) come soon
              .set(MAX_OUT_OF_ORDERNESS, options.outOfOrderJitter().plusSeconds(1))
              .set(STARTING_OFFSETS, GladJobOptions.StartingOffsets.EARLIEST)
              .set(PARALLELISM, options.parallelism())
              .set(RESTART_ATTEMPTS, 3)
              .set(TRANSACTION_TIMEOUT, Duration.ofMinutes(5))
              .build();
      StreamExecutionEnvironment env =
          GladJob.localEnvironment(settings, options.parallelism(), work.resolve("tmp"));
      KafkaIo.job(settings).addTo(env);
      out.printf(
          "  starting the Flink job on a MiniCluster (parallelism %d, chunk size c=%d, model %s,"
              + " K=%d clusters, RocksDB, exactly-once) ...%n",
          options.parallelism(), options.chunkSize(), model.modelVersion(), model.clusterCount());
      JobClient job = env.executeAsync("glad-demo");

      SyntheticInteractions generator =
          new SyntheticInteractions(
              SyntheticInteractions.Settings.defaults(options.seed(), System.currentTimeMillis())
                  .withUsers(options.users()));
      for (long i = 0; i < historyToSkip; i++) {
        generator.next();
      }
      Map<String, Integer> validPerUser = new HashMap<>();
      Map<DeadLetterReason, Long> injected = new EnumMap<>(DeadLetterReason.class);

      try (OutputCounter counter =
          new OutputCounter(broker.bootstrapServers(), topics, Set.copyOf(SAMPLE_USERS))) {
        counter.start();
        double produceSeconds =
            produce(broker.bootstrapServers(), topics, generator, validPerUser, injected, counter);

        out.println("  all events sent; waiting for the job to read them all ...");
        awaitConsumed(broker, topics, settings.get(CONSUMER_GROUP), Duration.ofMinutes(5), counter);
        out.println(
            "  stopping the job with a savepoint (draining: open event-time buffers flush) ...");
        String savepoint =
            job.stopWithSavepoint(
                    true,
                    work.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL)
                .get(5, TimeUnit.MINUTES);

        long expectedChunks =
            validPerUser.values().stream().mapToLong(n -> n / options.chunkSize()).sum();
        long expectedDeadLetters = injected.values().stream().mapToLong(Long::longValue).sum();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline
            && (counter.chunks() < expectedChunks || counter.deadLetters() < expectedDeadLetters)) {
          Thread.sleep(200);
        }
        while (System.nanoTime() < deadline && counter.userMemoryUpdates() < expectedChunks) {
          Thread.sleep(200);
        }
        Thread.sleep(1_000); // a last look for anything beyond the expected counts
        boolean ok =
            summary(
                model,
                generator,
                validPerUser,
                injected,
                counter,
                expectedChunks,
                expectedDeadLetters,
                produceSeconds,
                (System.nanoTime() - started) / 1e9,
                savepoint);
        rankingService(broker.bootstrapServers(), topics, modelDir, model, generator, counter);
        return ok;
      }
    }
  }

  /**
   * Issue 12: the ranking service started on the demo's topics, and where sample users' planted
   * long-term interests rank with the memory and without it ({@link ServiceReport}).
   */
  private void rankingService(
      String bootstrapServers,
      GladTopics topics,
      Path modelDir,
      GladModel model,
      SyntheticInteractions generator,
      OutputCounter counter)
      throws Exception {
    ServiceReport.run(
        bootstrapServers,
        topics,
        modelDir,
        generator,
        counter.lastChunkOfUser(),
        SAMPLE_USERS,
        model.vocabulary().itemIds(),
        out);
  }

  /** Streams the events; returns the seconds spent producing (after the job came up). */
  private double produce(
      String bootstrap,
      GladTopics topics,
      SyntheticInteractions generator,
      Map<String, Integer> validPerUser,
      Map<DeadLetterReason, Long> injected,
      OutputCounter counter)
      throws InterruptedException {
    SplittableRandom jitter = new SplittableRandom(options.seed() ^ 0x5DEECE66DL);
    long jitterMillis = options.outOfOrderJitter().toMillis();
    long lastPrint = System.nanoTime();
    long badTurn = 0;
    // bad records start after a warm-up so that "too late" has a watermark to be late against
    long firstBad = Math.min(options.events() / 5, 5_000);
    String topic = topics.interactions().name();
    try (PacedProducer producer = new PacedProducer(bootstrap, options.ratePerSecond())) {
      awaitJobUp(producer, topic, counter, injected);
      producer.restartClock();
      lastPrint = System.nanoTime();
      for (long i = 0; i < options.events(); i++) {
        InteractionEvent generated = generator.next();
        long now = System.currentTimeMillis();
        InteractionEvent event =
            InteractionEvent.newBuilder(generated)
                .setEventTime(
                    Instant.ofEpochMilli(
                        now - (jitterMillis > 0 ? jitter.nextLong(jitterMillis) : 0)))
                .build();
        byte[] key = event.getUserId().getBytes(StandardCharsets.UTF_8);
        producer.sendPaced(topic, key, topics.interactions().serializeValue(event));
        validPerUser.merge(event.getUserId(), 1, Integer::sum);
        if (options.badRecordEvery() > 0 && i >= firstBad && i % options.badRecordEvery() == 0) {
          BadRecords kind = BadRecords.ofTurn(badTurn);
          if (kind == BadRecords.TOO_LATE && counter.chunks() == 0) {
            // "too late" needs a watermark to be late against; committed chunks prove the job's
            // watermark has moved (a job still reading a backlog may not have emitted one)
            kind = BadRecords.ofTurn(++badTurn);
          }
          producer.send(topic, key, kind.value(event, badTurn, Duration.ofMinutes(10)));
          injected.merge(kind.expectedReason(), 1L, Long::sum);
          badTurn++;
        }
        long t = System.nanoTime();
        if (t - lastPrint > TimeUnit.SECONDS.toNanos(2)) {
          lastPrint = t;
          out.println(
              Progress.line(
                  producer.elapsedSeconds(),
                  i + 1,
                  options.events(),
                  counter.chunks(),
                  counter.userMemoryUpdates(),
                  counter.deadLetters()));
        }
      }
      producer.flush();
      // a final line even when producing took less than one print interval
      out.println(
          Progress.line(
              producer.elapsedSeconds(),
              options.events(),
              options.events(),
              counter.chunks(),
              counter.userMemoryUpdates(),
              counter.deadLetters()));
      return producer.elapsedSeconds();
    }
  }

  /**
   * Sends one undecodable record and waits until it is in the dead-letter topic: then every task of
   * the job is running (models loaded) and a checkpoint has committed, so the stream that follows
   * is processed live instead of piling up as a backlog.
   */
  private void awaitJobUp(
      PacedProducer producer,
      String topic,
      OutputCounter counter,
      Map<DeadLetterReason, Long> injected)
      throws InterruptedException {
    long start = System.nanoTime();
    producer.send(
        topic,
        "probe".getBytes(StandardCharsets.UTF_8),
        BadRecords.GARBAGE_BYTES.value(null, -1, Duration.ZERO));
    injected.merge(BadRecords.GARBAGE_BYTES.expectedReason(), 1L, Long::sum);
    producer.flush();
    long deadline = start + TimeUnit.MINUTES.toNanos(3);
    while (counter.deadLetters() == 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the job did not come up within 3 minutes");
      }
      Thread.sleep(100);
    }
    out.printf(
        "  the job is up (a probe record reached the dead-letter topic after %.1fs); streaming%n",
        (System.nanoTime() - start) / 1e9);
  }

  /** Waits until the job's committed offsets reach the end of every interactions partition. */
  private void awaitConsumed(
      EmbeddedKafkaBroker broker,
      GladTopics topics,
      String group,
      Duration timeout,
      OutputCounter counter)
      throws Exception {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    long lastPrint = start;
    try (Admin admin = broker.admin()) {
      List<TopicPartition> partitions =
          admin
              .describeTopics(List.of(topics.interactions().name()))
              .allTopicNames()
              .get()
              .get(topics.interactions().name())
              .partitions()
              .stream()
              .map(info -> new TopicPartition(topics.interactions().name(), info.partition()))
              .toList();
      Map<TopicPartition, OffsetSpec> latest =
          partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin.listOffsets(latest).all().get();
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        long lag = 0;
        for (TopicPartition tp : partitions) {
          OffsetAndMetadata c = committed.get(tp);
          lag += ends.get(tp).offset() - (c == null ? 0 : c.offset());
        }
        if (lag <= 0) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the job did not consume the interactions within " + timeout + " (lag " + lag + ")");
        }
        long t = System.nanoTime();
        if (t - lastPrint > TimeUnit.SECONDS.toNanos(2)) {
          lastPrint = t;
          out.printf(
              "  ... %,d records not yet committed by the job | chunks completed %,d | user memories"
                  + " %,d | dead letters %,d%n",
              lag, counter.chunks(), counter.userMemoryUpdates(), counter.deadLetters());
        }
        Thread.sleep(250);
      }
    }
  }

  private boolean summary(
      GladModel model,
      SyntheticInteractions generator,
      Map<String, Integer> validPerUser,
      Map<DeadLetterReason, Long> injected,
      OutputCounter counter,
      long expectedChunks,
      long expectedDeadLetters,
      double produceSeconds,
      double totalSeconds,
      String savepoint) {
    long valid = validPerUser.values().stream().mapToLong(Integer::longValue).sum();
    long chunks = counter.chunks();
    Map<DeadLetterReason, Long> deadByReason = counter.deadLettersByReason();
    boolean chunksOk = chunks == expectedChunks;
    boolean deadOk = deadByReason.equals(injected);
    long usersWithChunk = counter.lastChunkOfUser().size();

    out.println();
    out.println("GLAD demo summary");
    out.printf(
        "  events sent           %,d valid + %,d bad in %.1fs (%,.0f events/s)%n",
        valid, expectedDeadLetters, produceSeconds, valid / produceSeconds);
    out.printf(
        "  chunks completed      %,d (expected %,d from %,d users' valid events / c=%d): %s%n",
        chunks,
        expectedChunks,
        validPerUser.size(),
        options.chunkSize(),
        chunksOk ? "exactly once, OK" : "MISMATCH");
    out.printf("  users with a chunk    %,d of %,d%n", usersWithChunk, validPerUser.size());
    out.printf(
        "  dead letters          %,d %s (injected %s): %s%n",
        counter.deadLetters(),
        deadByReason,
        injected,
        deadOk ? "every bad record accounted for, OK" : "MISMATCH");
    out.printf("  savepoint             %s%n", savepoint);
    out.printf("  total time            %.1fs%n", totalSeconds);
    sampleChunk(generator, counter.lastChunkOfUser());
    boolean memoryOk = memorySummary(model, generator, counter);
    if (counter.unreadable() > 0) {
      out.printf(
          "  UNREADABLE OUTPUT     %,d records, first: %s%n",
          counter.unreadable(), counter.firstUnreadable());
    }
    return chunksOk && deadOk && memoryOk && counter.unreadable() == 0;
  }

  /** The memory part of the summary: exactly-once updates, planted interests, sample timelines. */
  private boolean memorySummary(
      GladModel model, SyntheticInteractions generator, OutputCounter counter) {
    Map<String, UserMemory> latest = counter.latestMemories();
    long updates = counter.userMemoryUpdates();
    long chunksInMemories = latest.values().stream().mapToLong(UserMemory::getChunkCount).sum();
    boolean ok = updates == counter.chunks() && chunksInMemories == counter.chunks();
    out.printf(
        "  user memories         %,d updates for %,d users, %,d chunks in them (one update per"
            + " chunk): %s%n",
        updates, latest.size(), chunksInMemories, ok ? "exactly once, OK" : "MISMATCH");
    out.printf(
        "  cluster memory        %,d sequential k-means updates moved %,d of %,d clusters%n",
        counter.clusterUpdates(), counter.centroids().size(), model.clusterCount());
    Map<Integer, float[]> centroids = new HashMap<>();
    float[][] initial = model.initialCentroids();
    for (int j = 0; j < initial.length; j++) {
      centroids.put(j, initial[j]);
    }
    centroids.putAll(counter.centroids());
    MemoryReport report = new MemoryReport(model.math(), model.vocabulary(), generator);
    MemoryReport.Recovery r = report.recovery(latest, centroids);
    out.printf(
        "  planted interests     %,d users' edge weight on clusters whose dominant topic is planted:"
            + " %.0f%% (chance %.0f%%)%n",
        r.users(), 100 * r.edgeShare(), 100 * r.chance());
    out.printf(
        "                        top-%d items in the planted topics: short-term z_U %.0f%%,"
            + " long-term h_U^L %.0f%%%n",
        MemoryReport.TOP_ITEMS, 100 * r.shortTermShare(), 100 * r.longTermShare());
    out.println(
        "  memories refreshing   top clusters by edge weight, cN[tT]xW = cluster N, dominant topic"
            + " T, W chunks:");
    for (String user : SAMPLE_USERS) {
      List<UserMemory> history = counter.historyOf(user);
      if (history.isEmpty()) {
        continue;
      }
      out.printf(
          "    %s (planted topics %s)%n",
          user, Arrays.toString(generator.interestsOf(MemoryReport.userIndex(user))));
      for (String line : report.timeline(history, centroids, 5)) {
        out.println("      " + line);
      }
    }
    return ok;
  }

  /** Shows the most active user's latest chunk next to their planted interests. */
  private void sampleChunk(SyntheticInteractions generator, Map<String, CompletedChunk> chunks) {
    CompletedChunk sample = chunks.get(SyntheticInteractions.userId(0));
    if (sample == null) {
      return;
    }
    int[] topicsOfItems = sample.getItemIds().stream().mapToInt(generator::topicOf).toArray();
    out.printf(
        "  sample                user %s, chunk #%d: item topics %s; planted long-term topics %s%n",
        sample.getUserId(),
        sample.getSequenceNumber(),
        Arrays.toString(topicsOfItems),
        Arrays.toString(generator.interestsOf(0)));
  }
}
