package dev.glad.flink.replay;

import dev.glad.model.data.InteractionFileReader;
import dev.glad.model.data.InteractionFormat;
import dev.glad.model.data.UserSequences;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.schemas.kafka.Topic;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code ./glad replay}: publishes a dataset file to the interactions topic as a producer of the
 * product would (Avro single-object encoding, key = user id, idempotent, acks=all), at a given
 * rate, with progress lines. Event times end at the current time, {@code gapMillis} apart.
 */
public final class ReplayProducer {
  private ReplayProducer() {}

  /** What to replay and where. */
  public record Options(
      Path data,
      InteractionFormat format,
      String bootstrapServers,
      String topicPrefix,
      int ratePerSecond,
      long limit,
      long gapMillis) {
    public Options {
      if (ratePerSecond < 1) {
        throw new IllegalArgumentException("--rate must be >= 1, got " + ratePerSecond);
      }
      if (limit < 1) {
        throw new IllegalArgumentException("--limit must be >= 1, got " + limit);
      }
      if (gapMillis < 0) {
        throw new IllegalArgumentException("--gap-ms must be >= 0, got " + gapMillis);
      }
    }
  }

  /** Replays the file; returns the number of events sent. */
  public static long run(Options options, PrintStream out) {
    UserSequences data = InteractionFileReader.read(options.data(), options.format());
    long total = Math.min(options.limit(), data.interactionCount());
    out.printf(
        Locale.ROOT,
        "replaying %,d of %,d interactions of %,d users from %s to %s%n",
        total,
        data.interactionCount(),
        data.userCount(),
        options.data(),
        options.bootstrapServers());
    Topic<String, InteractionEvent> topic =
        GladTopics.withPrefix(options.topicPrefix()).interactions();
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    long start = System.currentTimeMillis() - total * options.gapMillis();
    long began = System.nanoTime();
    long[] sent = {0};
    long[] lastPrint = {began};
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      DatasetReplay.replay(
          data,
          start,
          options.gapMillis(),
          total,
          event -> {
            producer.send(
                new ProducerRecord<>(
                    topic.name(),
                    topic.serializeKey(event.getUserId()),
                    topic.serializeValue(event)));
            sent[0]++;
            pace(began, sent[0], options.ratePerSecond());
            long now = System.nanoTime();
            if (now - lastPrint[0] > TimeUnit.SECONDS.toNanos(2)) {
              lastPrint[0] = now;
              double secs = (now - began) / 1e9;
              double rate = sent[0] / secs;
              out.printf(
                  Locale.ROOT,
                  "[%6.1fs] %,d/%,d events (%,.0f/s) ETA %.0fs%n",
                  secs,
                  sent[0],
                  total,
                  rate,
                  (total - sent[0]) / Math.max(rate, 1));
            }
          });
      producer.flush();
    }
    out.printf(
        Locale.ROOT, "sent %,d events in %.1fs%n", sent[0], (System.nanoTime() - began) / 1e9);
    return sent[0];
  }

  private static void pace(long startNanos, long sent, int ratePerSecond) {
    long due = startNanos + (long) (sent * 1e9 / ratePerSecond);
    long wait = due - System.nanoTime();
    if (wait > 1_000_000) {
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }
}
