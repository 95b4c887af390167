package dev.glad.schemas.kafka;

import dev.glad.schemas.ClusterAssignment;
import dev.glad.schemas.ClusterMemory;
import dev.glad.schemas.CompletedChunk;
import dev.glad.schemas.DeadLetter;
import dev.glad.schemas.DeletionAudit;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.UserDeletion;
import dev.glad.schemas.UserMemory;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The typed, immutable registry of every GLAD topic and its serdes. One instance per deployment;
 * names are {@code <prefix><base name>} so several deployments can share a cluster.
 *
 * <table>
 *   <caption>Topics</caption>
 *   <tr><th>accessor</th><th>default name</th><th>key</th><th>value</th><th>compacted</th></tr>
 *   <tr><td>interactions</td><td>glad.interactions</td><td>user id</td><td>InteractionEvent</td><td>no</td></tr>
 *   <tr><td>deadLetters</td><td>glad.dead-letters</td><td>raw key bytes</td><td>DeadLetter</td><td>no</td></tr>
 *   <tr><td>completedChunks</td><td>glad.completed-chunks</td><td>user id</td><td>CompletedChunk</td><td>no</td></tr>
 *   <tr><td>userMemory</td><td>glad.user-memory</td><td>user id</td><td>UserMemory</td><td>yes</td></tr>
 *   <tr><td>clusterMemory</td><td>glad.cluster-memory</td><td>cluster id</td><td>ClusterMemory</td><td>yes</td></tr>
 *   <tr><td>clusterAssignments</td><td>glad.cluster-assignments</td><td>cluster id</td><td>ClusterAssignment (optional audit)</td><td>no</td></tr>
 *   <tr><td>userDeletions</td><td>glad.user-deletions</td><td>user id</td><td>UserDeletion</td><td>no</td></tr>
 *   <tr><td>deletionsAudit</td><td>glad.deletions-audit</td><td>user id (or none)</td><td>DeletionAudit</td><td>no</td></tr>
 * </table>
 */
public final class GladTopics {
  /** The prefix of the default deployment. */
  public static final String DEFAULT_PREFIX = "glad.";

  public static final String INTERACTIONS = "interactions";
  public static final String DEAD_LETTERS = "dead-letters";
  public static final String COMPLETED_CHUNKS = "completed-chunks";
  public static final String USER_MEMORY = "user-memory";
  public static final String CLUSTER_MEMORY = "cluster-memory";
  public static final String CLUSTER_ASSIGNMENTS = "cluster-assignments";
  public static final String USER_DELETIONS = "user-deletions";
  public static final String DELETIONS_AUDIT = "deletions-audit";

  private static final Serde<String> STRING = Serdes.String();

  private final String prefix;
  private final Topic<String, InteractionEvent> interactions;
  private final Topic<byte[], DeadLetter> deadLetters;
  private final Topic<String, CompletedChunk> completedChunks;
  private final Topic<String, UserMemory> userMemory;
  private final Topic<Integer, ClusterMemory> clusterMemory;
  private final Topic<Integer, ClusterAssignment> clusterAssignments;
  private final Topic<String, UserDeletion> userDeletions;
  private final Topic<String, DeletionAudit> deletionsAudit;

  private GladTopics(String prefix) {
    this.prefix = prefix;
    this.interactions =
        new Topic<>(prefix + INTERACTIONS, STRING, serde(InteractionEvent.class), false);
    this.deadLetters =
        new Topic<>(prefix + DEAD_LETTERS, Serdes.ByteArray(), serde(DeadLetter.class), false);
    this.completedChunks =
        new Topic<>(prefix + COMPLETED_CHUNKS, STRING, serde(CompletedChunk.class), false);
    this.userMemory = new Topic<>(prefix + USER_MEMORY, STRING, serde(UserMemory.class), true);
    this.clusterMemory =
        new Topic<>(prefix + CLUSTER_MEMORY, Serdes.Integer(), serde(ClusterMemory.class), true);
    this.clusterAssignments =
        new Topic<>(
            prefix + CLUSTER_ASSIGNMENTS, Serdes.Integer(), serde(ClusterAssignment.class), false);
    this.userDeletions =
        new Topic<>(prefix + USER_DELETIONS, STRING, serde(UserDeletion.class), false);
    this.deletionsAudit =
        new Topic<>(prefix + DELETIONS_AUDIT, STRING, serde(DeletionAudit.class), false);
  }

  /** The default deployment's topics ({@value #DEFAULT_PREFIX}...). */
  public static GladTopics defaults() {
    return withPrefix(DEFAULT_PREFIX);
  }

  /**
   * Topics named {@code prefix + base name}.
   *
   * @throws IllegalArgumentException if a resulting name is not a legal Kafka topic name
   */
  public static GladTopics withPrefix(String prefix) {
    if (prefix == null) {
      throw new IllegalArgumentException("topic prefix must not be null (use \"\" for none)");
    }
    return new GladTopics(prefix);
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> AvroSerde<T> serde(
      Class<T> type) {
    return new AvroSerde<>(AvroWireFormat.of(type));
  }

  public String prefix() {
    return prefix;
  }

  public Topic<String, InteractionEvent> interactions() {
    return interactions;
  }

  public Topic<byte[], DeadLetter> deadLetters() {
    return deadLetters;
  }

  public Topic<String, CompletedChunk> completedChunks() {
    return completedChunks;
  }

  public Topic<String, UserMemory> userMemory() {
    return userMemory;
  }

  public Topic<Integer, ClusterMemory> clusterMemory() {
    return clusterMemory;
  }

  public Topic<Integer, ClusterAssignment> clusterAssignments() {
    return clusterAssignments;
  }

  /** Requests to erase a user (per-user erasure); the job reads it. */
  public Topic<String, UserDeletion> userDeletions() {
    return userDeletions;
  }

  /** The job's audit of every deletion request it read, valid or not. */
  public Topic<String, DeletionAudit> deletionsAudit() {
    return deletionsAudit;
  }

  /** Every topic, for creating them up front. */
  public List<Topic<?, ?>> all() {
    return List.of(
        interactions,
        deadLetters,
        completedChunks,
        userMemory,
        clusterMemory,
        clusterAssignments,
        userDeletions,
        deletionsAudit);
  }

  @Override
  public String toString() {
    return "GladTopics{prefix='" + prefix + "'}";
  }
}
