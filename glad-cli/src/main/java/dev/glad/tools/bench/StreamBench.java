package dev.glad.tools.bench;

import static dev.glad.flink.job.GladJobOptions.BOOTSTRAP_SERVERS;
import static dev.glad.flink.job.GladJobOptions.CHECKPOINT_DIR;
import static dev.glad.flink.job.GladJobOptions.CHECKPOINT_INTERVAL;
import static dev.glad.flink.job.GladJobOptions.CHUNK_SIZE;
import static dev.glad.flink.job.GladJobOptions.CLUSTER_PUBLISH_INTERVAL;
import static dev.glad.flink.job.GladJobOptions.CONSUMER_GROUP;
import static dev.glad.flink.job.GladJobOptions.DEVICE;
import static dev.glad.flink.job.GladJobOptions.ENCODER_THREADS;
import static dev.glad.flink.job.GladJobOptions.MODEL_DIR;
import static dev.glad.flink.job.GladJobOptions.PARALLELISM;
import static dev.glad.flink.job.GladJobOptions.STARTING_OFFSETS;
import static dev.glad.flink.job.GladJobOptions.TOPIC_PREFIX;
import static dev.glad.flink.job.GladJobOptions.TRANSACTIONAL_ID_PREFIX;

import com.google.gson.GsonBuilder;
import dev.glad.flink.job.GladJob;
import dev.glad.flink.job.GladJobOptions;
import dev.glad.flink.job.GladJobSettings;
import dev.glad.flink.job.KafkaIo;
import dev.glad.flink.memory.GladStreamingModel;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.UserMemory;
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
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.statistics.HistogramDataset;

/**
 * {@code ./glad bench}: steady-state throughput of the memory job, against its own ceilings in the
 * same run.
 *
 * <p>Modes, alternated round by round so machine noise spreads over all of them:
 *
 * <ul>
 *   <li>{@code chunking}: source, decode, validation, dedupe and chunk assembly with its
 *       exactly-once sink; no model;
 *   <li>{@code noop}: the whole memory job with the encoder's forward pass replaced by a lookup
 *       ({@link NoOpEncoderModel}): the ceiling the encoder leaves;
 *   <li>{@code full}: the whole job.
 * </ul>
 *
 * Each run reads a pre-filled topic. The rate is what the job committed (the source's offsets,
 * which Flink commits to the consumer group when a checkpoint completes) over a window that starts
 * after a warm-up (job start, model load, the first checkpoints) and lasts {@code window} or 10^6
 * events, whichever comes first. A last phase feeds the full job live at a fraction of its measured
 * rate and measures the latency from an event to its committed user-memory record.
 */
public final class StreamBench {
  /** What a run measures. */
  public enum Mode {
    CHUNKING,
    NOOP,
    FULL;

    String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Bench options. */
  public record Options(
      Path model,
      int users,
      int items,
      int events,
      List<Mode> modes,
      int repeats,
      int parallelism,
      Duration warmup,
      Duration window,
      Duration checkpointInterval,
      Duration clusterPublishInterval,
      double latencyLoad,
      Duration latencyDuration,
      long seed,
      Map<String, String> jobSettings,
      Path json,
      Path png) {
    public Options {
      if (events < 1 || users < 1 || repeats < 1 || parallelism < 1 || modes.isEmpty()) {
        throw new IllegalArgumentException(
            "--events, --users, --repeats, --parallelism must be >= 1 and --modes non-empty");
      }
      if (window.compareTo(checkpointInterval.multipliedBy(2)) < 0) {
        throw new IllegalArgumentException(
            "--window ("
                + window
                + ") must be at least twice --checkpoint-interval ("
                + checkpointInterval
                + "): the rate is measured between the source's offset commits, one per checkpoint");
      }
      if (!(latencyLoad >= 0 && latencyLoad < 1)) {
        throw new IllegalArgumentException(
            "--latency-load must be in [0, 1) (0 skips the latency phase), got " + latencyLoad);
      }
    }
  }

