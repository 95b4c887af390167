package dev.glad.it;

import static dev.glad.flink.job.GladJobOptions.BOOTSTRAP_SERVERS;
import static dev.glad.flink.job.GladJobOptions.BOUNDED;
import static dev.glad.flink.job.GladJobOptions.CHECKPOINT_INTERVAL;
import static dev.glad.flink.job.GladJobOptions.CHUNK_SIZE;
import static dev.glad.flink.job.GladJobOptions.RESTART_ATTEMPTS;
import static dev.glad.flink.job.GladJobOptions.STARTING_OFFSETS;
import static dev.glad.flink.job.GladJobOptions.TOPIC_PREFIX;
import static dev.glad.flink.job.GladJobOptions.TRANSACTION_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.glad.cli.Glad;
import dev.glad.flink.job.GladJob;
import dev.glad.flink.job.GladJobOptions;
import dev.glad.flink.job.GladJobSettings;
import dev.glad.flink.job.KafkaIo;
import dev.glad.flink.job.KafkaPreflight;
import dev.glad.schemas.CompletedChunk;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.schemas.kafka.KafkaClientConfig;
import dev.glad.tools.kafka.EmbeddedKafkaBroker;
import dev.glad.tools.kafka.PacedProducer;
import dev.glad.tools.kafka.TopicAdmin;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secured Kafka: a broker whose client listener requires SASL/SCRAM. With the client properties
 * (the password from a properties file) the job and the tools work through it; without them, or
 * with a wrong password, the job is refused at start with a clear error; the password never appears
 * in printed settings or errors.
 */
class SecuredKafkaITCase {
  private static final String USER = "glad-job";
  private static final String PASSWORD = "s3cr3t-pa55";

  @RegisterExtension static final MiniClusterExtension FLINK = TestClusters.twoSlots();

  private static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafkaBroker.builder().scramUser(USER, PASSWORD).build();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void withItsCredentialsTheJobReadsAndWritesThroughTheSecuredListener(@TempDir Path tmp)
      throws Exception {
    // Given the client properties, the password in a file
    Path file = tmp.resolve("kafka-client.properties");
    Files.writeString(file, "sasl.jaas.config=" + jaas(PASSWORD) + "\n");
    KafkaClientConfig client =
        KafkaClientConfig.fromSettings(
            Map.of(
                "kafka-properties",
                file.toString(),
                "kafka.security.protocol",
                "SASL_PLAINTEXT",
                "kafka.sasl.mechanism",
                EmbeddedKafkaBroker.SCRAM_MECHANISM));
    String servers = broker.scramBootstrapServers();
    GladTopics topics = GladTopics.withPrefix("secure.");
    TopicAdmin.createMissing(servers, client, topics, 2, (short) 1);
    try (PacedProducer producer = new PacedProducer(servers, client, 10_000, false)) {
      for (int u = 0; u < 4; u++) {
        for (int i = 0; i < 6; i++) {
          InteractionEvent e =
              Events.click(
                  "e" + u + "-" + i,
                  "u" + u,
                  "i" + i,
                  System.currentTimeMillis() - 60_000 + i * 1_000);
          producer.send(
              topics.interactions().name(),
              topics.interactions().serializeKey(e.getUserId()),
              topics.interactions().serializeValue(e));
        }
      }
      producer.flush();
    }
    GladJobSettings settings =
        GladJobSettings.builder()
            .kafkaClient(client)
            .set(BOOTSTRAP_SERVERS, servers)
            .set(TOPIC_PREFIX, topics.prefix())
            .set(CHUNK_SIZE, 3)
            .set(STARTING_OFFSETS, GladJobOptions.StartingOffsets.EARLIEST)
            .set(BOUNDED, true)
            .set(CHECKPOINT_INTERVAL, Duration.ofMillis(500))
            .set(RESTART_ATTEMPTS, 0)
            .set(TRANSACTION_TIMEOUT, Duration.ofMinutes(5))
            .build();
    assertThat(settings.toString()).doesNotContain(PASSWORD).contains("[hidden]");

    // When the job runs through the SCRAM listener
    KafkaPreflight.check(settings);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(GladJob.flinkConfiguration(settings));
    KafkaIo.job(settings).addTo(env);
    env.execute("secured");

    // Then its chunks are there, read as an authenticated consumer
    assertThat(readCommitted(servers, client, topics.completedChunks().name())).hasSize(8);
  }

  @Test
  void withoutCredentialsTheJobIsRefusedAtStartWithAClearError() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Glad.run(
            new String[] {
              "job", "--bootstrap-servers", broker.scramBootstrapServers(), "--chunk-size", "3"
            },
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith(
            "error: cannot reach Kafka at "
                + broker.scramBootstrapServers()
                + " with security.protocol PLAINTEXT (the default)")
        .contains("kafka.security.protocol and kafka.sasl.*");
  }

  @Test
  void aWrongPasswordIsRefusedByNameAndNeverPrinted() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String wrong = "not-the-password";
    int code =
        Glad.run(
            new String[] {
              "job",
              "--bootstrap-servers",
              broker.scramBootstrapServers(),
              "--chunk-size",
              "3",
              "--kafka.security.protocol",
              "SASL_PLAINTEXT",
              "--kafka.sasl.mechanism",
              EmbeddedKafkaBroker.SCRAM_MECHANISM,
              "--kafka.sasl.jaas.config",
              jaas(wrong)
            },
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String printed = err.toString(StandardCharsets.UTF_8);
    assertThat(code).isEqualTo(2);
    assertThat(printed)
        .startsWith(
            "error: Kafka at " + broker.scramBootstrapServers() + " refused the job's credentials")
        .doesNotContain(wrong);
  }

  private static String jaas(String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + USER
        + "\" password=\""
        + password
        + "\";";
  }

  private static List<CompletedChunk> readCommitted(
      String servers, KafkaClientConfig client, String topic) {
    Properties p = client.properties(servers);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<CompletedChunk> out = new ArrayList<>();
    var serde = GladTopics.withPrefix("secure.").completedChunks();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      var end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        consumer
            .poll(Duration.ofMillis(100))
            .forEach(r -> out.add(serde.deserializeValue(r.value())));
      }
    }
    return out;
  }
}
