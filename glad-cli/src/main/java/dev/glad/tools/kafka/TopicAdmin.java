package dev.glad.tools.kafka;

import dev.glad.schemas.kafka.GladTopics;
import dev.glad.schemas.kafka.KafkaClientConfig;
import dev.glad.schemas.kafka.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Creates the GLAD topics with their cleanup policies; topics that exist are left as they are.
 *
 * <p>A topic is returned only once every one of its partitions takes writes. Why: a broker (Kafka
 * before 4.5, KAFKA-15591) announces a new partition's leader before that partition's log exists,
 * and accepts any first sequence number from an idempotent producer it has no state for. A
 * producer's first batch can then fail retriably while its second overtakes it and is written; the
 * first can never be written after that and expires ({@code delivery.timeout.ms}). Waiting until
 * every new partition answers a list-offsets request closes that window for everything the project
 * produces. {@code FreshPartitionITCase} reproduces the defect and checks the fix.
 */
public final class TopicAdmin {
  /** How long a new topic may take to take writes. */
  static final Duration WRITABLE_TIMEOUT = Duration.ofSeconds(60);

  private TopicAdmin() {}

  /**
   * Creates every topic of {@code topics} that does not exist yet and waits until each partition of
   * every topic of {@code topics} takes writes.
   *
   * @param partitions partitions of each new topic
   * @param replicationFactor replicas of each new topic (1 on a single broker)
   * @return the names that were created
   */
  public static List<String> createMissing(
      String bootstrapServers,
      KafkaClientConfig client,
      GladTopics topics,
      int partitions,
      short replicationFactor) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "replication factor must be >= 1, got " + replicationFactor);
    }
    try (Admin admin = Admin.create(client.properties(bootstrapServers))) {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> toCreate = new ArrayList<>();
      for (Topic<?, ?> topic : topics.all()) {
        if (!existing.contains(topic.name())) {
          toCreate.add(
              new NewTopic(topic.name(), partitions, replicationFactor)
                  .configs(
                      Map.of(
                          TopicConfig.CLEANUP_POLICY_CONFIG,
                          topic.compacted()
                              ? TopicConfig.CLEANUP_POLICY_COMPACT
                              : TopicConfig.CLEANUP_POLICY_DELETE)));
        }
      }
      if (!toCreate.isEmpty()) {
        admin.createTopics(toCreate).all().get();
      }
      awaitWritable(admin, topics.all().stream().map(Topic::name).toList(), WRITABLE_TIMEOUT);
      return toCreate.stream().map(NewTopic::name).toList();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot create topics on " + bootstrapServers + ": " + e.getCause().getMessage(),
          e.getCause());
    }
  }

  /** {@link #createMissing(String, KafkaClientConfig, GladTopics, int, short)} on plaintext. */
  public static List<String> createMissing(
      String bootstrapServers, GladTopics topics, int partitions, short replicationFactor) {
    return createMissing(
        bootstrapServers, KafkaClientConfig.none(), topics, partitions, replicationFactor);
  }

  /**
   * Waits until every partition of the topics answers a list-offsets request: its leader has the
   * partition's log, so a produce request cannot fail on it for a missing log.
   *
   * @throws IllegalStateException when a partition is not writable within {@code timeout}
   */
  public static void awaitWritable(Admin admin, List<String> topicNames, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String lastProblem = "none";
    while (true) {
      try {
        Map<String, TopicDescription> topics =
            admin.describeTopics(topicNames).allTopicNames().get();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        topics.forEach(
            (name, description) ->
                description
                    .partitions()
                    .forEach(
                        p ->
                            request.put(
                                new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        admin.listOffsets(request).all().get();
        return;
      } catch (ExecutionException e) {
        // not there yet (unknown topic, no leader, log not loaded): ask again
        lastProblem = String.valueOf(e.getCause());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "topics " + topicNames + " do not take writes within " + timeout + ": " + lastProblem);
      }
      Thread.sleep(50);
    }
  }
}
