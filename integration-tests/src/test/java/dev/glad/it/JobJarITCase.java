package dev.glad.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shaded job jar ({@code flink run}) holds the job and what it needs on a cluster, not the
 * tools: no launcher, demo, bench, generator, replay or embedded broker, no command-line parser and
 * no training workflows. (An ITCase because the jar exists only after flink-jobs is packaged.)
 */
class JobJarITCase {
  private static final List<String> TOOLS =
      List.of(
          "dev/glad/cli/",
          "dev/glad/tools/",
          "dev/glad/model/cli/",
          "dev/glad/model/workflow/",
          "picocli/",
          // the embedded broker (Kafka's server, KRaft and storage; kafka-clients has none of them)
          "kafka/server/",
          "kafka/Kafka.class",
          "org/apache/kafka/controller/",
          "org/apache/kafka/metadata/",
          "org/apache/kafka/raft/",
          "org/apache/kafka/storage/",
          "scala/");

  @Test
  void theJobJarCarriesTheJobAndNoToolClasses() throws IOException {
    Path jar = jobJar();
    List<String> entries;
    try (JarFile file = new JarFile(jar.toFile())) {
      entries = file.stream().map(e -> e.getName()).toList();
    }
    assertThat(entries)
        .contains(
            "dev/glad/flink/job/GladJobMain.class",
            "dev/glad/flink/memory/ChunkEncoderOperator.class",
            "dev/glad/model/artifact/GladModel.class",
            "dev/glad/schemas/InteractionEvent.class",
            "org/apache/flink/connector/kafka/sink/KafkaSink.class");
    for (String tool : TOOLS) {
      assertThat(entries).as(jar + " entries under " + tool).noneMatch(e -> e.startsWith(tool));
    }
  }

  private static Path jobJar() throws IOException {
    Path target = Path.of("..", "flink-jobs", "target");
    try (Stream<Path> files = Files.list(target)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith("-job.jar"))
          .findFirst()
          .orElseThrow(
              () -> new AssertionError("no *-job.jar in " + target + ": package flink-jobs first"));
    }
  }
}
