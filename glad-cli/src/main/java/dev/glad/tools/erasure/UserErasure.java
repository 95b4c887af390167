package dev.glad.tools.erasure;

import dev.glad.schemas.DeletionAudit;
import dev.glad.schemas.UserDeletion;
import dev.glad.schemas.kafka.GladTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Asks the running job to erase a user and waits for its answer: publishes a {@link UserDeletion}
 * keyed by the user to the user-deletions topic, then reads the deletions-audit topic
 * (read_committed, from where it ended before the request) until the audit of that request arrives.
 */
public final class UserErasure {
  private final GladTopics topics;
  private final Properties client;

  /**
   * @param client Kafka client properties (bootstrap servers, security)
   */
  public UserErasure(GladTopics topics, Properties client) {
    this.topics = topics;
    this.client = client;
  }

  /**
   * Requests the erasure of {@code userId} and returns the job's audit of it, or empty when none
   * came within {@code timeout} (the job is not running, or is behind).
   */
  public Optional<DeletionAudit> erase(String userId, String requestId, Duration timeout)
      throws InterruptedException {
    try (KafkaConsumer<byte[], byte[]> audits = auditConsumer()) {
      List<TopicPartition> partitions =
          audits.partitionsFor(topics.deletionsAudit().name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      audits.assign(partitions);
      Map<TopicPartition, Long> before = audits.endOffsets(partitions);
      before.forEach(audits::seek);
      send(new UserDeletion(userId, requestId, Instant.now()));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : audits.poll(Duration.ofMillis(200))) {
          DeletionAudit audit = topics.deletionsAudit().deserializeValue(r.value());
          if (audit != null && requestId.equals(audit.getRequestId())) {
            return Optional.of(audit);
          }
        }
      }
      return Optional.empty();
    }
  }

  private void send(UserDeletion request) throws InterruptedException {
    Properties p = new Properties();
    p.putAll(client);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  topics.userDeletions().name(),
                  topics.userDeletions().serializeKey(request.getUserId()),
                  topics.userDeletions().serializeValue(request)))
          .get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "Kafka refused the deletion request for " + topics.userDeletions().name(), e.getCause());
    }
  }

  private KafkaConsumer<byte[], byte[]> auditConsumer() {
    Properties p = new Properties();
    p.putAll(client);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
