package dev.glad.flink.job;

import static dev.glad.flink.job.GladJobOptions.BOOTSTRAP_SERVERS;
import static dev.glad.flink.job.GladJobOptions.BOUNDED;
import static dev.glad.flink.job.GladJobOptions.CLUSTER_UPDATES;
import static dev.glad.flink.job.GladJobOptions.CONSUMER_GROUP;
import static dev.glad.flink.job.GladJobOptions.DEVICE;
import static dev.glad.flink.job.GladJobOptions.EMIT_CLUSTER_ASSIGNMENTS;
import static dev.glad.flink.job.GladJobOptions.EMIT_COMPLETED_CHUNKS;
import static dev.glad.flink.job.GladJobOptions.ENCODER_THREADS;
import static dev.glad.flink.job.GladJobOptions.MODEL_DIR;
import static dev.glad.flink.job.GladJobOptions.MODEL_VERSION;
import static dev.glad.flink.job.GladJobOptions.STARTING_OFFSETS;
import static dev.glad.flink.job.GladJobOptions.TOPIC_PREFIX;
import static dev.glad.flink.job.GladJobOptions.TRANSACTIONAL_ID_PREFIX;
import static dev.glad.flink.job.GladJobOptions.TRANSACTION_TIMEOUT;

import dev.glad.flink.erasure.DecodedDeletion;
import dev.glad.flink.erasure.DeletionDeserializer;
import dev.glad.flink.ingest.DecodedRecord;
import dev.glad.flink.ingest.InteractionDeserializer;
import dev.glad.flink.memory.ClusterFeedbackDeserializer;
import dev.glad.flink.memory.GladStreamingModel;
import dev.glad.flink.memory.StreamingModel;
import dev.glad.flink.memory.UserMemoryOrTombstone;
import dev.glad.schemas.ClusterAssignment;
import dev.glad.schemas.ClusterMemory;
import dev.glad.schemas.CompletedChunk;
import dev.glad.schemas.DeadLetter;
import dev.glad.schemas.DeletionAudit;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.schemas.kafka.Topic;
import java.nio.ByteBuffer;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The real Kafka sources and exactly-once sinks of the job, built from its settings. */
public final class KafkaIo {
  private KafkaIo() {}

  /**
   * The job wired to the Kafka topics named by {@code settings.get(TOPIC_PREFIX)}, with the memory
   * stages when {@code settings.get(MODEL_DIR)} is set.
   */
  public static GladJob job(GladJobSettings settings) {
    return job(
        settings,
        settings.get(MODEL_DIR) == null
            ? null
            : new GladStreamingModel.Factory(
                settings.get(MODEL_DIR),
                settings.get(DEVICE),
                settings.get(ENCODER_THREADS),
                settings.get(MODEL_VERSION)));
  }

  /** The job with a given model ({@code null}: the chunking stage only). */
  public static GladJob job(GladJobSettings settings, StreamingModel.Factory model) {
    GladTopics topics = GladTopics.withPrefix(settings.get(TOPIC_PREFIX));
    GladJob.Builder b =
        GladJob.builder()
            .settings(settings)
            .interactions(interactionsSource(settings, topics))
            .deletions(deletionsSource(settings, topics))
            .deletionAuditSink(
                sink(
                    settings,
                    GladTopics::deletionsAudit,
                    DeletionAudit::getUserId,
                    "deletions-audit"))
            .deadLetterSink(
                sink(settings, GladTopics::deadLetters, KafkaIo::deadLetterKey, "dead-letters"));
    if (settings.get(EMIT_COMPLETED_CHUNKS)) {
      b.completedChunkSink(
          sink(
              settings,
              GladTopics::completedChunks,
              CompletedChunk::getUserId,
              "completed-chunks"));
    }
    if (model != null) {
      boolean updates = settings.get(CLUSTER_UPDATES);
      b.memory(
          new GladJob.Memory(
              model,
              updates ? clusterFeedbackSource(settings, topics) : null,
              sink(
                  settings,
                  GladTopics::userMemory,
                  UserMemoryOrTombstone::userId,
                  UserMemoryOrTombstone::valueOrNull,
                  "user-memory"),
              updates
                  ? sink(
                      settings,
                      GladTopics::clusterMemory,
                      ClusterMemory::getClusterId,
                      "cluster-memory")
                  : null,
              updates && settings.get(EMIT_CLUSTER_ASSIGNMENTS)
                  ? sink(
                      settings,
                      GladTopics::clusterAssignments,
                      ClusterAssignment::getClusterId,
                      "cluster-assignments")
                  : null));
    }
    return b.build();
  }

