package dev.glad.model.workflow;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.glad.model.artifact.GladArtifact;
import dev.glad.model.artifact.ModelArtifact;
import dev.glad.model.data.InteractionFileReader;
import dev.glad.model.data.InteractionFormat;
import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.data.UserSequences;
import dev.glad.model.encoder.Devices;
import dev.glad.model.encoder.EngineSetup;
import dev.glad.model.encoder.SequenceEncoder;
import dev.glad.model.memory.GladOptions;
import dev.glad.model.memory.GladVariant;
import dev.glad.model.train.GladTrainer;
import dev.glad.model.train.GladTrainingConfig;
import dev.glad.model.train.LearningCurvePlot;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;

/**
 * GLAD's end-to-end training as one call: on top of a phase-1 encoder artifact, train the graph
 * memory, GNN and gate of a variant and write the GLAD artifact the stream runs. The command line
 * ({@code glad train --variant ...}) and the demo call this; it prints progress to {@code out}.
 */
public final class GladTraining {
  private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

  /**
   * Why a target-leak artifact is analysis-only (recorded in it; the stream's refusal cites it).
   */
  static final String LEAK_REASON =
      "trained with the target leak: each example's memory held a node made from its target";

  private GladTraining() {}

  /**
   * What to train.
   *
   * @param variant S (no memory), G, GC or GCA
   * @param encoder the phase-1 encoder artifact
   * @param data interaction file (the encoder's data set)
   * @param format its format, or null to infer it from the file name
   * @param out the GLAD artifact directory to write
   * @param chunkSize c, or 0 for the encoder's
   * @param options the model's options (aggregation, attention, clustering factor, ...)
   * @param training the training settings
   * @param device {@code auto|cpu|gpu|gpu:N}
   * @param threads PyTorch intra-op threads, 0 for all cores
   * @param progressSeconds interval of progress lines
   * @param curvePng also plot the learning curve here, or null
   * @param commandLine how this run was asked for, recorded in the artifact
   */
  public record Request(
      GladVariant variant,
      Path encoder,
      Path data,
      InteractionFormat format,
      Path out,
      int chunkSize,
      GladOptions options,
      GladTrainingConfig training,
      String device,
      int threads,
      double progressSeconds,
      Path curvePng,
      String commandLine) {}

  /** What was written. */
  public record Result(Path artifact, String modelVersion, int clusterCount) {}

  /** Trains and writes the artifact; see the class comment. */
  public static Result run(Request request, PrintStream out) {
    if (request.variant() == GladVariant.BERT4REC) {
      throw new IllegalArgumentException(
          "variant bert4rec is phase 1 (EncoderTraining), not a GLAD variant");
    }
    Path data = request.data();
    InteractionFormat format = Inputs.format(data, request.format());
    int threads = EngineSetup.configure(request.threads());
    Device device = Devices.resolve(request.device());

    ModelArtifact phase1 = ModelArtifact.load(request.encoder());
    int chunk = request.chunkSize() > 0 ? request.chunkSize() : phase1.encoderConfig().chunkSize();
    out.printf(Locale.ROOT, "Reading %s (%s)%n", data, format.name().toLowerCase(Locale.ROOT));
    UserSequences sequences = InteractionFileReader.read(data, format);
    LeaveOneOutSplit split = LeaveOneOutSplit.of(sequences, phase1.vocabulary());
    if (phase1.vocabulary().unknownLookups() > 0) {
      throw new IllegalArgumentException(
          data
              + " has "
              + phase1.vocabulary().unknownLookups()
              + " item ids the encoder "
              + request.encoder()
              + " does not know; train the encoder on the same data");
    }
    try (SequenceEncoder encoder = phase1.openEncoder(device)) {
      GladTrainer trainer =
          new GladTrainer(
              encoder.model(),
              chunk,
              request.variant(),
              request.options(),
              request.training(),
              split,
              phase1.vocabulary(),
              out,
              request.progressSeconds());
      out.printf(
          Locale.ROOT,
          "GLAD %s training from encoder %s: c = %d, %d examples/epoch, device %s, %d threads%n",
          request.variant().flag(),
          phase1.modelVersion(),
          chunk,
          trainer.examplesPerEpoch(),
          device,
          threads);
      GladTrainer.Result result = trainer.train();
      JsonObject meta = new JsonObject();
      meta.addProperty("dataFile", data.toAbsolutePath().normalize().toString());
      meta.addProperty(
          "encoderArtifact", request.encoder().toAbsolutePath().normalize().toString());
      meta.addProperty("encoderModelVersion", phase1.modelVersion());
      meta.add("settings", GSON.toJsonTree(request.training()));
      meta.addProperty("commandLine", request.commandLine());
      meta.addProperty("device", device.toString());
      meta.addProperty("threads", threads);
      meta.addProperty("trainingSeconds", result.trainingSeconds());
      meta.addProperty("examplesPerSecond", result.examplesPerSecond());
      meta.addProperty("bestEpoch", result.bestEpoch());
      meta.addProperty("stopReason", result.stopReason());
      meta.addProperty("finishedAt", Instant.now().toString());
      meta.add("curve", GSON.toJsonTree(result.curve()));
      ModelArtifact artifact;
      try (NDManager cpu = NDManager.newBaseManager(Device.cpu())) {
        artifact =
            GladArtifact.write(
                request.out(),
                result.config(),
                phase1.vocabulary(),
                encoder.model().copyParameters(cpu),
                result.head(),
                result.clusters(),
                meta,
                request.training().leakTarget() ? LEAK_REASON : null);
      }
      out.printf(
          Locale.ROOT,
          "Wrote GLAD %s model %s to %s (K = %d, best epoch %.2f, %s; %.0f s training, %.0f"
              + " examples/s)%n",
          request.variant().flag(),
          artifact.modelVersion(),
          artifact.directory(),
          result.config().clusterCount(),
          result.bestEpoch(),
          result.stopReason(),
          result.trainingSeconds(),
          result.examplesPerSecond());
      if (request.curvePng() != null) {
        LearningCurvePlot.write(
            result.curve(),
            request.curvePng(),
            "GLAD " + request.variant().flag() + " on " + data.getFileName());
        out.println("Wrote learning curve " + request.curvePng());
      }
      return new Result(
          artifact.directory(), artifact.modelVersion(), result.config().clusterCount());
    }
  }
}
