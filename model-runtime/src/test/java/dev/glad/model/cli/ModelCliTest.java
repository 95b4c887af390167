package dev.glad.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCliTest {
  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  private int run(String... args) {
    return ModelCli.run(args, out, err);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void helpPrintsUsageAndSucceeds() {
    assertEquals(0, run("--help"));
    assertTrue(out().contains("usage: glad <command>"));
    assertEquals(0, run("train", "--help"));
    assertTrue(out().contains("--softmax full|sampled|mixed"));
    assertEquals(0, run("evaluate", "--help"));
    assertTrue(out().contains("--negatives uniform|popularity|all"));
  }

  @Test
  void badCommandLinesReturnTwoWithAnExactMessage() {
    assertEquals(2, run());
    assertTrue(err().startsWith("error: missing command\n"));
    errBytes.reset();
    assertEquals(2, run("fit"));
    assertTrue(err().startsWith("error: unknown command 'fit', expected train or evaluate\n"));
    errBytes.reset();
    assertEquals(2, run("train", "--data", "x.txt", "--colour", "red"));
    assertEquals("error: unknown flag --colour\n", err());
    errBytes.reset();
    assertEquals(2, run("train", "--out", "m"));
    assertEquals("error: missing required flag --data\n", err());
    errBytes.reset();
    assertEquals(2, run("train", "--data", "x.txt", "--out", "m", "--epochs", "many"));
    assertEquals("error: --epochs must be an integer but was 'many'\n", err());
    errBytes.reset();
    assertEquals(2, run("train", "--data", "x.txt", "--out", "m", "--softmax", "fast"));
    assertEquals("error: softmax must be full, sampled or mixed but was 'fast'\n", err());
    errBytes.reset();
    assertEquals(2, run("evaluate", "--model", "m", "--data", "x", "--negatives", "some"));
    assertEquals("error: negatives must be uniform, popularity or all but was 'some'\n", err());
    errBytes.reset();
    assertEquals(2, run("evaluate", "--model"));
    assertEquals("error: flag --model needs a value\n", err());
  }

  @Test
  void badDataFileFailsWithTheLineNumber(@TempDir Path tmp) throws IOException {
    Path data = tmp.resolve("bad.txt");
    Files.writeString(data, "1 2\n1 3\noops\n");
    assertEquals(
        1,
        run(
            "train",
            "--data",
            data.toString(),
            "--out",
            tmp.resolve("m").toString(),
            "--dim",
            "8"));
    assertEquals(
        "error: " + data + ", line 3: expected 2 fields 'user item' but found 1: 'oops'\n", err());
  }

  @Test
  void trainThenEvaluateWritesArtifactAndJson(@TempDir Path tmp) throws IOException {
    // Given a small pairs file: 120 users, 150 items, 9 interactions each
    StringBuilder lines = new StringBuilder();
    SplittableRandom random = new SplittableRandom(1);
    for (int u = 1; u <= 120; u++) {
      int start = random.nextInt(150);
      for (int i = 0; i < 9; i++) {
        lines.append(u).append(' ').append(1 + (start + i) % 150).append('\n');
      }
    }
    Path data = tmp.resolve("tiny.txt");
    Files.writeString(data, lines);
    Path model = tmp.resolve("model");
    // When training and evaluating through the CLI
    int trained =
        run(
            "train",
            "--data",
            data.toString(),
            "--out",
            model.toString(),
            "--dim",
            "8",
            "--layers",
            "1",
            "--heads",
            "2",
            "--chunk",
            "4",
            "--max-len",
            "10",
            "--epochs",
            "2",
            "--batch",
            "64",
            "--threads",
            "1",
            "--device",
            "cpu",
            "--curve-png",
            tmp.resolve("curve.png").toString());
    assertEquals(0, trained, err());
    assertTrue(Files.exists(model.resolve("checksums.sha256")));
    assertTrue(Files.size(tmp.resolve("curve.png")) > 1000);
    Path json = tmp.resolve("metrics.json");
    int evaluated =
        run(
            "evaluate",
            "--model",
            model.toString(),
            "--data",
            data.toString(),
            "--json",
            json.toString(),
            "--baselines",
            "--threads",
            "1");
    // Then the table and the JSON hold every metric and the user count
    assertEquals(0, evaluated, err());
    assertTrue(out().contains("bert4rec    popularity      120"), out());
    JsonObject root = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    assertEquals(120, root.get("users").getAsInt());
    JsonObject all = root.getAsJsonObject("results").getAsJsonObject("bert4rec");
    for (String protocol : new String[] {"uniform", "popularity", "all"}) {
      JsonObject metrics = all.getAsJsonObject(protocol);
      for (String name :
          new String[] {"HR@1", "HR@5", "HR@10", "NDCG@5", "NDCG@10", "MRR", "MRR@10"}) {
        assertTrue(metrics.has(name), protocol + " lacks " + name);
      }
      assertEquals(120, metrics.get("users").getAsInt());
    }
    assertTrue(root.getAsJsonObject("results").has("random"));
  }
}
