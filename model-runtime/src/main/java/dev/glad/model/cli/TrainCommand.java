package dev.glad.model.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.glad.model.artifact.ModelArtifact;
import dev.glad.model.data.InteractionFileReader;
import dev.glad.model.data.InteractionFormat;
import dev.glad.model.data.ItemVocabulary;
import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.data.UserSequences;
import dev.glad.model.encoder.Devices;
import dev.glad.model.encoder.EncoderConfig;
import dev.glad.model.train.ClozeTrainer;
import dev.glad.model.train.LearningCurvePlot;
import dev.glad.model.train.SoftmaxMode;
import dev.glad.model.train.TrainingConfig;
import dev.glad.model.train.TrainingResult;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code train}: Cloze-trains the encoder on a data file and writes a model artifact. */
final class TrainCommand {
  static final String USAGE =
      String.join(
          "\n",
          "usage: glad train --data FILE --out DIR [flags]",
          "",
          "  --data FILE             interactions (required)",
          "  --format pairs|recbole  file format (default: recbole for *.inter, else pairs)",
          "  --out DIR               model artifact directory to write (required)",
          "  --dim N                 hidden size e (64)",
          "  --layers N              transformer layers (2)",
          "  --heads N               attention heads (2)",
          "  --inner N               feed-forward width (4 * dim)",
          "  --chunk N               chunk size c the stream will encode (20)",
          "  --max-len N             longest input incl. the appended MASK (50)",
          "  --dropout P             hidden dropout (0.5)",
          "  --attention-dropout P   attention dropout (0.2)",
          "  --epochs N              epochs (30)",
          "  --batch N               sequences per step (256)",
          "  --lr X                  peak AdamW learning rate (0.003)",
          "  --weight-decay X        AdamW decoupled weight decay (0.01)",
          "  --warmup X              share of steps in linear warmup (0.05)",
          "  --mask-prob P           Cloze mask probability (0.6)",
          "  --no-last-item          no extra samples that mask only the last item",
          "  --softmax full|sampled|mixed  output normalisation (mixed; full = BERT4Rec)",
          "  --negatives-per-batch N sampled-softmax negatives shared by a batch (2048)",
          "  --clip X                global gradient norm limit, 0 = off (5)",
          "  --seed N                seed of everything random (42)",
          "  --eval-users N          validation users per epoch, 0 = all, -1 = none (0)",
          "  --patience N            early stop after N epochs without improvement, 0 = off (0)",
          "  --time-limit MIN        stop after this many minutes of training, 0 = off (0)",
          "  --checkpoint-dir DIR    checkpoints; a rerun resumes from them (DIR.checkpoint)",
          "  --checkpoint-minutes M  checkpoint interval (10)",
          "  --curve-png FILE        also plot the learning curve to this PNG",
          "  --device D              auto|cpu|gpu|gpu:N (auto; falls back to cpu)",
          "  --threads N             PyTorch intra-op threads (all cores)",
          "  --progress-seconds S    interval of progress lines (30)",
          "  --variant V             bert4rec (this command) or S|G|GC|GCA: GLAD phase 2, see",
          "                          'glad train --variant GCA --help'");

  private static final Set<String> FLAGS =
      Set.of(
          "data",
          "format",
          "out",
          "dim",
          "layers",
          "heads",
          "inner",
          "chunk",
          "max-len",
          "dropout",
          "attention-dropout",
          "epochs",
          "batch",
          "lr",
          "weight-decay",
          "warmup",
          "mask-prob",
          "softmax",
          "negatives-per-batch",
          "clip",
          "seed",
          "eval-users",
          "patience",
          "time-limit",
          "checkpoint-dir",
          "checkpoint-minutes",
          "curve-png",
          "device",
          "threads",
          "progress-seconds",
          "variant");
  private static final Set<String> SWITCHES = Set.of("no-last-item");
  private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

  private TrainCommand() {}

