package dev.glad.tools.bench;

import static dev.glad.flink.job.GladJobOptions.BOOTSTRAP_SERVERS;
import static dev.glad.flink.job.GladJobOptions.BOUNDED;
import static dev.glad.flink.job.GladJobOptions.CHECKPOINT_DIR;
import static dev.glad.flink.job.GladJobOptions.CHECKPOINT_INTERVAL;
import static dev.glad.flink.job.GladJobOptions.DEVICE;
import static dev.glad.flink.job.GladJobOptions.ENCODER_BATCH_SIZE;
import static dev.glad.flink.job.GladJobOptions.MODEL_DIR;
import static dev.glad.flink.job.GladJobOptions.PARALLELISM;
import static dev.glad.flink.job.GladJobOptions.RESTART_ATTEMPTS;
import static dev.glad.flink.job.GladJobOptions.STARTING_OFFSETS;
import static dev.glad.flink.job.GladJobOptions.TOPIC_PREFIX;
import static dev.glad.flink.job.GladJobOptions.TRANSACTIONAL_ID_PREFIX;
import static dev.glad.flink.job.GladJobOptions.TRANSACTION_TIMEOUT;

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
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code ./glad bench}: throughput of the whole memory job (ingest, chunking, batched encoder, user
 * and cluster memory, exactly-once sinks) on this machine, per encoder batch size. Each run gets
 * its own topics, pre-filled with the same synthetic events, and runs the job bounded on a
 * MiniCluster; the time is from submission to the job's end (all output committed). Runs of the
 * configurations alternate, so machine noise spreads over all of them; medians are reported.
 */
public final class StreamBench {
  /** Bench options. */
  public record Options(
      Path model,
      int chunkSize,
      int users,
      int events,
      List<Integer> batchSizes,
      int repeats,
      int parallelism,
      long seed) {
    public Options {
      if (events < 1 || users < 1 || repeats < 1 || parallelism < 1 || batchSizes.isEmpty()) {
        throw new IllegalArgumentException(
            "--events, --users, --repeats, --parallelism must be >= 1 and --batch-sizes non-empty");
      }
    }
  }

  /** One measured run. */
  public record Run(int batchSize, int repeat, double seconds, long userMemoryRecords) {}

  private final Options options;
  private final PrintStream out;

  public StreamBench(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** Runs every configuration {@code repeats} times; returns the runs in execution order. */
  public List<Run> run() throws Exception {
    List<Run> runs = new ArrayList<>();
    Path work = Files.createTempDirectory("glad-bench-");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      int total = options.repeats() * options.batchSizes().size();
      int done = 0;
      long started = System.nanoTime();
      for (int r = 0; r < options.repeats(); r++) {
        for (int batchSize : options.batchSizes()) {
          String prefix = "bench" + r + "b" + batchSize + ".";
          GladTopics topics = GladTopics.withPrefix(prefix);
          TopicAdmin.createMissing(broker.bootstrapServers(), topics, 4, (short) 1);
          fill(broker.bootstrapServers(), topics);
          double seconds = runJob(broker.bootstrapServers(), prefix, batchSize, work);
          long records = count(broker.bootstrapServers(), topics.userMemory().name());
          runs.add(new Run(batchSize, r, seconds, records));
          done++;
          double elapsed = (System.nanoTime() - started) / 1e9;
          out.printf(
              Locale.ROOT,
              "[%d/%d] batch %d, repeat %d: %.1f s, %,.0f events/s, %,d user-memory updates"
                  + " (%,.0f/s) | ETA %.0fs%n",
              done,
              total,
              batchSize,
              r + 1,
              seconds,
              options.events() / seconds,
              records,
              records / seconds,
              elapsed / done * (total - done));
        }
      }
    }
    summary(runs);
    return runs;
  }

