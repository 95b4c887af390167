package dev.glad.flink.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glad.schemas.kafka.GladTopics;
import dev.glad.schemas.kafka.Topic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The compose file's {@code topics} service creates every topic of the registry, compacted where
 * the registry says so (the broker there does not create topics on demand, so a missing topic would
 * stop a source or sink only when someone runs {@code docker compose up}).
 */
class ComposeTopicsTest {

  @Test
  void theComposeFileCreatesEveryTopicOfTheRegistry() throws IOException {
    Path compose =
        Path.of(System.getProperty("basedir", ".")).resolve("../docker-compose.yml").normalize();

    Map<String, Boolean> expected =
        GladTopics.defaults().all().stream()
            .collect(Collectors.toMap(Topic::name, Topic::compacted, (a, b) -> a, TreeMap::new));

    assertThat(createdTopics(Files.readString(compose))).isEqualTo(expected);
  }

  /** Topic name to compacted, from the {@code for t in ...; do kafka-topics.sh ... done} loops. */
  static Map<String, Boolean> createdTopics(String compose) {
    Map<String, Boolean> topics = new TreeMap<>();
    String[] lines = compose.split("\n");
    for (int i = 0; i < lines.length; i++) {
      String text = lines[i].strip();
      if (!text.startsWith("for t in ")) {
        continue;
      }
      String[] names = text.substring("for t in ".length(), text.indexOf(';')).split("\\s+");
      boolean compacted = false;
      for (int k = i + 1; k < lines.length && !lines[k].strip().equals("done"); k++) {
        compacted |= lines[k].contains("cleanup.policy=compact");
      }
      for (String name : names) {
        topics.put(GladTopics.DEFAULT_PREFIX + name, compacted);
      }
    }
    return topics;
  }
}
