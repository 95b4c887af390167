package dev.glad.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glad.flink.job.GladJob;
import dev.glad.flink.job.GladJobSettings;
import dev.glad.flink.job.KafkaIo;
import dev.glad.schemas.CompletedChunk;
import dev.glad.schemas.EventType;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.kafka.GladTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ChunkingPipelineITCase {
  @RegisterExtension static final KafkaTestBroker KAFKA = new KafkaTestBroker();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @Test
  void probe() throws Exception {
    GladTopics topics = KAFKA.freshTopics();
    long base = System.currentTimeMillis() - 3_600_000;
    List<InteractionEvent> events = new ArrayList<>();
    int users = 50;
    int perUser = 45;
    for (int i = 0; i < perUser; i++) {
      for (int u = 0; u < users; u++) {
        events.add(
            InteractionEvent.newBuilder()
                .setEventId("e-" + u + "-" + i)
                .setUserId("user-" + u)
                .setItemId("item-" + i)
                .setType(EventType.CLICK)
                .setEventTime(Instant.ofEpochMilli(base + i * 1000L + u))
                .build());
      }
    }
    KAFKA.send(topics.interactions(), events, InteractionEvent::getUserId);
    GladJobSettings settings =
        GladJobSettings.builder()
            .bootstrapServers(KAFKA.bootstrapServers())
            .topicPrefix(topics.prefix())
            .chunkSize(20)
            .bounded(true)
            .startingOffsets(GladJobSettings.StartingOffsets.EARLIEST)
            .checkpointInterval(Duration.ofMillis(500))
            .restartAttempts(0)
            .parallelism(2)
            .transactionalIdPrefix("probe-" + topics.prefix())
            .build();
    Configuration conf = GladJob.flinkConfiguration(settings);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    KafkaIo.job(settings).addTo(env);
    env.execute("probe");
    List<CompletedChunk> chunks = KAFKA.readCommitted(topics.completedChunks(), Duration.ofSeconds(30));
    assertThat(chunks).hasSize(users * 2);
  }
}