  static int run(String[] args, PrintStream out) {
    if (GladTrainCommand.handles(args)) {
      return GladTrainCommand.run(args, out);
    }
    Flags flags = Flags.parse(args, 1, FLAGS, SWITCHES);
    Path data = Path.of(flags.required("data"));
    Path outDir = Path.of(flags.required("out"));
    InteractionFormat format = flags.format(data);
    TrainingConfig training =
        TrainingConfig.builder()
            .optEpochs(flags.integer("epochs", 30))
            .optBatchSize(flags.integer("batch", 256))
            .optLearningRate(flags.number("lr", 3e-3f))
            .optWeightDecay(flags.number("weight-decay", 0.01f))
            .optWarmupFraction(flags.number("warmup", 0.05f))
            .optMaskProbability(flags.number("mask-prob", 0.6f))
            .optLastItemSamples(!flags.has("no-last-item"))
            .optSoftmax(SoftmaxMode.parse(flags.string("softmax", "mixed")))
            .optSampledNegatives(flags.integer("negatives-per-batch", 2048))
            .optGradientClipNorm(flags.number("clip", 5f))
            .optSeed(flags.longValue("seed", 42))
            .optEvalUsers(flags.integer("eval-users", 0))
            .optPatience(flags.integer("patience", 0))
            .optTimeLimitSeconds(Math.round(flags.number("time-limit", 0f) * 60))
            .optCheckpointSeconds(
                Math.max(1, Math.round(flags.number("checkpoint-minutes", 10f) * 60)))
            .build();
    Path checkpointDir =
        Path.of(
            flags.string("checkpoint-dir", outDir.toAbsolutePath().normalize() + ".checkpoint"));
    int threads = EngineSetup.configure(flags.integer("threads", 0));

    out.printf(Locale.ROOT, "Reading %s (%s)%n", data, format.name().toLowerCase(Locale.ROOT));
    UserSequences sequences = InteractionFileReader.read(data, format);
    ItemVocabulary vocabulary = ItemVocabulary.fromSequences(sequences);
    LeaveOneOutSplit split = LeaveOneOutSplit.of(sequences, vocabulary);
    EncoderConfig encoder =
        EncoderConfig.builder()
            .setTokenCount(vocabulary.tokenCount())
            .optHiddenSize(flags.integer("dim", 64))
            .optLayers(flags.integer("layers", 2))
            .optHeads(flags.integer("heads", 2))
            .optInnerSize(flags.integer("inner", -1))
            .optChunkSize(flags.integer("chunk", 20))
            .optMaxLength(flags.integer("max-len", 50))
            .optHiddenDropout(flags.number("dropout", 0.5f))
            .optAttentionDropout(flags.number("attention-dropout", 0.2f))
            .build();
    Device device = Devices.resolve(flags.string("device", "auto"));
    out.printf(
        Locale.ROOT,
        "%d users, %d items, %d interactions; device %s, %d threads%n",
        sequences.userCount(),
        vocabulary.itemCount(),
        sequences.interactionCount(),
        device,
        threads);
    ClozeTrainer trainer =
        new ClozeTrainer(
            encoder,
            training,
            split,
            device,
            checkpointDir,
            out,
            flags.number("progress-seconds", 30f));
    out.printf(
        Locale.ROOT,
        "%d samples/epoch, %d steps/epoch, %s softmax; checkpoints in %s%n",
        trainer.samplesPerEpoch(),
        trainer.stepsPerEpoch(),
        training.softmax().name().toLowerCase(Locale.ROOT),
        checkpointDir);
    TrainingResult result = trainer.train();
    try (NDManager cpu = NDManager.newBaseManager(Device.cpu())) {
      JsonObject options = new JsonObject();
      options.addProperty("outputHead", "tied embeddings + bias");
      options.addProperty("positions", "learned, right-aligned");
      JsonObject meta = new JsonObject();
      meta.addProperty("dataFile", data.toAbsolutePath().normalize().toString());
      meta.addProperty("format", format.name().toLowerCase(Locale.ROOT));
      meta.addProperty("users", sequences.userCount());
      meta.addProperty("interactions", sequences.interactionCount());
      meta.add("settings", GSON.toJsonTree(training));
      meta.addProperty("commandLine", "glad " + String.join(" ", args));
      meta.addProperty("device", device.toString());
      meta.addProperty("threads", threads);
      meta.addProperty("trainingSeconds", result.trainingSeconds());
      meta.addProperty("samplesPerSecond", result.samplesPerSecond());
      meta.addProperty("bestEpoch", result.bestEpoch());
      meta.addProperty("stopReason", result.stopReason());
      meta.addProperty("finishedAt", Instant.now().toString());
      meta.add("curve", GSON.toJsonTree(result.curve()));
      ModelArtifact artifact =
          ModelArtifact.write(
              outDir,
              encoder,
              vocabulary,
              Map.of(ModelArtifact.ENCODER_GROUP, result.model().copyParameters(cpu)),
              options,
              meta);
      out.printf(
          Locale.ROOT,
          "Wrote model %s to %s (best epoch %.2f, %s; %.0f s training, %.0f samples/s)%n",
          artifact.modelVersion(),
          artifact.directory(),
          result.bestEpoch(),
          result.stopReason(),
          result.trainingSeconds(),
          result.samplesPerSecond());
    } finally {
      result.model().close();
    }
    if (flags.has("curve-png")) {
      Path png = Path.of(flags.required("curve-png"));
      LearningCurvePlot.write(result.curve(), png, "Bert4Rec on " + data.getFileName());
      out.println("Wrote learning curve " + png);
    }
    return 0;
  }
}
