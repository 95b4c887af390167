package dev.glad.flink.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's settings table is the one generated from the declarations. */
class SettingsDocumentationTest {
  static final String BEGIN = "<!-- job-settings:begin (generated from GladJobOptions) -->\n";
  static final String END = "<!-- job-settings:end -->";

  @Test
  void theReadmeTableIsGeneratedFromTheDeclarations() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    int begin = readme.indexOf(BEGIN);
    int end = readme.indexOf(END);
    assertTrue(begin >= 0 && end > begin, "README.md lacks the job-settings markers");
    assertEquals(
        GladJobOptions.markdownTable(),
        readme.substring(begin + BEGIN.length(), end),
        "README.md's settings table differs from GladJobOptions; paste the expected text");
  }
}