  private void fill(String bootstrap, GladTopics topics) {
    SyntheticInteractions generator =
        new SyntheticInteractions(
            SyntheticInteractions.Settings.defaults(options.seed(), 0).withUsers(options.users()));
    long now = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
    try (PacedProducer producer = PacedProducer.bulk(bootstrap, KafkaClientConfig.none())) {
      for (int i = 0; i < options.events(); i++) {
        InteractionEvent e =
            InteractionEvent.newBuilder(generator.next())
                .setEventTime(Instant.ofEpochMilli(now + i))
                .build();
        producer.send(
            topics.interactions().name(),
            e.getUserId().getBytes(StandardCharsets.UTF_8),
            topics.interactions().serializeValue(e));
      }
      producer.flush();
    }
  }

  private double runJob(String bootstrap, String prefix, int batchSize, Path work)
      throws Exception {
    GladJobSettings settings =
        GladJobSettings.builder()
            .set(BOOTSTRAP_SERVERS, bootstrap)
            .set(TOPIC_PREFIX, prefix)
            .set(MODEL_DIR, options.model().toString())
            .set(DEVICE, "auto")
            .set(ENCODER_BATCH_SIZE, batchSize)
            .set(BOUNDED, true)
            .set(STARTING_OFFSETS, GladJobOptions.StartingOffsets.EARLIEST)
            .set(CHECKPOINT_INTERVAL, Duration.ofSeconds(2))
            .set(CHECKPOINT_DIR, work.resolve("ckpt-" + prefix).toUri().toString())
            .set(PARALLELISM, options.parallelism())
            .set(RESTART_ATTEMPTS, 0)
            .set(TRANSACTIONAL_ID_PREFIX, "bench-" + prefix)
            .set(TRANSACTION_TIMEOUT, Duration.ofMinutes(10))
            .build();
    StreamExecutionEnvironment env =
        GladJob.localEnvironment(settings, options.parallelism(), work.resolve("tmp"));
    KafkaIo.job(settings).addTo(env);
    long start = System.nanoTime();
    env.execute("glad-bench");
    return (System.nanoTime() - start) / 1e9;
  }

  /** Committed records on a topic (the job has ended, so its transactions are closed). */
  private static long count(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          c.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      long n = 0;
      var begin = c.beginningOffsets(partitions);
      // read_committed end offsets stop at the last stable offset; commit markers take a slot
      // each, so count records by reading, not by offset arithmetic
      c.assign(partitions);
      c.seekToBeginning(partitions);
      var end = c.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        n += c.poll(Duration.ofMillis(200)).count();
        boolean atEnd = true;
        for (TopicPartition tp : partitions) {
          atEnd &= c.position(tp) >= end.get(tp);
        }
        if (atEnd) {
          return n;
        }
      }
      throw new IllegalStateException(
          "could not read " + topic + " to its end within 60 s (from " + begin + ")");
    }
  }

  private void summary(List<Run> runs) {
    out.println();
    out.printf(
        Locale.ROOT,
        "GLAD stream bench: %,d events of %,d users, c = %d, parallelism %d, %d repeats; model %s%n",
        options.events(),
        options.users(),
        options.chunkSize(),
        options.parallelism(),
        options.repeats(),
        options.model());
    out.println(
        "| encoder batch | median s | events/s (median) | user-memory updates/s | runs (s) |");
    out.println("|---|---|---|---|---|");
    for (int batchSize : options.batchSizes()) {
      double[] secs =
          runs.stream().filter(r -> r.batchSize() == batchSize).mapToDouble(Run::seconds).toArray();
      long records =
          runs.stream()
              .filter(r -> r.batchSize() == batchSize)
              .mapToLong(Run::userMemoryRecords)
              .max()
              .orElse(0);
      double median = median(secs);
      out.printf(
          Locale.ROOT,
          "| %d | %.1f | %,.0f | %,.0f | %s |%n",
          batchSize,
          median,
          options.events() / median,
          records / median,
          Arrays.toString(Arrays.stream(secs).map(s -> Math.round(s * 10) / 10.0).toArray()));
    }
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
}
