package dev.glad.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glad.model.data.InteractionFormat;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.tools.replay.ReplayProducer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./glad replay}: a dataset file lands on the interactions topic in each user's order. */
class ReplayITCase {
  @RegisterExtension static final KafkaTestBroker KAFKA = new KafkaTestBroker();

  @Test
  void aPairsFileIsPublishedInEachUsersOrderWithIncreasingEventTimes(@TempDir Path tmp)
      throws Exception {
    Path data = tmp.resolve("pairs.txt");
    Files.writeString(data, "a 1\nb 7\na 2\na 3\nb 8\nc 9\n");
    GladTopics topics = KAFKA.freshTopics();
    ByteArrayOutputStream printed = new ByteArrayOutputStream();

    long sent =
        ReplayProducer.run(
            new ReplayProducer.Options(
                data,
                InteractionFormat.PAIRS,
                KAFKA.bootstrapServers(),
                dev.glad.schemas.kafka.KafkaClientConfig.none(),
                topics.prefix(),
                1_000,
                Long.MAX_VALUE,
                1_000),
            new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertThat(sent).isEqualTo(6);
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("sent 6 events in");
    List<InteractionEvent> events =
        KAFKA.readCommitted(topics.interactions(), Duration.ofSeconds(30));
    Map<String, List<InteractionEvent>> byUser =
        events.stream().collect(Collectors.groupingBy(InteractionEvent::getUserId));
    assertThat(byUser.get("a"))
        .extracting(InteractionEvent::getItemId)
        .containsExactly("1", "2", "3");
    assertThat(byUser.get("b")).extracting(InteractionEvent::getItemId).containsExactly("7", "8");
    assertThat(byUser.get("c")).extracting(InteractionEvent::getItemId).containsExactly("9");
    for (List<InteractionEvent> mine : byUser.values()) {
      for (int i = 1; i < mine.size(); i++) {
        assertThat(mine.get(i).getEventTime()).isAfter(mine.get(i - 1).getEventTime());
      }
    }
    assertThat(events).extracting(InteractionEvent::getEventId).doesNotHaveDuplicates();
  }
}
