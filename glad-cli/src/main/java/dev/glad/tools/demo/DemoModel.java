package dev.glad.tools.demo;

import dev.glad.model.data.InteractionFormat;
import dev.glad.model.encoder.EncoderConfig;
import dev.glad.model.memory.GladOptions;
import dev.glad.model.memory.GladVariant;
import dev.glad.model.memory.HeadActivation;
import dev.glad.model.train.GladTrainingConfig;
import dev.glad.model.train.SoftmaxMode;
import dev.glad.model.train.TrainingConfig;
import dev.glad.model.workflow.EncoderTraining;
import dev.glad.model.workflow.GladTraining;
import dev.glad.schemas.InteractionEvent;
import dev.glad.tools.generator.SyntheticInteractions;
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
 * for the demo and the integration tests: trained with the real trainers through the same library
 * calls {@code ./glad train} makes, and reused when it already exists.
 *
 * @param users generator users
 * @param historyEvents events of history to train on
 * @param dim hidden size e
 * @param chunkSize c
 * @param phase1Epochs Cloze epochs
 * @param phase2Epochs end-to-end epochs
 * @param phase2ExamplesPerEpoch a random subset of this many training examples per phase-2 epoch
 * @param seed generator and training seed
 * @param items catalogue size of the generator (topics: items / 100)
 */
public record DemoModel(
    int users,
    int historyEvents,
    int dim,
    int chunkSize,
    int phase1Epochs,
    int phase2Epochs,
    int phase2ExamplesPerEpoch,
    long seed,
    int items) {

  /** c of the demo's and the bench's model: small, so the demo's short histories fill chunks. */
  public static final int DEFAULT_CHUNK_SIZE = 10;

  /**
   * Version of the training recipe below; part of the directory name, so a change retrains. r3:
   * phase 2 with the identity activation and zero-initialised neighbour blocks (r2: tanh, Glorot).
   */
  static final String RECIPE = "r3";

  /**
   * The model the demo and the bench train for a synthetic stream: e = 32, 20 Cloze epochs, 2 ×
   * 8,000 phase-2 examples, on as many history events as the stream has (at most 200,000). Phase 2
   * (every {@code DemoModel}) uses the identity σ and zero-initialised neighbour blocks: the demo's
   * h_U^L planted share was 34–41 % with r2's tanh and Glorot blocks, 54–63 % with r3 (three seeds,
   * docs/RESULTS.md §7.5).
   */
  public static DemoModel forStream(int users, long streamEvents, int chunkSize, long seed) {
    return new DemoModel(
        users,
        (int) Math.min(streamEvents, 200_000),
        32,
        chunkSize,
        20,
        2,
        8_000,
        seed,
        SyntheticInteractions.Settings.DEFAULT_ITEMS);
  }

  /**
   * The throughput bench's model: the shapes of a Beauty-sized deployment (e = 64, c = 20, a
   * catalogue of 55,000 items), trained briefly: the bench measures cost, which depends on the
   * shapes, not on how well the model ranks.
   */
  public static DemoModel forBench(int users, long seed) {
    return new DemoModel(users, 200_000, 64, 20, 2, 1, 4_000, seed, 55_000);
  }

  /** The generator settings the model's history and the live stream share. */
  public SyntheticInteractions.Settings generatorSettings(long startMillis) {
    return SyntheticInteractions.Settings.defaults(seed, startMillis)
        .withUsers(users)
        .withItems(items, Math.max(2, items / 100));
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
            + seed
            // the demo's catalogue keeps its old directory names
            + (items == SyntheticInteractions.Settings.DEFAULT_ITEMS ? "" : "-i" + items));
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
      Path encoder = dir.resolve("encoder");
      EncoderTraining.run(
          new EncoderTraining.Request(
              data,
              InteractionFormat.PAIRS,
              encoder,
              EncoderConfig.builder()
                  .optHiddenSize(dim)
                  .optLayers(1)
                  .optHeads(2)
                  .optChunkSize(chunkSize)
                  .optMaxLength(Math.max(chunkSize + 1, 2 * chunkSize))
                  .optHiddenDropout(0.1f),
              // small batches and a low mask rate: with the defaults (256, 0.6) this small data
              // set stays on the item-popularity plateau (loss = unigram entropy) for many epochs
              TrainingConfig.builder()
                  .optLearningRate(0.003f)
                  .optBatchSize(64)
                  .optMaskProbability(0.3f)
                  .optEpochs(phase1Epochs)
                  .optSoftmax(SoftmaxMode.FULL)
                  .optEvalUsers(-1)
                  .optSeed(seed)
                  .build(),
              null,
              "auto",
              0,
              10,
              null,
              "demo model " + directory(root).getFileName()),
          out);
      GladTraining.run(
          new GladTraining.Request(
              GladVariant.GCA,
              encoder,
              data,
              InteractionFormat.PAIRS,
              glad,
              0,
              // identity σ and zero neighbour blocks: the published h_U^L starts as h_U^0, the mean
              // of the user's chunk embeddings, instead of a random mix of it and its neighbours
              // (docs/RESULTS.md §7.5)
              GladOptions.builder()
                  .optClusteringFactor(10)
                  .optActivation(HeadActivation.IDENTITY)
                  .build(),
              GladTrainingConfig.builder()
                  .optEpochs(phase2Epochs)
                  .optMaxExamplesPerEpoch(phase2ExamplesPerEpoch)
                  .optZeroNeighbourInit(true)
                  .optEvalUsers(-1)
                  .optSeed(seed)
                  .build(),
              "auto",
              0,
              10,
              null,
              "demo model " + directory(root).getFileName()),
          out);
      return glad;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the demo model in " + dir, e);
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
