package dev.glad.model.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.glad.model.artifact.ModelArtifact;
import dev.glad.model.data.InteractionFileReader;
import dev.glad.model.data.InteractionFormat;
import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.data.UserSequences;
import dev.glad.model.encoder.Devices;
import dev.glad.model.encoder.SequenceEncoder;
import dev.glad.model.glad.Phase2Config;
import dev.glad.model.glad.Phase2Trainer;
import dev.glad.model.memory.GladArtifact;
import dev.glad.model.memory.GladOptions;
import dev.glad.model.memory.GladVariant;
import dev.glad.model.memory.HeadActivation;
import dev.glad.model.train.LearningCurvePlot;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * {@code train --variant S|G|GC|GCA}: GLAD phase 2 on top of a phase-1 encoder artifact; writes a
 * GLAD artifact (encoder, head, memory).
 */
final class GladTrainCommand {
  static final String USAGE =
      String.join(
          "\n",
          "usage: glad train --variant S|G|GC|GCA --encoder DIR --data FILE --out DIR [flags]",
          "",
          "  --variant V             S (short-term fine-tune, no memory), G, GC or GCA (required)",
          "  --encoder DIR           phase-1 encoder artifact ('glad train' without --variant)",
          "  --data FILE             interactions (required; the encoder's data set)",
          "  --format pairs|recbole  file format (default: recbole for *.inter, else pairs)",
          "  --out DIR               GLAD artifact directory to write (required)",
          "  --chunk N               chunk size c (default: the encoder's)",
          "  --clustering-factor F   chunks per cluster, K = chunks / F (20)",
          "  --activation A          sigmoid|tanh|relu|identity for eq. 1-2 (tanh)",
          "  --aggregation A         sum|mean neighbour aggregation (mean)",
          "  --attention A           dot|softmax normalisation of eq. 5 (softmax)",
          "  --decay X               sequential k-means step floor, 0 = MacQueen (0)",
          "  --kmeans-iterations N   Lloyd iterations after k-means++ (15)",
          "  --aux-weight X          GCA: weight of the target-free layer-2 loss (0.5)",
          "  --attentive-layer L     GCA: read (eq. 5 as printed) or sage (sage)",
          "  --no-item-bias          score h.h_T without the encoder's output bias (paper eq. 4)",
          "  --epochs N              epochs (10)",
          "  --batch N               examples per step (256)",
          "  --lr X                  peak AdamW rate of GNN and gate (0.001)",
          "  --encoder-lr-scale X    encoder rate relative to --lr, 0 = frozen (0.3)",
          "  --weight-decay X        AdamW decoupled weight decay (0.01)",
          "  --negatives N           sampled negatives per example (100)",
          "  --max-examples N        fresh random subset of N examples per epoch, 0 = all (0)",
          "  --clip X                gradient norm limit, 0 = off (5)",
          "  --seed N                seed of everything random (42)",
          "  --eval-users N          validation users per epoch, 0 = all, -1 = none (0)",
          "  --patience N            early stop after N epochs without improvement (3)",
          "  --time-limit MIN        stop after this many minutes of training, 0 = off (0)",
          "  --curve-png FILE        also plot the learning curve",
          "  --device D              auto|cpu|gpu|gpu:N (auto)",
          "  --threads N             PyTorch intra-op threads (all cores)",
          "  --progress-seconds S    interval of progress lines (30)");

  private static final Set<String> FLAGS =
      Set.of(
          "variant",
          "encoder",
          "data",
          "format",
          "out",
          "chunk",
          "clustering-factor",
          "activation",
          "aggregation",
          "attention",
          "decay",
          "kmeans-iterations",
          "aux-weight",
          "attentive-layer",
          "epochs",
          "batch",
          "lr",
          "encoder-lr-scale",
          "weight-decay",
          "negatives",
          "max-examples",
          "clip",
          "seed",
          "eval-users",
          "patience",
          "time-limit",
          "curve-png",
          "device",
          "threads",
          "progress-seconds");
  private static final Set<String> SWITCHES = Set.of("no-item-bias");
  private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

  private GladTrainCommand() {}

  /** Whether {@code args} ask for a GLAD variant (anything but bert4rec). */
  static boolean handles(String[] args) {
    String variant = flagValue(args, "variant");
    return variant != null && GladVariant.parse(variant) != GladVariant.BERT4REC;
  }

