package dev.glad.tools.bench;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Follows a topic's committed records as they become visible (read_committed), counting them. */
final class CommittedRecords implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<TopicPartition> partitions;
  private long count;

  CommittedRecords(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    partitions =
        consumer.partitionsFor(topic).stream()
            .map(i -> new TopicPartition(topic, i.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  /** Reads what became visible within {@code timeout}; returns the records. */
  ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
    ConsumerRecords<byte[], byte[]> records = consumer.poll(timeout);
    count += records.count();
    return records;
  }

  /** Reads what became visible (up to 100 ms); returns the count so far. */
  long poll() {
    poll(Duration.ofMillis(100));
    return count;
  }

  long count() {
    return count;
  }

  /**
   * Polls once; returns when (nanoTime) a committed record that {@code matches} became visible, or
   * 0 when none did.
   */
  long firstMatching(
      java.util.function.Predicate<ConsumerRecord<byte[], byte[]>> matches, Duration timeout) {
    var records = poll(timeout);
    long now = System.nanoTime();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (matches.test(r)) {
        return now;
      }
    }
    return 0;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
