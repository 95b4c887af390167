package dev.glad.flink.demo;

import dev.glad.flink.generator.SyntheticInteractions;
import dev.glad.model.cli.ModelCli;
import dev.glad.schemas.InteractionEvent;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small GLAD model (phase 1 Bert4Rec + phase 2 GCA) trained on the synthetic generator's history,
 * for the demo and the integration tests: trained with the real trainer through the same command
 * line a user runs ({@code ./glad train}), and reused when it already exists.
 *
 * @param users generator users
 * @param historyEvents events of history to train on
 * @param dim hidden size e
 * @param chunkSize c
 * @param phase1Epochs Cloze epochs
 * @param phase2Epochs end-to-end epochs
 * @param phase2ExamplesPerEpoch a random subset of this many training examples per phase-2 epoch
 * @param seed generator and training seed
 */
public record DemoModel(
    int users,
    int historyEvents,
    int dim,
    int chunkSize,
    int phase1Epochs,
    int phase2Epochs,
    int phase2ExamplesPerEpoch,
    long seed) {

  /** Version of the training recipe below; part of the directory name, so a change retrains. */
  static final String RECIPE = "r2";

  /**
   * The model the demo and the bench train for a synthetic stream: e = 32, 20 Cloze epochs, 2 ×
   * 8,000 phase-2 examples, on as many history events as the stream has (at most 200,000).
   */
  public static DemoModel forStream(int users, long streamEvents, int chunkSize, long seed) {
    return new DemoModel(
        users, (int) Math.min(streamEvents, 200_000), 32, chunkSize, 20, 2, 8_000, seed);
  }

  /** The generator settings the model's history and the live stream share. */
  public SyntheticInteractions.Settings generatorSettings(long startMillis) {
    return SyntheticInteractions.Settings.defaults(seed, startMillis).withUsers(users);
  }

  /** Where this configuration's model lives under {@code root}. */
  public Path directory(Path root) {
    return root.resolve(
        "demo-model-"
            + RECIPE
            + "-u"
            + users
            + "-n"
            + historyEvents
            + "-e"
            + dim
            + "-c"
            + chunkSize
            + "-p"
            + phase1Epochs
            + "x"
            + phase2Epochs
            + "x"
            + phase2ExamplesPerEpoch
            + "-s"
            + seed);
  }

  /**
   * The GLAD artifact directory: reused when it exists, trained otherwise.
   *
   * @param root parent of the model directories (e.g. {@code .glad/} in the repository)
   */
  public Path trainOrReuse(Path root, PrintStream out) {
    Path dir = directory(root);
    Path glad = dir.resolve("glad");
    if (Files.exists(glad.resolve("checksums.sha256"))) {
      out.println("  reusing the model in " + glad);
      return glad;
    }
    try {
      Files.createDirectories(dir);
      Path data = dir.resolve("history.txt");
      writeHistory(data);
      out.printf(
          "  training a small model on %,d synthetic history events (e=%d, c=%d) ...%n",
          historyEvents, dim, chunkSize);
      run(
          out,
          "train",
          "--data",
          data.toString(),
          "--format",
          "pairs",
          "--out",
          dir.resolve("encoder").toString(),
          "--dim",
          Integer.toString(dim),
          "--layers",
          "1",
          "--heads",
          "2",
          "--chunk",
          Integer.toString(chunkSize),
          "--max-len",
          Integer.toString(Math.max(chunkSize + 1, 2 * chunkSize)),
          "--dropout",
          "0.1",
          "--lr",
          "0.003",
          // small batches and a low mask rate: with the defaults (256, 0.6) this small data set
          // stays on the item-popularity plateau (loss = unigram entropy) for many epochs
          "--batch",
          "64",
          "--mask-prob",
          "0.3",
          "--epochs",
          Integer.toString(phase1Epochs),
          "--softmax",
          "full",
          "--eval-users",
          "-1",
          "--seed",
          Long.toString(seed),
          "--progress-seconds",
          "10");
      run(
          out,
          "train",
          "--variant",
          "GCA",
          "--encoder",
          dir.resolve("encoder").toString(),
          "--data",
          data.toString(),
          "--format",
          "pairs",
          "--out",
          glad.toString(),
          "--clustering-factor",
          "10",
          "--epochs",
          Integer.toString(phase2Epochs),
          "--max-examples",
          Integer.toString(phase2ExamplesPerEpoch),
          "--eval-users",
          "-1",
          "--seed",
          Long.toString(seed),
          "--progress-seconds",
          "10");
      return glad;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the demo model in " + dir, e);
    }
  }

  private static void run(PrintStream out, String... args) {
    int code = ModelCli.run(args);
    if (code != 0) {
      throw new IllegalStateException(
          "training failed (exit " + code + "): ./glad " + String.join(" ", args));
    }
  }

  /** Writes the generator's history as {@code user item} pairs, each user's lines in order. */
  void writeHistory(Path file) throws IOException {
    SyntheticInteractions generator = new SyntheticInteractions(generatorSettings(0));
    Map<String, List<String>> itemsByUser = new LinkedHashMap<>();
    for (int i = 0; i < historyEvents; i++) {
      InteractionEvent e = generator.next();
      itemsByUser.computeIfAbsent(e.getUserId(), u -> new ArrayList<>()).add(e.getItemId());
    }
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Map.Entry<String, List<String>> user : itemsByUser.entrySet()) {
        for (String item : user.getValue()) {
          w.write(user.getKey());
          w.write(' ');
          w.write(item);
          w.write('\n');
        }
      }
    }
  }
}
