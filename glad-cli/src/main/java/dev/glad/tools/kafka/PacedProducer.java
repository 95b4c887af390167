package dev.glad.tools.kafka;

import dev.glad.schemas.kafka.KafkaClientConfig;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A byte-array producer for the project's own event sources (demo, dataset replay, bench pre-fill)
 * that sends at a target rate: idempotent with acks=all, so a retried send never duplicates an
 * event the exactly-once checks count. For bulk pre-fills of fresh topics ({@link #bulk}) it keeps
 * one request in flight per broker: a retried first batch can then never be overtaken by the next
 * (KAFKA-15591, see {@link TopicAdmin}).
 */
public final class PacedProducer implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final int ratePerSecond;
  private long startNanos = System.nanoTime();
  private long sent;
  private final java.util.concurrent.atomic.AtomicLong failed =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicReference<Exception> firstFailure =
      new java.util.concurrent.atomic.AtomicReference<>();

  public PacedProducer(String bootstrapServers, int ratePerSecond) {
    this(bootstrapServers, KafkaClientConfig.none(), ratePerSecond, false);
  }

  /** A producer for bulk pre-fills: as fast as it goes, one request in flight. */
  public static PacedProducer bulk(String bootstrapServers, KafkaClientConfig client) {
    return new PacedProducer(bootstrapServers, client, Integer.MAX_VALUE, true);
  }

  /**
   * @param client the Kafka client properties (security) of the deployment
   * @param oneInFlight at most one request in flight (bulk pre-fills of fresh topics)
   */
  public PacedProducer(
      String bootstrapServers, KafkaClientConfig client, int ratePerSecond, boolean oneInFlight) {
    if (ratePerSecond < 1) {
      throw new IllegalArgumentException("rate must be >= 1, got " + ratePerSecond);
    }
    Properties p = client.properties(bootstrapServers);
    if (oneInFlight) {
      p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
      p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    }
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    this.ratePerSecond = ratePerSecond;
  }

  /** Sends one record without pacing (e.g. an injected bad record next to its event). */
  public void send(String topic, byte[] key, byte[] value) {
    producer.send(
        new ProducerRecord<>(topic, key, value),
        (metadata, error) -> {
          if (error != null) {
            failed.incrementAndGet();
            firstFailure.compareAndSet(null, error);
          }
        });
  }

  /** Sends one record, then sleeps as long as the sends so far are ahead of the rate. */
  public void sendPaced(String topic, byte[] key, byte[] value) {
    send(topic, key, value);
    sent++;
    long due = startNanos + (long) (sent * 1e9 / ratePerSecond);
    long wait = due - System.nanoTime();
    if (wait > 1_000_000) {
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while pacing the producer", e);
      }
    }
  }

  /** Starts the rate schedule and the elapsed time afresh (after a wait that is not production). */
  public void restartClock() {
    startNanos = System.nanoTime();
    sent = 0;
  }

  /** Seconds since this producer was created or its clock restarted. */
  public double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /**
   * Waits for every send to be acknowledged.
   *
   * @throws IllegalStateException when the broker did not take a record: nothing sent here is lost
   *     silently
   */
  public void flush() {
    producer.flush();
    if (failed.get() > 0) {
      throw new IllegalStateException(
          failed.get() + " record(s) were not delivered; the first error: " + firstFailure.get(),
          firstFailure.get());
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