  /** One measured run. */
  public record Run(
      Mode mode,
      int repeat,
      double windowSeconds,
      long windowEvents,
      boolean inputExhausted,
      long userMemoryRecords,
      long clusterMemoryRecords,
      double clusterRecordsPerSecond,
      long checkpointBytes,
      long checkpointMillis,
      long userMemoryStateBytes,
      Map<String, Double> cpuSecondsByTask,
      long liveHeapBeforeJobBytes,
      long liveHeapBytes) {
    double eventsPerSecond() {
      return windowEvents / windowSeconds;
    }

    /** CPU microseconds per committed event of the window, per task (see {@link ProcessProbe}). */
    Map<String, Double> cpuMicrosPerEvent() {
      Map<String, Double> perEvent = new LinkedHashMap<>();
      cpuSecondsByTask.forEach((task, sec) -> perEvent.put(task, sec * 1e6 / windowEvents));
      return perEvent;
    }
  }

  private static final long WINDOW_EVENTS = 1_000_000;
  private static final int PARTITIONS = 4;

  private final Options options;
  private final PrintStream out;

  public StreamBench(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** Runs every mode {@code repeats} times, then the latency phase; returns the JSON tree. */
  public Map<String, Object> run() throws Exception {
    int chunkSize = BenchCluster.chunkSizeOf(options.model());
    List<Run> runs = new ArrayList<>();
    Map<String, Object> latency = null;
    Path work = Files.createTempDirectory("glad-bench-");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      int total = options.repeats() * options.modes().size();
      long started = System.nanoTime();
      for (int r = 0; r < options.repeats(); r++) {
        for (Mode mode : options.modes()) {
          Run run = runOne(broker.bootstrapServers(), mode, r, chunkSize, work);
          runs.add(run);
          double elapsed = seconds(started);
          out.printf(
              Locale.ROOT,
              "[%d/%d] %s, round %d: %,.0f events/s over %.0f s (%,d events%s); %.1f cluster"
                  + " records per chunk | ETA %.0f s%n",
              runs.size(),
              total,
              mode.key(),
              r + 1,
              run.eventsPerSecond(),
              run.windowSeconds(),
              run.windowEvents(),
              run.inputExhausted() ? ", input ran out: window short" : "",
              perChunk(run),
              elapsed / runs.size() * (total - runs.size()));
        }
      }
      if (options.latencyLoad() > 0 && options.modes().contains(Mode.FULL)) {
        double full = medianRate(runs, Mode.FULL);
        latency = latency(broker.bootstrapServers(), (int) (options.latencyLoad() * full), work);
      }
    } finally {
      BenchCluster.deleteRecursively(work);
    }
    Map<String, Object> results = results(runs, chunkSize, latency);
    summary(results);
    if (options.json() != null) {
      Files.writeString(
          options.json(), new GsonBuilder().setPrettyPrinting().create().toJson(results));
      out.println("wrote " + options.json());
    }
    return results;
  }

