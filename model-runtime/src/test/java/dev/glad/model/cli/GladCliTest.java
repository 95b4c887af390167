package dev.glad.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The --variant dispatch of {@code train}: GLAD variants get their own flags and messages. */
class GladCliTest {
  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

  private int run(String... args) {
    return ModelCli.run(
        args,
        new PrintStream(outBytes, true, StandardCharsets.UTF_8),
        new PrintStream(errBytes, true, StandardCharsets.UTF_8));
  }

  @Test
  void gladVariantsNeedAPhaseOneEncoder() {
    assertEquals(2, run("train", "--variant", "GCA", "--data", "x.txt", "--out", "y"));
    assertEquals(
        "error: missing required flag --encoder",
        errBytes.toString(StandardCharsets.UTF_8).strip());
  }

  @Test
  void unknownVariantIsRejectedWithTheAcceptedNames() {
    assertEquals(2, run("train", "--variant", "GX", "--data", "x.txt", "--out", "y"));
    assertEquals(
        "error: variant must be bert4rec, S, G, GC or GCA but was 'GX'",
        errBytes.toString(StandardCharsets.UTF_8).strip());
  }

  @Test
  void helpOfAGladVariantListsItsFlags() {
    assertEquals(0, run("train", "--variant", "GCA", "--help"));
    assertTrue(outBytes.toString(StandardCharsets.UTF_8).contains("--clustering-factor F"));
  }
}
