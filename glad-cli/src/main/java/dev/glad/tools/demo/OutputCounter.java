package dev.glad.tools.demo;

import dev.glad.flink.memory.Vectors;
import dev.glad.schemas.ClusterMemory;
import dev.glad.schemas.CompletedChunk;
import dev.glad.schemas.DeadLetter;
import dev.glad.schemas.DeadLetterReason;
import dev.glad.schemas.UserMemory;
import dev.glad.schemas.kafka.GladTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the job's output topics as a downstream consumer would (read_committed, so only what the
 * exactly-once sinks committed) and counts it; keeps every user's latest memory, every cluster's
 * latest centroid and the whole update history of a few sample users.
 */
final class OutputCounter implements Runnable, AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final GladTopics topics;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong chunks = new AtomicLong();
  private final AtomicLong deadLetters = new AtomicLong();
  private final Map<DeadLetterReason, Long> byReason = new EnumMap<>(DeadLetterReason.class);
  private final Map<String, CompletedChunk> lastChunkOfUser = new HashMap<>();
  private final AtomicLong userMemoryUpdates = new AtomicLong();
  private final AtomicLong unreadable = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicReference<String> firstUnreadable =
      new java.util.concurrent.atomic.AtomicReference<>();
  private final AtomicLong clusterUpdates = new AtomicLong();
  private final Map<String, UserMemory> latestMemory = new HashMap<>();
  private final Map<String, List<UserMemory>> sampleHistory = new HashMap<>();
  private final Map<Integer, float[]> latestCentroid = new HashMap<>();
  private final Set<String> sampleUsers;
  private final Thread thread;

  OutputCounter(String bootstrapServers, GladTopics topics, Set<String> sampleUsers) {
    this.sampleUsers = Set.copyOf(sampleUsers);
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "glad-demo-counter");
    this.consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.topics = topics;
    consumer.subscribe(
        List.of(
            topics.completedChunks().name(),
            topics.deadLetters().name(),
            topics.userMemory().name(),
            topics.clusterMemory().name()));
    this.thread = new Thread(this, "demo-output-counter");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  @Override
  public void run() {
    try {
      while (running.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          try {
            if (r.topic().equals(topics.userMemory().name())) {
              UserMemory m = topics.userMemory().deserializeValue(r.value());
              synchronized (this) {
                latestMemory.merge(
                    m.getUserId(),
                    m,
                    (a, b) -> a.getSequenceNumber() >= b.getSequenceNumber() ? a : b);
                if (sampleUsers.contains(m.getUserId())) {
                  sampleHistory.computeIfAbsent(m.getUserId(), u -> new ArrayList<>()).add(m);
                }
              }
              userMemoryUpdates.incrementAndGet();
            } else if (r.topic().equals(topics.clusterMemory().name())) {
              ClusterMemory c = topics.clusterMemory().deserializeValue(r.value());
              synchronized (this) {
                latestCentroid.put(c.getClusterId(), Vectors.toArray(c.getCentroid()));
              }
              clusterUpdates.incrementAndGet();
            } else if (r.topic().equals(topics.completedChunks().name())) {
              CompletedChunk chunk = topics.completedChunks().deserializeValue(r.value());
              synchronized (this) {
                lastChunkOfUser.put(chunk.getUserId(), chunk);
              }
              chunks.incrementAndGet();
            } else {
              DeadLetter dl = topics.deadLetters().deserializeValue(r.value());
              synchronized (this) {
                byReason.merge(dl.getReason(), 1L, Long::sum);
              }
              deadLetters.incrementAndGet();
            }
          } catch (RuntimeException e) {
            // a record the demo cannot read is counted and named in the summary, not fatal
            unreadable.incrementAndGet();
            firstUnreadable.compareAndSet(null, r.topic() + "@" + r.offset() + ": " + e);
          }
        }
      }
    } finally {
      consumer.close();
    }
  }

  /** Output records that could not be decoded, and the first of them with its error. */
  long unreadable() {
    return unreadable.get();
  }

  String firstUnreadable() {
    return firstUnreadable.get();
  }

  long chunks() {
    return chunks.get();
  }

  long deadLetters() {
    return deadLetters.get();
  }

  synchronized Map<DeadLetterReason, Long> deadLettersByReason() {
    return new EnumMap<>(byReason);
  }

  long userMemoryUpdates() {
    return userMemoryUpdates.get();
  }

  long clusterUpdates() {
    return clusterUpdates.get();
  }

  synchronized Map<String, UserMemory> latestMemories() {
    return new HashMap<>(latestMemory);
  }

  synchronized List<UserMemory> historyOf(String sampleUser) {
    return new ArrayList<>(sampleHistory.getOrDefault(sampleUser, List.of()));
  }

  /** Latest centroid of every cluster the job updated. */
  synchronized Map<Integer, float[]> centroids() {
    return new HashMap<>(latestCentroid);
  }

  synchronized Map<String, CompletedChunk> lastChunkOfUser() {
    return new HashMap<>(lastChunkOfUser);
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    thread.join(5_000);
  }
}
