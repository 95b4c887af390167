package dev.glad.it;

import static dev.glad.flink.job.GladJobOptions.BOUNDED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.glad.cli.Glad;
import dev.glad.flink.state.UserState;
import dev.glad.it.MemoryRuns.Mode;
import dev.glad.it.MemoryRuns.Output;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.kafka.GladTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * {@code ./glad bootstrap} builds the job's state from a history file: bootstrapping the first half
 * of the stream (H1) and then streaming the second half (H2) into the job started from that
 * savepoint gives every user the memory an uninterrupted run over H1 + H2 gives (frozen clusters).
 */
class BootstrapITCase {
  @RegisterExtension static final KafkaTestBroker KAFKA = new KafkaTestBroker();

  @RegisterExtension static final MiniClusterExtension FLINK = TestClusters.twoSlots();

  @Test
  void bootstrappingH1ThenStreamingH2EqualsStreamingH1AndH2() throws Exception {
    MemoryRuns runs = new MemoryRuns(KAFKA);
    Output uninterrupted = runs.uninterrupted(Mode.FROZEN);

    // Given H1 as a history file
    List<InteractionEvent> h1 = runs.slice(0, 0.5);
    Path dir = Files.createTempDirectory("bootstrap");
    Path history = dir.resolve("h1.txt");
    Files.writeString(
        history,
        h1.stream()
            .map(e -> e.getUserId() + " " + e.getItemId())
            .collect(Collectors.joining("\n", "", "\n")));
    Path savepoint = dir.resolve("savepoint");

    // When it is bootstrapped into a savepoint
    int exit =
        new CommandLine(new Glad())
            .execute(
                "bootstrap",
                "--data",
                history.toString(),
                "--model",
                runs.model.toString(),
                "--out",
                savepoint.toString(),
                "--cluster-updates",
                "false",
                "--max-parallelism",
                "128",
                "--end-ms",
                Long.toString(h1.get(h1.size() - 1).getEventTime().toEpochMilli()));
    assertThat(exit).isZero();
    Map<String, UserState> bootstrapped = CommittedSavepoint.userStates(savepoint);
    assertThat(bootstrapped).isNotEmpty();

    // and the job started from it reads H2
    GladTopics topics = KAFKA.freshTopics();
    KAFKA.send(topics.interactions(), runs.slice(0.5, 1), InteractionEvent::getUserId);
    CommittedSavepoint.Restore restore =
        new CommittedSavepoint.Restore(runs, uninterrupted, bootstrapped, topics, savepoint);
    runs.runUntilComplete(
        runs.settings(topics, 2, Mode.FROZEN).set(BOUNDED, false).build(),
        savepoint.toUri().toString(),
        topics,
        restore.updatesOwed());

    // Then the bootstrapped memory, continued, is the uninterrupted run's
    restore.assertContinuesToUninterrupted();
  }
}
