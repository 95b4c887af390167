package dev.glad.model.workflow;

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
import dev.glad.model.encoder.EngineSetup;
import dev.glad.model.train.ClozeTrainer;
import dev.glad.model.train.LearningCurvePlot;
import dev.glad.model.train.TrainingConfig;
import dev.glad.model.train.TrainingResult;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * Phase 1 as one call: read an interaction file, build the vocabulary and the leave-one-out split,
 * Cloze-train the Bert4Rec encoder (resuming from checkpoints), and write the model artifact. The
 * command line ({@code glad train}) and the demo call this; it prints progress to {@code out}.
 */
public final class EncoderTraining {
  private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

  private EncoderTraining() {}

  /**
   * What to train.
   *
   * @param data interaction file
   * @param format its format, or null to infer it from the file name
   * @param out the artifact directory to write
   * @param encoder the encoder's shape; its token count is set from the data's vocabulary
   * @param training the Cloze training settings
   * @param checkpointDir where checkpoints go (a rerun resumes), or null for {@code out.checkpoint}
   * @param device {@code auto|cpu|gpu|gpu:N}
   * @param threads PyTorch intra-op threads, 0 for all cores
   * @param progressSeconds interval of progress lines
   * @param curvePng also plot the learning curve here, or null
   * @param commandLine how this run was asked for, recorded in the artifact
   */
  public record Request(
      Path data,
      InteractionFormat format,
      Path out,
      EncoderConfig.Builder encoder,
      TrainingConfig training,
      Path checkpointDir,
      String device,
      int threads,
      double progressSeconds,
      Path curvePng,
      String commandLine) {}

  /** What was written. */
  public record Result(Path artifact, String modelVersion, TrainingResult summary) {}

  /** Trains and writes the artifact; see the class comment. */
  public static Result run(Request request, PrintStream out) {
    Path data = request.data();
    InteractionFormat format = Inputs.format(data, request.format());
    TrainingConfig training = request.training();
    Path checkpointDir =
        request.checkpointDir() != null
            ? request.checkpointDir()
            : Path.of(request.out().toAbsolutePath().normalize() + ".checkpoint");
    int threads = EngineSetup.configure(request.threads());

    out.printf(Locale.ROOT, "Reading %s (%s)%n", data, format.name().toLowerCase(Locale.ROOT));
    UserSequences sequences = InteractionFileReader.read(data, format);
    ItemVocabulary vocabulary = ItemVocabulary.fromSequences(sequences);
    LeaveOneOutSplit split = LeaveOneOutSplit.of(sequences, vocabulary);
    EncoderConfig encoder = request.encoder().setTokenCount(vocabulary.tokenCount()).build();
    Device device = Devices.resolve(request.device());
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
            encoder, training, split, device, checkpointDir, out, request.progressSeconds());
    out.printf(
        Locale.ROOT,
        "%d samples/epoch, %d steps/epoch, %s softmax; checkpoints in %s%n",
        trainer.samplesPerEpoch(),
        trainer.stepsPerEpoch(),
        training.softmax().name().toLowerCase(Locale.ROOT),
        checkpointDir);
    TrainingResult result = trainer.train();
    ModelArtifact artifact;
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
      meta.addProperty("commandLine", request.commandLine());
      meta.addProperty("device", device.toString());
      meta.addProperty("threads", threads);
      meta.addProperty("trainingSeconds", result.trainingSeconds());
      meta.addProperty("samplesPerSecond", result.samplesPerSecond());
      meta.addProperty("bestEpoch", result.bestEpoch());
      meta.addProperty("stopReason", result.stopReason());
      meta.addProperty("finishedAt", Instant.now().toString());
      meta.add("curve", GSON.toJsonTree(result.curve()));
      artifact =
          ModelArtifact.write(
              request.out(),
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
    if (request.curvePng() != null) {
      LearningCurvePlot.write(
          result.curve(), request.curvePng(), "Bert4Rec on " + data.getFileName());
      out.println("Wrote learning curve " + request.curvePng());
    }
    return new Result(artifact.directory(), artifact.modelVersion(), result);
  }
}