  /**
   * The cluster-memory topic read back from the start (it is compacted: the start holds the latest
   * state of every cluster), read_committed so only checkpointed updates feed back.
   */
  public static KafkaSource<ClusterMemory> clusterFeedbackSource(
      GladJobSettings settings, GladTopics topics) {
    requireBootstrap(settings);
    KafkaSourceBuilder<ClusterMemory> b =
        KafkaSource.<ClusterMemory>builder()
            .setProperties(clientProperties(settings))
            .setBootstrapServers(settings.get(BOOTSTRAP_SERVERS))
            .setTopics(topics.clusterMemory().name())
            .setGroupId(settings.get(CONSUMER_GROUP) + "-cluster-feedback")
            .setDeserializer(new ClusterFeedbackDeserializer())
            .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
            .setProperty("commit.offsets.on.checkpoint", "true")
            // A job restored from a checkpoint resumes at the checkpointed offsets. A job started
            // without state starts its cluster nodes from the artifact, so it must not read an
            // earlier run's updates (their versions would shadow its own): it starts at the end.
            .setStartingOffsets(OffsetsInitializer.latest());
    if (settings.get(BOUNDED)) {
      // a bounded job must finish: feedback is read up to where it ends at the start
      b.setBounded(OffsetsInitializer.latest());
    }
    return b.build();
  }

  /**
   * The user-deletions topic, read_committed. A job without state starts at its committed offsets,
   * else at the earliest: a request sent while the job was down is still carried out.
   */
  @SuppressWarnings("deprecation") // the connector's API still takes OffsetResetStrategy
  public static KafkaSource<DecodedDeletion> deletionsSource(
      GladJobSettings settings, GladTopics topics) {
    requireBootstrap(settings);
    KafkaSourceBuilder<DecodedDeletion> b =
        KafkaSource.<DecodedDeletion>builder()
            .setProperties(clientProperties(settings))
            .setBootstrapServers(settings.get(BOOTSTRAP_SERVERS))
            .setTopics(topics.userDeletions().name())
            .setGroupId(settings.get(CONSUMER_GROUP) + "-deletions")
            .setDeserializer(new DeletionDeserializer())
            .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
            .setProperty("commit.offsets.on.checkpoint", "true")
            .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
    if (settings.get(BOUNDED)) {
      b.setBounded(OffsetsInitializer.latest());
    }
    return b.build();
  }

  public static KafkaSource<DecodedRecord> interactionsSource(
      GladJobSettings settings, GladTopics topics) {
    requireBootstrap(settings);
    KafkaSourceBuilder<DecodedRecord> b =
        KafkaSource.<DecodedRecord>builder()
            .setProperties(clientProperties(settings))
            .setBootstrapServers(settings.get(BOOTSTRAP_SERVERS))
            .setTopics(topics.interactions().name())
            .setGroupId(settings.get(CONSUMER_GROUP))
            .setDeserializer(new InteractionDeserializer(GladJobOptions.inputRules(settings)))
            // producers may write transactionally; never read what they aborted
            .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
            .setProperty("commit.offsets.on.checkpoint", "true")
            .setStartingOffsets(startingOffsets(settings.get(STARTING_OFFSETS)));
    if (settings.get(BOUNDED)) {
      b.setBounded(OffsetsInitializer.latest());
    }
    return b.build();
  }

  @SuppressWarnings("deprecation") // the connector's API still takes OffsetResetStrategy
  private static OffsetsInitializer startingOffsets(GladJobOptions.StartingOffsets s) {
    return switch (s) {
      case EARLIEST -> OffsetsInitializer.earliest();
      case LATEST -> OffsetsInitializer.latest();
      case COMMITTED_OR_EARLIEST ->
          OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
    };
  }

