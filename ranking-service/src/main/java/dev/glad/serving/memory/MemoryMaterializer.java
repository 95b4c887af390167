package dev.glad.serving.memory;

import dev.glad.schemas.ClusterMemory;
import dev.glad.schemas.UserMemory;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.schemas.kafka.KafkaClientConfig;
import dev.glad.serving.metrics.ServingMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the compacted user- and cluster-memory topics from the beginning into the {@link UserStore}
 * and the {@link ClusterTable}, then follows them live. One thread, one read_committed consumer
 * with every partition assigned (each instance materializes all users; no consumer group, no
 * committed offsets: the store is rebuilt at every start).
 *
 * <p><b>Ready</b> once every partition's position has reached the end offset it had when reading
 * began (for read_committed that is the last stable offset), and ready stays true afterwards: a
 * live lag is a freshness figure ({@link #userLag()}, {@link #clusterLag()}), not an outage.
 */
public final class MemoryMaterializer implements Freshness, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryMaterializer.class);
  static final String USERS = "user-memory";
  static final String CLUSTERS = "cluster-memory";

  private final GladTopics topics;
  private final String servedVersion;
  private final UserStore users;
  private final ClusterTable clusters;
  private final ServingMetrics metrics;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final CountDownLatch readyLatch = new CountDownLatch(1);
  private final AtomicLong userLag = new AtomicLong(-1);
  private final AtomicLong clusterLag = new AtomicLong(-1);
  private final AtomicLong newestUserUpdateMs = new AtomicLong(0);
  private final AtomicLong newestClusterUpdateMs = new AtomicLong(0);
  private final AtomicLong recordsRead = new AtomicLong();
  private volatile String notReadyReason = "starting";
  private volatile Throwable failure;
  private volatile boolean closing;

  /**
   * Starts reading at once.
   *
   * @param kafka the client properties every consumer takes (security); they win over the service's
   *     defaults, except isolation.level (read_committed) and the deserializers
   */
  public MemoryMaterializer(
      String bootstrapServers,
      KafkaClientConfig kafka,
      GladTopics topics,
      String servedVersion,
      UserStore users,
      ClusterTable clusters,
      ServingMetrics metrics) {
    this.topics = topics;
    this.servedVersion = servedVersion;
    this.users = users;
    this.clusters = clusters;
    this.metrics = metrics;
    this.consumer = new KafkaConsumer<>(consumerProperties(bootstrapServers, kafka));
    this.thread = new Thread(this::run, "glad-ranking-materializer");
    thread.setDaemon(true);
    thread.start();
  }

  static Properties consumerProperties(String bootstrapServers, KafkaClientConfig kafka) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "glad-ranking-service");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    kafka.addTo(p);
    // not overridable: the service must never see aborted or uncommitted memory
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  private void run() {
    try {
      List<TopicPartition> partitions = awaitPartitions();
      if (partitions == null) {
        return;
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> targets = new HashMap<>(consumer.endOffsets(partitions));
      notReadyReason =
          "catching up with "
              + targets.values().stream().mapToLong(l -> l).sum()
              + " records in "
              + partitions.size()
              + " partitions";
      LOG.info("reading the memory topics to their end: {}", targets);
      long started = System.nanoTime();
      while (!closing) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          apply(r);
        }
        updateLag(partitions);
        if (readyLatch.getCount() > 0 && caughtUp(targets)) {
          notReadyReason = null;
          readyLatch.countDown();
          LOG.info(
              "caught up with the memory topics in {} ms: {} records, {} clusters updated",
              (System.nanoTime() - started) / 1_000_000,
              recordsRead.get(),
              clusters.updatedClusters());
        }
      }
    } catch (WakeupException e) {
      if (!closing) {
        fail(e);
      }
    } catch (RuntimeException | Error e) {
      fail(e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void fail(Throwable e) {
    failure = e;
    notReadyReason = "the memory reader failed: " + e;
    LOG.error("the memory reader failed", e);
  }

  /** The partitions of both topics; waits (not ready) while a topic does not exist yet. */
  private List<TopicPartition> awaitPartitions() {
    while (!closing) {
      List<TopicPartition> all = new ArrayList<>();
      String missing = null;
      for (String topic : List.of(topics.userMemory().name(), topics.clusterMemory().name())) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        if (infos == null || infos.isEmpty()) {
          missing = topic;
          break;
        }
        infos.forEach(i -> all.add(new TopicPartition(topic, i.partition())));
      }
      if (missing == null) {
        return all;
      }
      notReadyReason = "topic " + missing + " does not exist (yet)";
      LOG.warn("{}; asking again in 1 s", notReadyReason);
      try {
        Thread.sleep(1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return null;
  }

  private boolean caughtUp(Map<TopicPartition, Long> targets) {
    for (Map.Entry<TopicPartition, Long> t : targets.entrySet()) {
      if (consumer.position(t.getKey()) < t.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void updateLag(List<TopicPartition> partitions) {
    long users = 0;
    long clusterRecords = 0;
    for (TopicPartition tp : partitions) {
      OptionalLong lag = consumer.currentLag(tp);
      if (lag.isEmpty()) {
        continue; // not known until the first fetch of the partition
      }
      if (tp.topic().equals(topics.userMemory().name())) {
        users += lag.getAsLong();
      } else {
        clusterRecords += lag.getAsLong();
      }
    }
    userLag.set(users);
    clusterLag.set(clusterRecords);
  }

  private void apply(ConsumerRecord<byte[], byte[]> r) {
    recordsRead.incrementAndGet();
    if (r.topic().equals(topics.userMemory().name())) {
      applyUser(r);
    } else {
      applyCluster(r);
    }
  }

  private void applyUser(ConsumerRecord<byte[], byte[]> r) {
    String userId;
    UserMemory record;
    try {
      userId = topics.userMemory().deserializeKey(r.key());
      if (userId == null) {
        metrics.topicRecord(USERS, "undecodable");
        return;
      }
      if (r.value() == null) {
        users.delete(userId); // the user was erased
        metrics.topicRecord(USERS, "tombstone");
        return;
      }
      record = topics.userMemory().deserializeValue(r.value());
    } catch (RuntimeException e) {
      metrics.topicRecord(USERS, "undecodable");
      LOG.debug("undecodable user-memory record at {}-{}@{}", r.topic(), r.partition(), r.offset());
      return;
    }
    StoredUserMemory stored = StoredUserMemory.of(record);
    UserRecordRule.Decision d = users.apply(servedVersion, userId, stored);
    String outcome =
        !servedVersion.equals(stored.modelVersion())
            ? "other_model_version"
            : d == UserRecordRule.Decision.STORE ? "stored" : "kept_newer";
    metrics.topicRecord(USERS, outcome);
    newestUserUpdateMs.accumulateAndGet(stored.updateTimeMs(), Math::max);
  }

  private void applyCluster(ConsumerRecord<byte[], byte[]> r) {
    ClusterMemory record;
    try {
      if (r.value() == null) {
        metrics.topicRecord(CLUSTERS, "tombstone");
        return;
      }
      record = topics.clusterMemory().deserializeValue(r.value());
    } catch (RuntimeException e) {
      metrics.topicRecord(CLUSTERS, "undecodable");
      return;
    }
    ClusterTable.Outcome outcome = clusters.apply(record);
    metrics.topicRecord(CLUSTERS, outcome.name().toLowerCase(java.util.Locale.ROOT));
    if (outcome == ClusterTable.Outcome.APPLIED) {
      newestClusterUpdateMs.accumulateAndGet(record.getUpdateTime().toEpochMilli(), Math::max);
    }
  }

  @Override
  public boolean ready() {
    return readyLatch.getCount() == 0 && failure == null;
  }

  @Override
  public String notReadyReason() {
    return ready() ? null : notReadyReason;
  }

  /** The reader's failure, if it failed (the service is then never ready again). */
  public Throwable failure() {
    return failure;
  }

  @Override
  public boolean failed() {
    return failure != null;
  }

  /**
   * Waits until {@link #ready()}.
   *
   * @return whether it became ready within the timeout
   */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    return readyLatch.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && failure == null;
  }

  /** Records of the user-memory topic not read yet (-1 before the first fetch). */
  @Override
  public long userLag() {
    return userLag.get();
  }

  /** Records of the cluster-memory topic not read yet (-1 before the first fetch). */
  @Override
  public long clusterLag() {
    return clusterLag.get();
  }

  /** The newest job update time among the user records read (0 before any). */
  @Override
  public long newestUserUpdateMs() {
    return newestUserUpdateMs.get();
  }

  /** The newest job update time among the cluster records applied (0 before any). */
  public long newestClusterUpdateMs() {
    return newestClusterUpdateMs.get();
  }

  /** Records read from both topics since start. */
  public long recordsRead() {
    return recordsRead.get();
  }

  @Override
  public void close() {
    closing = true;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
