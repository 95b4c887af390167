package dev.glad.serving.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/OPERATIONS.md's settings table is the one generated from the declarations. */
class SettingsDocumentationTest {
  static final String BEGIN =
      "<!-- serve-settings:begin (generated from RankingServiceOptions) -->\n";
  static final String END = "<!-- serve-settings:end -->";

  @Test
  void theOperationsTableIsGeneratedFromTheDeclarations() throws IOException {
    String doc = Files.readString(Path.of("..", "docs", "OPERATIONS.md"), StandardCharsets.UTF_8);
    int begin = doc.indexOf(BEGIN);
    int end = doc.indexOf(END);
    assertThat(begin).as("docs/OPERATIONS.md lacks the serve-settings markers").isNotNegative();
    assertThat(end).isGreaterThan(begin);
    assertThat(doc.substring(begin + BEGIN.length(), end))
        .as("docs/OPERATIONS.md's settings table differs from RankingServiceOptions")
        .isEqualTo(RankingServiceOptions.markdownTable());
  }
}