  /**
   * An exactly-once (transactional) sink of the registry topic {@code which} selects; {@code name}
   * makes its transactional ids distinct from the job's other sinks.
   */
  public static <K, V> KafkaSink<V> sink(
      GladJobSettings settings,
      SerializableFunction<GladTopics, Topic<K, V>> which,
      SerializableFunction<V, K> keyOf,
      String name) {
    return sink(settings, which, keyOf, v -> v, name);
  }

  /**
   * {@link #sink(GladJobSettings, SerializableFunction, SerializableFunction, String)} of elements
   * that carry a topic's value: {@code valueOf} returns it, or null for a tombstone.
   */
  public static <K, V, E> KafkaSink<E> sink(
      GladJobSettings settings,
      SerializableFunction<GladTopics, Topic<K, V>> which,
      SerializableFunction<E, K> keyOf,
      SerializableFunction<E, V> valueOf,
      String name) {
    requireBootstrap(settings);
    Properties producer = clientProperties(settings);
    producer.put(
        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
        Long.toString(settings.get(TRANSACTION_TIMEOUT).toMillis()));
    return KafkaSink.<E>builder()
        .setBootstrapServers(settings.get(BOOTSTRAP_SERVERS))
        .setKafkaProducerConfig(producer)
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(settings.get(TRANSACTIONAL_ID_PREFIX) + "-" + name)
        .setRecordSerializer(
            new TopicSerializer<>(settings.get(TOPIC_PREFIX), which, keyOf, valueOf))
        .build();
  }

  /**
   * The Kafka client properties of the settings (security and others), the base of every client's
   * configuration; what the job itself must set (isolation level, transactions) is set over them.
   */
  public static Properties clientProperties(GladJobSettings settings) {
    return settings.kafkaClient().addTo(new Properties());
  }

  private static byte[] deadLetterKey(DeadLetter deadLetter) {
    ByteBuffer key = deadLetter.getRawKey();
    if (key == null) {
      return null;
    }
    byte[] bytes = new byte[key.remaining()];
    key.duplicate().get(bytes);
    return bytes;
  }

  private static void requireBootstrap(GladJobSettings settings) {
    if (settings.get(BOOTSTRAP_SERVERS) == null || settings.get(BOOTSTRAP_SERVERS).isBlank()) {
      throw new IllegalArgumentException(
          BOOTSTRAP_SERVERS.key() + " must be set to read from or write to Kafka");
    }
  }

  /**
   * Writes values to one registry topic with the registry's serdes. Serdes are not serializable, so
   * the topic is looked up again on the task from the prefix and a selector.
   */
  private static final class TopicSerializer<K, V, E> implements KafkaRecordSerializationSchema<E> {
    private static final long serialVersionUID = 2L;

    private final String topicPrefix;
    private final SerializableFunction<GladTopics, Topic<K, V>> which;
    private final SerializableFunction<E, K> keyOf;
    private final SerializableFunction<E, V> valueOf;
    private transient Topic<K, V> topic;

    TopicSerializer(
        String topicPrefix,
        SerializableFunction<GladTopics, Topic<K, V>> which,
        SerializableFunction<E, K> keyOf,
        SerializableFunction<E, V> valueOf) {
      this.topicPrefix = topicPrefix;
      this.which = which;
      this.keyOf = keyOf;
      this.valueOf = valueOf;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
        E element, KafkaSinkContext context, Long timestamp) {
      if (topic == null) {
        topic = which.apply(GladTopics.withPrefix(topicPrefix));
      }
      K key = keyOf.apply(element);
      V value = valueOf.apply(element);
      // The record's Kafka timestamp is when it is written, not the event time the stream carries:
      // retention, segment rolling and compaction go by record timestamps, and a replay of old
      // history (or a restore of an old savepoint) would otherwise write records the broker
      // deletes or compacts at once. Event and update times are fields of every record.
      return new ProducerRecord<>(
          topic.name(),
          null,
          null,
          key == null ? null : topic.serializeKey(key),
          value == null ? null : topic.serializeValue(value));
    }
  }
}
