package dev.glad.it;

import static dev.glad.flink.job.GladJobOptions.BOUNDED;
import static dev.glad.flink.job.GladJobOptions.TRANSACTIONAL_ID_PREFIX;

import dev.glad.it.MemoryRuns.Mode;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.kafka.GladTopics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;

/**
 * Writes the committed savepoint fixture ({@link CommittedSavepoint}). Not a test: run it by hand,
 * from the repository root, when the state format changes on purpose:
 *
 * <pre>
 * ./mvnw -B -q -DskipTests install -pl integration-tests -am
 * java -cp "$(cat integration-tests/target/test.classpath)" dev.glad.it.SavepointFixture \
 *     integration-tests/src/test/resources/savepoint-v1
 * </pre>
 *
 * (scripts/regenerate-savepoint-fixture.sh does both.)
 */
public final class SavepointFixture {
  private SavepointFixture() {}

  public static void main(String[] args) throws Exception {
    Path target = Path.of(args[0]).toAbsolutePath();
    deleteRecursively(target);
    Files.createDirectories(target);
    KafkaTestBroker kafka = new KafkaTestBroker();
    kafka.beforeAll(null);
    try {
      Path model = CommittedSavepoint.model(target);
      copy(TestModels.tiny(), model);
      MemoryRuns runs = new MemoryRuns(kafka, model, CommittedSavepoint.FIRST_EVENT);
      GladTopics topics = GladTopics.withPrefix(CommittedSavepoint.TOPIC_PREFIX);
      dev.glad.tools.kafka.TopicAdmin.createMissing(kafka.bootstrapServers(), topics, 4, (short) 1);
      kafka.send(topics.interactions(), runs.slice(0, 0.5), InteractionEvent::getUserId);
      JobClient job =
          runs.start(
              runs.settings(topics, 2, Mode.FROZEN)
                  .set(BOUNDED, false)
                  .set(TRANSACTIONAL_ID_PREFIX, "fixture")
                  .build(),
              null);
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(180))
          .until(() -> kafka.readCommittedSoFar(topics.userMemory()).size() >= 100);
      // stopped mid-stream: some chunks in the memory, events pending, chunks open
      String written =
          job.stopWithSavepoint(
                  false, target.resolve("tmp").toUri().toString(), SavepointFormatType.CANONICAL)
              .get();
      Files.move(Path.of(java.net.URI.create(written)), CommittedSavepoint.savepoint(target));
      deleteRecursively(target.resolve("tmp"));
      System.out.println("wrote " + target);
    } finally {
      kafka.afterAll(null);
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