  private Run runOne(String bootstrap, Mode mode, int repeat, int chunkSize, Path work)
      throws Exception {
    String prefix = "bench" + repeat + mode.key() + ".";
    GladTopics topics = GladTopics.withPrefix(prefix);
    TopicAdmin.createMissing(bootstrap, topics, PARTITIONS, (short) 1);
    fill(bootstrap, topics);
    GladJobSettings settings = settings(bootstrap, prefix, work, mode, chunkSize);
    Configuration conf = GladJob.flinkConfiguration(settings);
    conf.set(CoreOptions.TMP_DIRS, work.resolve("tmp").toString());
    long heapBefore = ProcessProbe.liveHeapBytes();
    try (BenchCluster cluster = BenchCluster.start(conf, 1, options.parallelism());
        Admin admin = admin(bootstrap);
        CommittedRecords users = new CommittedRecords(bootstrap, topics.userMemory().name());
        CommittedRecords clusters =
            new CommittedRecords(bootstrap, topics.clusterMemory().name())) {
      JobID job = cluster.submit(job(settings, mode), null);
      long submitted = System.nanoTime();
      // warm-up: job start, model load, the first checkpoints
      long consumed = 0;
      while (seconds(submitted) < options.warmup().toSeconds() || consumed == 0) {
        consumed = committedOffsets(admin, settings);
        Thread.sleep(200);
      }
      // the window opens at the first settled commit of the source's offsets after the warm-up
      SettledCommits<Map<Long, ProcessProbe.ThreadCpu>> commits =
          new SettledCommits<>(
              SettledCommits.settleNanosFor(options.checkpointInterval().toMillis()),
              consumed,
              System.nanoTime(),
              Map.of());
      while (!commits.offer(consumed, System.nanoTime(), ProcessProbe::threadCpu)) {
        if (consumed >= options.events()) {
          throw new IllegalStateException(
              mode.key()
                  + " read all "
                  + options.events()
                  + " events during the warm-up: raise --events or shorten --warmup");
        }
        users.poll(Duration.ofMillis(100));
        clusters.poll(Duration.ofMillis(100));
        consumed = committedOffsets(admin, settings);
      }
      long t0 = commits.at();
      long o0 = commits.offsets();
      Map<Long, ProcessProbe.ThreadCpu> cpu0 = commits.snapshot();
      long clusters0 = clusters.count();
      long lastReport = System.nanoTime();
      while (seconds(t0) < options.window().toSeconds()
          && commits.offsets() - o0 < WINDOW_EVENTS
          && commits.offsets() < options.events()) {
        users.poll(Duration.ofMillis(100));
        clusters.poll(Duration.ofMillis(100));
        commits.offer(
            committedOffsets(admin, settings), System.nanoTime(), ProcessProbe::threadCpu);
        if (System.nanoTime() - lastReport > 10e9) {
          lastReport = System.nanoTime();
          long events = commits.offsets() - o0;
          out.printf(
              Locale.ROOT,
              "  %s: %,d events committed in the window, %,.0f events/s%n",
              mode.key(),
              events,
              commits.at() > t0 ? events / ((commits.at() - t0) / 1e9) : 0.0);
        }
      }
      long t1 = commits.at();
      long o1 = commits.offsets();
      Map<Long, ProcessProbe.ThreadCpu> cpu1 = commits.snapshot();
      double clusterRate = (clusters.count() - clusters0) / ((System.nanoTime() - t0) / 1e9);
      long heapAtEnd = ProcessProbe.liveHeapBytes(); // after the window: it stops the world
      CompletedCheckpointStats checkpoint = cluster.checkpoint(job);
      Map<String, Object> report = cluster.checkpointReport(job, checkpoint, options.users());
      cluster.miniCluster().cancelJob(job).get();
      users.poll(Duration.ofMillis(500));
      clusters.poll(Duration.ofMillis(500));
      // the next runs need the disk (a run's input is about 150 bytes per event)
      admin.deleteTopics(topics.all().stream().map(t -> t.name()).toList()).all().get();
      return new Run(
          mode,
          repeat,
          (t1 - t0) / 1e9,
          o1 - o0,
          o1 >= options.events(),
          users.count(),
          clusters.count(),
          clusterRate,
          checkpoint.getStateSize(),
          checkpoint.getEndToEndDuration(),
          userMemoryState(report),
          ProcessProbe.cpuSecondsByTask(cpu0, cpu1),
          heapBefore,
          heapAtEnd);
    }
  }