  /** The value of {@code --name V} or {@code --name=V}, or null. */
  static String flagValue(String[] args, String name) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--" + name) && i + 1 < args.length) {
        return args[i + 1];
      }
      if (args[i].startsWith("--" + name + "=")) {
        return args[i].substring(name.length() + 3);
      }
    }
    return null;
  }

  static int run(String[] args, PrintStream out) {
    Flags flags = Flags.parse(args, 1, FLAGS, SWITCHES);
    GladVariant variant = GladVariant.parse(flags.required("variant"));
    Path encoderDir = Path.of(flags.required("encoder"));
    Path data = Path.of(flags.required("data"));
    Path outDir = Path.of(flags.required("out"));
    InteractionFormat format =
        flags.has("format")
            ? InteractionFormat.parse(flags.required("format"))
            : InteractionFormat.fromFileName(data.getFileName().toString());
    GladOptions options =
        GladOptions.builder()
            .optClusteringFactor(flags.number("clustering-factor", 20f))
            .optActivation(HeadActivation.parse(flags.string("activation", "tanh")))
            .optAggregation(GladOptions.Aggregation.parse(flags.string("aggregation", "mean")))
            .optAttention(
                GladOptions.AttentionNormalisation.parse(flags.string("attention", "softmax")))
            .optDecay(flags.number("decay", 0f))
            .optKmeansIterations(flags.integer("kmeans-iterations", 15))
            .optAuxiliaryLossWeight(flags.number("aux-weight", 0.5f))
            .optItemBias(!flags.has("no-item-bias"))
            .optAttentiveLayer(
                GladOptions.AttentiveLayer.parse(flags.string("attentive-layer", "sage")))
            .build();
    Phase2Config training =
        Phase2Config.builder()
            .optEpochs(flags.integer("epochs", 10))
            .optBatchSize(flags.integer("batch", 256))
            .optLearningRate(flags.number("lr", 1e-3f))
            .optEncoderLearningRateScale(flags.number("encoder-lr-scale", 0.3f))
            .optWeightDecay(flags.number("weight-decay", 0.01f))
            .optNegatives(flags.integer("negatives", 100))
            .optGradientClipNorm(flags.number("clip", 5f))
            .optSeed(flags.longValue("seed", 42))
            .optEvalUsers(flags.integer("eval-users", 0))
            .optPatience(flags.integer("patience", 3))
            .optTimeLimitSeconds(Math.round(flags.number("time-limit", 0f) * 60))
            .optMaxExamplesPerEpoch(flags.integer("max-examples", 0))
            .build();
    int threads = EngineSetup.configure(flags.integer("threads", 0));
    Device device = Devices.resolve(flags.string("device", "auto"));

    ModelArtifact phase1 = ModelArtifact.load(encoderDir);
    int chunk = flags.integer("chunk", phase1.encoderConfig().chunkSize());
    out.printf(Locale.ROOT, "Reading %s (%s)%n", data, format.name().toLowerCase(Locale.ROOT));
    UserSequences sequences = InteractionFileReader.read(data, format);
    LeaveOneOutSplit split = LeaveOneOutSplit.of(sequences, phase1.vocabulary());
    if (phase1.vocabulary().unknownLookups() > 0) {
      throw new UsageException(
          data
              + " has "
              + phase1.vocabulary().unknownLookups()
              + " item ids the encoder "
              + encoderDir
              + " does not know; train the encoder on the same data");
    }
    try (SequenceEncoder encoder = phase1.openEncoder(device)) {
      Phase2Trainer trainer =
          new Phase2Trainer(
              encoder.model(),
              chunk,
              variant,
              options,
              training,
              split,
              phase1.vocabulary(),
              out,
              flags.number("progress-seconds", 30f));
      out.printf(
          Locale.ROOT,
          "GLAD %s phase 2 from encoder %s: c = %d, %d examples/epoch, device %s, %d threads%n",
          variant.flag(),
          phase1.modelVersion(),
          chunk,
          trainer.examplesPerEpoch(),
          device,
          threads);
      Phase2Trainer.Result result = trainer.train();
      JsonObject meta = new JsonObject();
      meta.addProperty("dataFile", data.toAbsolutePath().normalize().toString());
      meta.addProperty("encoderArtifact", encoderDir.toAbsolutePath().normalize().toString());
      meta.addProperty("encoderModelVersion", phase1.modelVersion());
      meta.add("settings", GSON.toJsonTree(training));
      meta.addProperty("commandLine", "glad " + String.join(" ", args));
      meta.addProperty("device", device.toString());
      meta.addProperty("threads", threads);
      meta.addProperty("trainingSeconds", result.trainingSeconds());
      meta.addProperty("examplesPerSecond", result.examplesPerSecond());
      meta.addProperty("bestEpoch", result.bestEpoch());
      meta.addProperty("stopReason", result.stopReason());
      meta.addProperty("finishedAt", Instant.now().toString());
      meta.add("curve", GSON.toJsonTree(result.curve()));
      try (NDManager cpu = NDManager.newBaseManager(Device.cpu())) {
        ModelArtifact artifact =
            GladArtifact.write(
                outDir,
                result.config(),
                phase1.vocabulary(),
                encoder.model().copyParameters(cpu),
                result.head(),
                result.clusters(),
                meta);
        out.printf(
            Locale.ROOT,
            "Wrote GLAD %s model %s to %s (K = %d, best epoch %.2f, %s; %.0f s training, %.0f"
                + " examples/s)%n",
            variant.flag(),
            artifact.modelVersion(),
            artifact.directory(),
            result.config().clusterCount(),
            result.bestEpoch(),
            result.stopReason(),
            result.trainingSeconds(),
            result.examplesPerSecond());
      }
      if (flags.has("curve-png")) {
        Path png = Path.of(flags.required("curve-png"));
        LearningCurvePlot.write(
            result.curve(), png, "GLAD " + variant.flag() + " phase 2 on " + data.getFileName());
        out.println("Wrote learning curve " + png);
      }
    }
    return 0;
  }
}
