package dev.glad.model.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.glad.model.data.DataFormatException;
import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.encoder.EncoderConfig;
import dev.glad.model.eval.NegativeProtocol;
import dev.glad.model.train.TrainingConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training and evaluation as library calls, the way the command line and the demo use them. */
class WorkflowTest {
  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);

  private static EncoderTraining.Request request(Path data, Path model, Path curve) {
    return new EncoderTraining.Request(
        data,
        null,
        model,
        EncoderConfig.builder()
            .optHiddenSize(8)
            .optLayers(1)
            .optHeads(2)
            .optChunkSize(4)
            .optMaxLength(10),
        TrainingConfig.builder().optEpochs(2).optBatchSize(64).build(),
        null,
        "cpu",
        1,
        30,
        curve,
        "test");
  }

  @Test
  void ranksCsvQuotesOnlyTheUserIdsThatNeedIt() {
    assertEquals("A1B2", Evaluation.csvField("A1B2"));
    assertEquals("\"a,b\"", Evaluation.csvField("a,b"));
    assertEquals("\"say \"\"hi\"\"\"", Evaluation.csvField("say \"hi\""));
  }

  @Test
  void aBadDataFileFailsWithTheLineNumber(@TempDir Path tmp) throws IOException {
    Path data = tmp.resolve("bad.txt");
    Files.writeString(data, "1 2\n1 3\noops\n");
    DataFormatException e =
        assertThrows(
            DataFormatException.class,
            () -> EncoderTraining.run(request(data, tmp.resolve("m"), null), out));
    assertEquals(
        data + ", line 3: expected 2 fields 'user item' but found 1: 'oops'", e.getMessage());
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

    // When training and evaluating through the library
    EncoderTraining.Result trained =
        EncoderTraining.run(request(data, model, tmp.resolve("curve.png")), out);
    Path json = tmp.resolve("metrics.json");
    Path ranks = tmp.resolve("ranks.csv");
    Evaluation.run(
        new Evaluation.Request(
            model,
            data,
            null,
            List.of(NegativeProtocol.values()),
            LeaveOneOutSplit.Target.TEST,
            Evaluation.DEFAULT_SEED,
            Evaluation.DEFAULT_BATCH,
            "cpu",
            1,
            0,
            true,
            null,
            false,
            false,
            null,
            json,
            ranks,
            false),
        out);

    // Then the artifact, the curve, the table and the JSON hold every metric and the user count
    assertEquals(model, trained.artifact());
    assertTrue(Files.exists(model.resolve("checksums.sha256")));
    assertTrue(Files.size(tmp.resolve("curve.png")) > 1000);
    String printed = outBytes.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("bert4rec    popularity      120"), printed);
    JsonObject root = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    assertEquals(120, root.get("users").getAsInt());
    assertEquals(trained.modelVersion(), root.get("modelVersion").getAsString());
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

    // and the ranks file has every user's rank per scorer and protocol, which give the same HR@10
    List<String> rows = Files.readAllLines(ranks);
    assertEquals(
        "user,historyLength,bert4rec/uniform,bert4rec/popularity,bert4rec/all,"
            + "popularity/uniform,popularity/popularity,popularity/all,"
            + "random/uniform,random/popularity,random/all",
        rows.get(0));
    assertEquals(121, rows.size());
    double hits = 0;
    for (String row : rows.subList(1, rows.size())) {
      String[] cells = row.split(",");
      assertEquals("9", cells[1], row);
      hits += Integer.parseInt(cells[4]) < 10 ? 1 : 0;
    }
    assertEquals(all.getAsJsonObject("all").get("HR@10").getAsDouble(), hits / 120, 1e-9);
  }
}
