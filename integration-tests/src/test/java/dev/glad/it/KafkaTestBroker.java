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

  @Override
  public void beforeAll(ExtensionContext context) {
    broker = EmbeddedKafkaBroker.start();
    warmUpTransactions();
  }

  /**
   * Commits one transaction before any test runs. A fresh broker creates and loads its
   * transaction-state topic on the first transactional producer; twice the first test of a class
   * lost chunks and spent two minutes in that window (cause not pinned down, see
   * docs/ARCHITECTURE.md §9), so no test is the first transactional client any more.
   */
  private void warmUpTransactions() {
    long start = System.nanoTime();
    GladTopics warmUp = GladTopics.withPrefix("warm-up.");
    TopicAdmin.createMissing(bootstrapServers(), warmUp, 1, (short) 1);
    String topic = warmUp.interactions().name();
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "warm-up");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, new byte[] {1}));
      producer.commitTransaction();
    }
    List<byte[]> read = new ArrayList<>();
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (read.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(100)).forEach(r -> read.add(r.value()));
      }
    }
    if (read.isEmpty()) {
      throw new IllegalStateException("the broker's first transaction never became readable");
    }
    System.out.printf(
        "test broker: first transaction committed and read in %.1f s%n",
        (System.nanoTime() - start) / 1e9);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (broker != null) {
      broker.close();
    }
  }

  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  /** A new, empty set of GLAD topics (4 partitions each) used by one test only. */
  public GladTopics freshTopics() {
    GladTopics topics = GladTopics.withPrefix("t" + TOPIC_SETS.incrementAndGet() + ".");
    TopicAdmin.createMissing(bootstrapServers(), topics, 4, (short) 1);
    awaitLeaders(topics);
    return topics;
  }

  /**
   * Waits until every partition of the topics has a leader, so the first send finds one. A topic
   * the controller has just created can be unknown to the broker's metadata for a moment; a
   * producer that hits that window may drop its batch after {@code delivery.timeout.ms}.
   */
  private void awaitLeaders(GladTopics topics) {
    Properties p = new Properties();
    p.put(
        org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrapServers());
    List<String> names = topics.all().stream().map(Topic::name).toList();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String lastProblem = "none";
    try (var admin = org.apache.kafka.clients.admin.Admin.create(p)) {
      while (System.nanoTime() < deadline) {
        try {
          boolean ready =
              admin.describeTopics(names).allTopicNames().get().values().stream()
                  .flatMap(d -> d.partitions().stream())
                  .allMatch(info -> info.leader() != null && !info.leader().isEmpty());
          if (ready) {
            return;
          }
          lastProblem = "a partition without a leader";
        } catch (java.util.concurrent.ExecutionException e) {
          lastProblem = String.valueOf(e.getCause()); // not visible yet: ask again
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    throw new AssertionError("topics " + names + " not ready within 30 s: " + lastProblem);
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
   * Sends records keyed by user id in one transaction and waits until it is committed. A fresh
   * broker has now and then left one partition of a just-created topic unwritable for minutes (a
   * batch expired after {@code delivery.timeout.ms}); then the transaction is aborted — the job
   * reads read_committed, so it never sees the aborted copy — and the whole batch is sent again, so
   * a test gets exactly its records or fails with the broker's error.
   */
  public <V> void send(
      Topic<String, V> topic, List<V> values, java.util.function.Function<V, String> key) {
    long start = System.nanoTime();
    RuntimeException last = null;
    for (int attempt = 1; attempt <= 4; attempt++) {
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
      p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-send-" + topic.name());
      p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
      p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
        producer.initTransactions();
        producer.beginTransaction();
        List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> acks =
            new ArrayList<>();
        for (V value : values) {
          acks.add(
              producer.send(
                  new ProducerRecord<>(
                      topic.name(),
                      topic.serializeKey(key.apply(value)),
                      topic.serializeValue(value))));
        }
        try {
          for (var ack : acks) {
            ack.get();
          }
          producer.commitTransaction();
          double seconds = (System.nanoTime() - start) / 1e9;
          if (attempt > 1 || seconds > 5) {
            System.out.printf(
                "slow send: %d records to %s in %.1f s, %d attempt(s); last error %s%n",
                values.size(), topic.name(), seconds, attempt, last);
          }
          return;
        } catch (java.util.concurrent.ExecutionException | RuntimeException e) {
          last = new IllegalStateException("attempt " + attempt, e);
          try {
            producer.abortTransaction();
          } catch (RuntimeException abortFailed) {
            last.addSuppressed(abortFailed);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
    throw new AssertionError("the broker did not take the records of " + topic.name(), last);
  }

  /** Sends raw bytes (for bad input) with a user-id key. */
  public void sendRaw(String topic, String key, byte[] value) {
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      producer.send(
          new ProducerRecord<>(
              topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value));
      producer.flush();
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

  private <K, V> List<V> read(Topic<K, V> topic, Duration timeout, boolean settled) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<V> values = new ArrayList<>();
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
          values.add(topic.deserializeValue(r.value()));
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
