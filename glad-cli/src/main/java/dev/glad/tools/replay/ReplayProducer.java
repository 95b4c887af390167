package dev.glad.tools.replay;

import dev.glad.model.data.InteractionFileReader;
import dev.glad.model.data.InteractionFormat;
import dev.glad.model.data.UserSequences;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.schemas.kafka.KafkaClientConfig;
import dev.glad.schemas.kafka.Topic;
import dev.glad.tools.kafka.PacedProducer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

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
      KafkaClientConfig client,
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
    long start = System.currentTimeMillis() - total * options.gapMillis();
    long[] sent = {0};
    long[] lastPrint = {System.nanoTime()};
    double seconds;
    try (PacedProducer producer =
        new PacedProducer(
            options.bootstrapServers(), options.client(), options.ratePerSecond(), false)) {
      DatasetReplay.replay(
          data,
          start,
          options.gapMillis(),
          total,
          event -> {
            producer.sendPaced(
                topic.name(), topic.serializeKey(event.getUserId()), topic.serializeValue(event));
            sent[0]++;
            long now = System.nanoTime();
            if (now - lastPrint[0] > TimeUnit.SECONDS.toNanos(2)) {
              lastPrint[0] = now;
              double secs = producer.elapsedSeconds();
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
      seconds = producer.elapsedSeconds();
    }
    out.printf(Locale.ROOT, "sent %,d events in %.1fs%n", sent[0], seconds);
    return sent[0];
  }
}
