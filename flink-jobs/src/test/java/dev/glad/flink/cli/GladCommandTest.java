package dev.glad.flink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class GladCommandTest {
  @Test
  void modelIsTheShortSpellingOfModelDir() {
    assertEquals(
        List.of("--bootstrap-servers", "k:9092", "--model-dir", "/m", "--model-dir=/n"),
        Glad.withModelAlias(
            List.of("--bootstrap-servers", "k:9092", "--model", "/m", "--model=/n")));
  }

  @Test
  void unknownCommandsAreRefusedWithTheUsage() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Glad.run(
            new String[] {"jbo"},
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, code);
    String printed = err.toString(StandardCharsets.UTF_8);
    assertTrue(printed.startsWith("error: unknown command 'jbo'\n"), printed);
    assertTrue(printed.contains("--model DIR (= --model-dir)"), printed);
  }
}
