package dev.glad.tools.kafka;

import dev.glad.schemas.kafka.GladTopics;
import dev.glad.schemas.kafka.Topic;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/** Creates the GLAD topics with their cleanup policies; topics that exist are left as they are. */
public final class TopicAdmin {
  private TopicAdmin() {}

  /**
   * Creates every topic of {@code topics} that does not exist yet.
   *
   * @param partitions partitions of each new topic
   * @param replicationFactor replicas of each new topic (1 on a single broker)
   * @return the names that were created
   */
  public static List<String> createMissing(
      String bootstrapServers, GladTopics topics, int partitions, short replicationFactor) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "replication factor must be >= 1, got " + replicationFactor);
    }
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(props)) {
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
}