  private GladJobSettings settings(
      String bootstrap, String prefix, Path work, Mode mode, int chunkSize) {
    GladJobSettings.Builder b =
        BenchCluster.withSettings(options.jobSettings())
            .set(BOOTSTRAP_SERVERS, bootstrap)
            .set(TOPIC_PREFIX, prefix)
            .set(STARTING_OFFSETS, GladJobOptions.StartingOffsets.EARLIEST)
            .set(CHECKPOINT_INTERVAL, options.checkpointInterval())
            .set(CLUSTER_PUBLISH_INTERVAL, options.clusterPublishInterval())
            .set(CHECKPOINT_DIR, work.resolve("ckpt-" + prefix).toUri().toString())
            .set(PARALLELISM, options.parallelism())
            .set(CONSUMER_GROUP, "bench-" + prefix)
            .set(TRANSACTIONAL_ID_PREFIX, "bench-" + prefix);
    if (mode == Mode.CHUNKING) {
      b.set(CHUNK_SIZE, chunkSize);
    } else {
      b.set(MODEL_DIR, options.model().toString()).set(DEVICE, "auto");
    }
    return b.build();
  }

  private static GladJob job(GladJobSettings settings, Mode mode) {
    return switch (mode) {
      case CHUNKING, FULL -> KafkaIo.job(settings);
      case NOOP ->
          KafkaIo.job(
              settings,
              new NoOpEncoderModel.Factory(
                  new GladStreamingModel.Factory(
                      settings.get(MODEL_DIR),
                      settings.get(DEVICE),
                      settings.get(ENCODER_THREADS),
                      null)));
    };
  }

  /** The events every run reads: the same seed, so every run sees the same stream. */
  private void fill(String bootstrap, GladTopics topics) {
    long start = System.currentTimeMillis() - options.events() - Duration.ofMinutes(1).toMillis();
    SyntheticInteractions generator = new SyntheticInteractions(generatorSettings());
    try (PacedProducer producer = PacedProducer.bulk(bootstrap, KafkaClientConfig.none())) {
      BenchHistory.send(producer, topics, generator, options.events(), start, out, e -> {});
      producer.flush();
    }
  }

  private SyntheticInteractions.Settings generatorSettings() {
    return SyntheticInteractions.Settings.defaults(options.seed(), 0)
        .withUsers(options.users())
        .withItems(options.items(), Math.max(2, options.items() / 100));
  }

  /**
   * The latency phase: the full job fed live at {@code rate} events/s; for every committed
   * user-memory record, the time from its chunk's last event (its event time, which is when the
   * event was produced) until a read_committed consumer sees it.
   */
  private Map<String, Object> latency(String bootstrap, int rate, Path work) throws Exception {
    out.printf(
        Locale.ROOT,
        "latency: the full job fed live at %,d events/s for %d s%n",
        rate,
        options.latencyDuration().toSeconds());
    String prefix = "latency.";
    GladTopics topics = GladTopics.withPrefix(prefix);
    TopicAdmin.createMissing(bootstrap, topics, PARTITIONS, (short) 1);
    GladJobSettings settings = settings(bootstrap, prefix, work, Mode.FULL, 0);
    Configuration conf = GladJob.flinkConfiguration(settings);
    conf.set(CoreOptions.TMP_DIRS, work.resolve("tmp").toString());
    List<Long> latencies = new ArrayList<>();
    try (BenchCluster cluster = BenchCluster.start(conf, 1, options.parallelism());
        CommittedRecords users = new CommittedRecords(bootstrap, topics.userMemory().name());
        PacedProducer producer = new PacedProducer(bootstrap, Math.max(1, rate))) {
      JobID job = cluster.submit(job(settings, Mode.FULL), null);
      cluster.awaitAllRunning(job, 0);
      cluster.checkpoint(job);
      SyntheticInteractions generator = new SyntheticInteractions(generatorSettings());
      long end = System.nanoTime() + options.latencyDuration().toNanos();
      long warmEnd = System.currentTimeMillis() + 10_000;
      long lastPoll = System.nanoTime();
      producer.restartClock();
      while (System.nanoTime() < end) {
        InteractionEvent e =
            InteractionEvent.newBuilder(generator.next()).setEventTime(Instant.now()).build();
        producer.sendPaced(
            topics.interactions().name(),
            e.getUserId().getBytes(StandardCharsets.UTF_8),
            topics.interactions().serializeValue(e));
        if (System.nanoTime() - lastPoll > 50_000_000L) {
          lastPoll = System.nanoTime();
          collect(users.poll(Duration.ZERO), topics, warmEnd, latencies);
        }
      }
      // what is still in flight commits within a checkpoint interval or two
      long drain = System.nanoTime() + 3 * options.checkpointInterval().toNanos();
      while (System.nanoTime() < drain) {
        collect(users.poll(Duration.ofMillis(100)), topics, warmEnd, latencies);
      }
      cluster.miniCluster().cancelJob(job).get();
    }
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("events_per_s", rate);
    l.put("records", sorted.length);
    l.put("p50", Stats.percentile(sorted, 0.50));
    l.put("p99", Stats.percentile(sorted, 0.99));
    l.put("max", sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1]);
    if (options.png() != null && sorted.length > 0) {
      histogram(sorted, rate, options.png());
      l.put("png", options.png().toString());
    }
    return l;
  }

