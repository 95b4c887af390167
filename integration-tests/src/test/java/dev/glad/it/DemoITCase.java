package dev.glad.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glad.tools.demo.DemoRunner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The README's first command, {@code ./glad demo}, end to end at a smaller size, with the test
 * model instead of training the demo's own.
 */
class DemoITCase {
  @Test
  void theDemoRunsToASummaryWhoseChecksPass() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

    boolean ok =
        new DemoRunner(
                new DemoRunner.Options(
                    300,
                    12_000,
                    20_000,
                    TestModels.TINY.chunkSize(),
                    5,
                    2,
                    4,
                    500,
                    Duration.ofSeconds(1),
                    TestModels.tiny(),
                    null),
                out)
            .run();

    String printed = buffer.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains("GLAD demo summary").contains("exactly once, OK");
    assertThat(printed).contains("every bad record accounted for, OK");
    assertThat(printed).containsPattern("events \\d[\\d,]*/12,000");
    assertThat(printed)
        .containsPattern("user memories +[\\d,]+ updates for [\\d,]+ users.*exactly once, OK");
    assertThat(printed)
        .containsPattern("planted interests +[\\d,]+ users. edge weight on clusters");
    assertThat(printed)
        .containsPattern(
            "u0 \\(planted topics \\[[\\d, ]+\\]\\)\\n +after chunk +\\d+: c\\d+\\[t\\d+\\]x\\d+");
    assertThat(ok).as(printed).isTrue();
  }
}
