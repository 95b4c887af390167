package dev.glad.it;

import dev.glad.schemas.kafka.GladTopics;
import dev.glad.schemas.kafka.Topic;
import dev.glad.tools.kafka.EmbeddedKafkaBroker;
import dev.glad.tools.kafka.TopicAdmin;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real in-process Kafka broker shared by the tests of a class, with a fresh set of GLAD topics
 * per test ({@link #freshTopics()}), and producer/consumer helpers that read like a client of the
 * product would (read_committed).
 */
public final class KafkaTestBroker implements BeforeAllCallback, AfterAllCallback {
  private static final AtomicInteger TOPIC_SETS = new AtomicInteger();

  private EmbeddedKafkaBroker broker;
  private java.nio.file.Path dataDirectory;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dataDirectory = java.nio.file.Files.createTempDirectory("glad-test-kafka-");
    broker = EmbeddedKafkaBroker.builder().dataDirectory(dataDirectory).build();
  }

  /** Stops the broker; its log stays for {@link #restart()}. */
  public void stop() {
    broker.close();
  }

  /** Starts the broker again on the same port and log directory. */
  public void restart() {
    broker = EmbeddedKafkaBroker.builder().port(broker.port()).dataDirectory(dataDirectory).build();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (broker != null) {
      broker.close();
    }
    if (dataDirectory != null) {
      try (var paths = java.nio.file.Files.walk(dataDirectory)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (java.io.IOException e) {
        // a temporary directory: the OS cleans it
      }
    }
  }

  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  /**
   * A new, empty set of GLAD topics (4 partitions each) used by one test only; every partition
   * takes writes when this returns ({@link TopicAdmin#createMissing}, KAFKA-15591).
   */
  public GladTopics freshTopics() {
    GladTopics topics = GladTopics.withPrefix("t" + TOPIC_SETS.incrementAndGet() + ".");
    TopicAdmin.createMissing(bootstrapServers(), topics, 4, (short) 1);
    return topics;
  }

  /**
   * End offsets once no transaction is open: a job that has finished has committed its last
   * transactions, but the broker writes the commit markers asynchronously, so for a moment the last
   * stable offset (what read_committed can reach) still stops before them.
   */
  private java.util.Map<TopicPartition, Long> settledEndOffsets(
      KafkaConsumer<byte[], byte[]> committed,
      List<TopicPartition> partitions,
      long deadline,
      String topic,
      Duration timeout) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    try (KafkaConsumer<byte[], byte[]> uncommitted =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      while (true) {
        var stable = committed.endOffsets(partitions);
        if (stable.equals(uncommitted.endOffsets(partitions))) {
          return stable;
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "a transaction on " + topic + " stayed open for " + timeout + ": " + stable);
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
    }
  }

  /**
   * Sends records keyed by user id in one transaction and waits until it is committed: a test gets
   * exactly its records or fails with the broker's error.
   */
  public <V> void send(
      Topic<String, V> topic, List<V> values, java.util.function.Function<V, String> key) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-send-" + topic.name());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      for (V value : values) {
        producer.send(
            new ProducerRecord<>(
                topic.name(), topic.serializeKey(key.apply(value)), topic.serializeValue(value)));
      }
      producer.commitTransaction();
    }
  }

  /** Sends raw bytes (for bad input) with a user-id key; fails when the broker refuses them. */
  public void sendRaw(String topic, String key, byte[] value) {
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      producer
          .send(
              new ProducerRecord<>(
                  topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value))
          .get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError("the broker refused a record for " + topic, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private KafkaProducer<byte[], byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * Everything committed to {@code topic} so far, read from the beginning with read_committed:
   * reads until the end offsets seen at the start, which read_committed only reaches once no
   * transaction is open.
   */
  public <K, V> List<V> readCommitted(Topic<K, V> topic, Duration timeout) {
    return read(topic, timeout, true);
  }

  /**
   * What is committed to {@code topic} at this moment, for a job that is still running (its
   * transactions come and go, so there is no settled end to wait for).
   */
  public <K, V> List<V> readCommittedSoFar(Topic<K, V> topic) {
    return read(topic, Duration.ofSeconds(30), false);
  }

  /**
   * Everything written to {@code topic} so far, committed or not (aborted transactions included):
   * to see what a running job has produced before its next checkpoint commits it.
   */
  public <K, V> List<V> readUncommittedSoFar(Topic<K, V> topic) {
    return read(topic, Duration.ofSeconds(30), false, "read_uncommitted");
  }

  /** A record's key and value (null: a tombstone). */
  public record Keyed<K, V>(K key, V value) {}

  /**
   * What is committed to {@code topic} at this moment with the keys, in each partition's order;
   * tombstones included.
   */
  public <K, V> List<Keyed<K, V>> readCommittedKeyedSoFar(Topic<K, V> topic) {
    return readKeyed(topic, Duration.ofSeconds(30), false, "read_committed");
  }

  private <K, V> List<V> read(Topic<K, V> topic, Duration timeout, boolean settled) {
    return read(topic, timeout, settled, "read_committed");
  }

  private <K, V> List<V> read(
      Topic<K, V> topic, Duration timeout, boolean settled, String isolation) {
    List<V> values = new ArrayList<>();
    for (Keyed<K, V> r : readKeyed(topic, timeout, settled, isolation)) {
      values.add(r.value());
    }
    return values;
  }

  private <K, V> List<Keyed<K, V>> readKeyed(
      Topic<K, V> topic, Duration timeout, boolean settled, String isolation) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    // a call the broker cannot answer (it is restarting) fails within the read's own time
    p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<Keyed<K, V>> values = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic.name()).stream()
              .map(info -> new TopicPartition(topic.name(), info.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long began = System.nanoTime();
      long deadline = began + timeout.toNanos();
      var end =
          settled
              ? settledEndOffsets(consumer, partitions, deadline, topic.name(), timeout)
              : consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "read_committed did not reach the end of "
                  + topic.name()
                  + " within "
                  + timeout
                  + " (an open transaction?)");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          try {
            values.add(
                new Keyed<>(
                    r.key() == null ? null : topic.deserializeKey(r.key()),
                    topic.deserializeValue(r.value())));
          } catch (org.apache.kafka.common.errors.SerializationException e) {
            // a record a test put there on purpose (bad input): a consumer skips it
            System.out.println(
                "skipping an undecodable record of " + topic.name() + ": " + e.getMessage());
          }
        }
      }
      double seconds = (System.nanoTime() - began) / 1e9;
      if (seconds > 5) {
        // reading a test's few records takes milliseconds; a slow read points at the broker
        System.out.printf(
            "slow read_committed of %s: %d records up to %s in %.1f s%n",
            topic.name(), values.size(), end, seconds);
      }
    }
    return values;
  }
}