  /** Latency of each record whose chunk ended after the warm-up (wall ms). */
  private static void collect(
      Iterable<ConsumerRecord<byte[], byte[]>> records,
      GladTopics topics,
      long warmEnd,
      List<Long> latencies) {
    long now = System.currentTimeMillis();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      UserMemory m = topics.userMemory().deserializeValue(r.value());
      long eventTime = m.getEventTime().toEpochMilli();
      if (eventTime >= warmEnd) {
        latencies.add(now - eventTime);
      }
    }
  }

  private void histogram(long[] sortedMillis, int rate, Path png) throws IOException {
    double cap = Stats.percentile(sortedMillis, 0.999);
    double[] ms = Arrays.stream(sortedMillis).mapToDouble(v -> Math.min(v, cap)).toArray();
    HistogramDataset dataset = new HistogramDataset();
    dataset.addSeries("event -> committed user memory", ms, 60, 0, Math.max(cap, 1));
    JFreeChart chart =
        ChartFactory.createHistogram(
            String.format(
                Locale.ROOT,
                "Memory job latency at %,d events/s (p = %d, checkpoint every %d s)",
                rate,
                options.parallelism(),
                options.checkpointInterval().toSeconds()),
            "ms from a chunk's last event to its committed user-memory record (values above"
                + " p99.9 at the right edge)",
            "user-memory records",
            dataset,
            PlotOrientation.VERTICAL,
            false,
            false,
            false);
    Path parent = png.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 600);
  }

  /** Sum of the offsets the job's source committed to its consumer group. */
  private static long committedOffsets(Admin admin, GladJobSettings settings) throws Exception {
    Map<?, OffsetAndMetadata> offsets =
        admin
            .listConsumerGroupOffsets(settings.get(CONSUMER_GROUP))
            .partitionsToOffsetAndMetadata()
            .get();
    return offsets.values().stream()
        .filter(o -> o != null)
        .mapToLong(OffsetAndMetadata::offset)
        .sum();
  }

  private static Admin admin(String bootstrap) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return Admin.create(p);
  }

  @SuppressWarnings("unchecked")
  private static long userMemoryState(Map<String, Object> checkpointReport) {
    Map<String, Object> perTask =
        (Map<String, Object>) checkpointReport.get("state_bytes_per_task");
    return perTask.entrySet().stream()
        .filter(e -> e.getKey().startsWith("user-memory"))
        .mapToLong(e -> (Long) e.getValue())
        .sum();
  }

  private static double perChunk(Run run) {
    return run.userMemoryRecords() == 0
        ? 0
        : run.clusterMemoryRecords() / (double) run.userMemoryRecords();
  }

  /**
   * Per task, the median over the runs of its CPU microseconds per committed event, with the runs'
   * values; tasks under 1 % of the process's CPU in every run are left out, and "all threads" sums
   * every Java thread of the process (broker included).
   */
  private static Map<String, Object> cpuMicrosPerEvent(List<Run> runs) {
    Map<String, Object> byTask = new LinkedHashMap<>();
    List<Map<String, Double>> perRun = runs.stream().map(Run::cpuMicrosPerEvent).toList();
    double[] totals =
        perRun.stream()
            .mapToDouble(m -> m.values().stream().mapToDouble(Double::doubleValue).sum())
            .toArray();
    byTask.put("all threads", Map.of("median", Stats.median(totals), "runs", totals));
    perRun.stream()
        .flatMap(m -> m.keySet().stream())
        .distinct()
        .filter(
            task ->
                IntStream.range(0, perRun.size())
                    .anyMatch(i -> perRun.get(i).getOrDefault(task, 0.0) >= 0.01 * totals[i]))
        .sorted(
            Comparator.comparingDouble(
                task -> -perRun.stream().mapToDouble(m -> m.getOrDefault(task, 0.0)).sum()))
        .forEach(
            task -> {
              double[] values =
                  perRun.stream().mapToDouble(m -> m.getOrDefault(task, 0.0)).toArray();
              byTask.put(task, Map.of("median", Stats.median(values), "runs", values));
            });
    return byTask;
  }

  private static double medianRate(List<Run> runs, Mode mode) {
    return Stats.median(
        runs.stream().filter(r -> r.mode() == mode).mapToDouble(Run::eventsPerSecond).toArray());
  }

  private Map<String, Object> results(List<Run> runs, int chunkSize, Map<String, Object> latency) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("command", "bench");
    r.put("date", Instant.now().toString());
    r.put("cores", Runtime.getRuntime().availableProcessors());
    r.put("java", System.getProperty("java.version"));
    r.put("model", options.model().toString());
    r.put("chunk_size", chunkSize);
    r.put("users", options.users());
    r.put("items", options.items());
    r.put("events_per_run", options.events());
    r.put("parallelism", options.parallelism());
    r.put("checkpoint_interval_ms", options.checkpointInterval().toMillis());
    r.put("cluster_publish_interval_ms", options.clusterPublishInterval().toMillis());
    r.put("warmup_s", options.warmup().toSeconds());
    r.put("window_s", options.window().toSeconds());
    Map<String, Object> modes = new LinkedHashMap<>();
    for (Mode mode : options.modes()) {
      List<Run> of = runs.stream().filter(x -> x.mode() == mode).toList();
      double[] rates = of.stream().mapToDouble(Run::eventsPerSecond).toArray();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("events_per_s", Stats.median(rates));
      m.put("events_per_s_range", Stats.range(rates));
      m.put("events_per_s_runs", rates);
      m.put("window_s_runs", of.stream().mapToDouble(Run::windowSeconds).toArray());
      m.put("input_ran_out", of.stream().anyMatch(Run::inputExhausted));
      if (mode != Mode.CHUNKING) {
        m.put(
            "cluster_records_per_chunk",
            Stats.median(of.stream().mapToDouble(StreamBench::perChunk).toArray()));
        m.put(
            "broadcast_records_per_subtask_per_s",
            Stats.median(of.stream().mapToDouble(Run::clusterRecordsPerSecond).toArray()));
        m.put(
            "user_memory_state_bytes_per_user",
            Stats.median(
                of.stream()
                    .mapToDouble(x -> x.userMemoryStateBytes() / (double) options.users())
                    .toArray()));
      }
      m.put(
          "checkpoint_bytes",
          Stats.median(of.stream().mapToDouble(Run::checkpointBytes).toArray()));
      m.put(
          "checkpoint_ms", Stats.median(of.stream().mapToDouble(Run::checkpointMillis).toArray()));
      // the whole process (broker, bench and job): the broker's memory moves between rounds as it
      // deletes the previous round's topics, so a difference would not be the job's alone
      m.put("live_heap_bytes", Stats.median(of.stream().mapToDouble(Run::liveHeapBytes).toArray()));
      m.put(
          "live_heap_bytes_before_job",
          Stats.median(of.stream().mapToDouble(Run::liveHeapBeforeJobBytes).toArray()));
      m.put("cpu_us_per_event", cpuMicrosPerEvent(of));
      modes.put(mode.key(), m);
    }
    r.put("modes", modes);
    Map<String, Object> ratios = new LinkedHashMap<>();
    if (modes.containsKey("full") && modes.containsKey("noop")) {
      ratios.put("full_over_noop", medianRate(runs, Mode.FULL) / medianRate(runs, Mode.NOOP));
    }
    if (modes.containsKey("noop") && modes.containsKey("chunking")) {
      ratios.put(
          "noop_over_chunking", medianRate(runs, Mode.NOOP) / medianRate(runs, Mode.CHUNKING));
    }
    r.put("ratios", ratios);
    if (modes.containsKey("full")) {
      r.put(
          "cluster_records_per_chunk",
          ((Map<?, ?>) modes.get("full")).get("cluster_records_per_chunk"));
    }
    if (latency != null) {
      r.put("latency_ms", latency);
    }
    return r;
  }

  @SuppressWarnings("unchecked")
  private void summary(Map<String, Object> results) {
    out.println();
    out.printf(
        Locale.ROOT,
        "GLAD stream bench: %,d events per run, %,d users, %,d items, c = %s, p = %d, checkpoint"
            + " every %d ms, %d rounds; model %s%n",
        options.events(),
        options.users(),
        options.items(),
        results.get("chunk_size"),
        options.parallelism(),
        options.checkpointInterval().toMillis(),
        options.repeats(),
        options.model());
    out.println("| mode | events/s (median) | range | runs | cluster records/chunk |");
    out.println("|---|---|---|---|---|");
    ((Map<String, Object>) results.get("modes"))
        .forEach(
            (mode, v) -> {
              Map<String, Object> m = (Map<String, Object>) v;
              double[] range = (double[]) m.get("events_per_s_range");
              out.printf(
                  Locale.ROOT,
                  "| %s | %,.0f | %,.0f–%,.0f | %s | %s |%n",
                  mode,
                  (double) m.get("events_per_s"),
                  range[0],
                  range[1],
                  Arrays.toString(
                      Arrays.stream((double[]) m.get("events_per_s_runs"))
                          .map(x -> Math.round(x))
                          .toArray()),
                  m.containsKey("cluster_records_per_chunk")
                      ? String.format(
                          Locale.ROOT, "%.2f", (double) m.get("cluster_records_per_chunk"))
                      : "—");
            });
    ((Map<String, Object>) results.get("modes"))
        .forEach(
            (mode, v) -> {
              Map<String, Object> m = (Map<String, Object>) v;
              StringBuilder line =
                  new StringBuilder(
                      String.format(
                          Locale.ROOT,
                          "%s: live heap %.0f MB at the window's end (%.0f MB before the job;"
                              + " broker and bench included); CPU µs per event (median):",
                          mode,
                          (double) m.get("live_heap_bytes") / 1e6,
                          (double) m.get("live_heap_bytes_before_job") / 1e6));
              ((Map<String, Object>) m.get("cpu_us_per_event"))
                  .entrySet().stream()
                      .limit(6)
                      .forEach(
                          e ->
                              line.append(
                                  String.format(
                                      Locale.ROOT,
                                      " %s %.1f;",
                                      e.getKey(),
                                      (double)
                                          ((Map<String, Object>) e.getValue()).get("median"))));
              out.println(line);
            });
    out.println("ratios: " + results.get("ratios"));
    if (results.containsKey("latency_ms")) {
      out.println("latency (ms): " + results.get("latency_ms"));
    }
  }

  private static double seconds(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1e9;
  }
}
