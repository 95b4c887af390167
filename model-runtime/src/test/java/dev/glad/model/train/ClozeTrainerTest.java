package dev.glad.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.data.UserSequences;
import dev.glad.model.encoder.EncoderConfig;
import dev.glad.model.encoder.SequenceEncoder;
import dev.glad.model.eval.EvaluationResult;
import dev.glad.model.eval.Evaluator;
import dev.glad.model.eval.NegativeProtocol;
import dev.glad.model.eval.Scorers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClozeTrainerTest {
  private static final UserSequences DATA = PlantedPattern.sequences(150, 20, 10, 3);
  private static final LeaveOneOutSplit SPLIT = PlantedPattern.split(DATA);
  private static final PrintStream QUIET =
      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

  private static EncoderConfig encoder() {
    return EncoderConfig.builder()
        .setTokenCount(SPLIT.tokenCount())
        .optHiddenSize(32)
        .optLayers(1)
        .optHeads(2)
        .optMaxLength(11)
        .optChunkSize(4)
        .optHiddenDropout(0.1f)
        .optAttentionDropout(0.1f)
        .build();
  }

  private static TrainingConfig.Builder training() {
    return TrainingConfig.builder()
        .optEpochs(20)
        .optBatchSize(32)
        .optLearningRate(1e-2f)
        .optMaskProbability(0.3f)
        .optEvalUsers(-1)
        .optSeed(5);
  }

  @Test
  void trainingLowersLossAndBeatsPopularityOnAPlantedPattern() {
    // Given a cyclic item pattern with flat popularity
    ClozeTrainer trainer =
        new ClozeTrainer(encoder(), training().build(), SPLIT, Device.cpu(), null, QUIET, 60);
    // When the encoder is Cloze-trained
    TrainingResult result = trainer.train();
    try (SequenceEncoder encoder = SequenceEncoder.owning(result.model())) {
      // Then the loss falls by more than 40%
      double first = result.curve().get(0).trainLoss();
      double last = result.curve().get(result.curve().size() - 1).trainLoss();
      assertTrue(last < 0.6 * first, "loss " + first + " -> " + last);
      // And full-ranking HR@1 beats the popularity baseline by a wide margin
      Evaluator evaluator = new Evaluator(SPLIT, LeaveOneOutSplit.Target.TEST, 1, 64, 0);
      EvaluationResult model =
          evaluator.evaluate(Scorers.model(encoder), NegativeProtocol.ALL, d -> {});
      EvaluationResult popularity =
          evaluator.evaluate(
              Scorers.popularity(SPLIT.itemCountsBefore(LeaveOneOutSplit.Target.TEST)),
              NegativeProtocol.ALL,
              d -> {});
      assertTrue(
          model.get("HR@1") > popularity.get("HR@1") + 0.4,
          "model HR@1 " + model.get("HR@1") + " vs popularity " + popularity.get("HR@1"));
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(
      value = SoftmaxMode.class,
      names = {"SAMPLED", "MIXED"})
  void sampledSoftmaxAlsoLearns(SoftmaxMode mode) {
    TrainingConfig config =
        training().optSoftmax(mode).optSampledNegatives(8).optEpochs(20).build();
    TrainingResult result =
        new ClozeTrainer(encoder(), config, SPLIT, Device.cpu(), null, QUIET, 60).train();
    result.model().close();
    double first = result.curve().get(0).trainLoss();
    double last = result.curve().get(result.curve().size() - 1).trainLoss();
    assertTrue(last < 0.8 * first, "loss " + first + " -> " + last);
  }

  @Test
  void resumedRunEqualsUninterruptedRun(@TempDir Path dir) {
    TrainingConfig config = training().optEpochs(3).build();
    float[] uninterrupted;
    TrainingResult straight =
        new ClozeTrainer(encoder(), config, SPLIT, Device.cpu(), null, QUIET, 60).train();
    try (var model = straight.model()) {
      uninterrupted = model.parameters().get("01layer0_qkvWeight").getArray().toFloatArray();
    }
    // Interrupted after 13 of 30 steps (mid-epoch), then resumed by a fresh trainer.
    ClozeTrainer first = new ClozeTrainer(encoder(), config, SPLIT, Device.cpu(), dir, QUIET, 60);
    first.interruptAfterSteps(13);
    first.train().model().close();
    TrainingResult resumed =
        new ClozeTrainer(encoder(), config, SPLIT, Device.cpu(), dir, QUIET, 60).train();
    try (var model = resumed.model()) {
      float[] after = model.parameters().get("01layer0_qkvWeight").getArray().toFloatArray();
      assertArrayEquals(uninterrupted, after, 1e-6f);
    }
    assertEquals(3, resumed.curve().size());
  }

  @Test
  void withValidationItemTrainsOnEverythingButTheTestTarget() {
    // Given the same data with and without the validation item in training
    ClozeTrainer plain =
        new ClozeTrainer(encoder(), training().build(), SPLIT, Device.cpu(), null, QUIET, 60);
    ClozeTrainer withValidation =
        new ClozeTrainer(
            encoder(),
            training().optWithValidationItem(true).build(),
            SPLIT,
            Device.cpu(),
            null,
            QUIET,
            60);
    // Then each user's windows are cut from all items but the test target (validation included)
    java.util.List<int[]> expected = new java.util.ArrayList<>();
    java.util.List<int[]> expectedPlain = new java.util.ArrayList<>();
    for (int u = 0; u < SPLIT.userCount(); u++) {
      int[] all = SPLIT.fullSequence(u);
      int[] items = SPLIT.isEvaluable(u) ? java.util.Arrays.copyOf(all, all.length - 1) : all;
      expected.addAll(ClozeMasking.windows(items, encoder().maxLength()));
      expectedPlain.addAll(ClozeMasking.windows(SPLIT.trainingItems(u), encoder().maxLength()));
    }
    assertWindowsEqual(expected, withValidation.windows());
    assertWindowsEqual(expectedPlain, plain.windows());
    // And validating such a model is refused (it would score items it trained on)
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> training().optWithValidationItem(true).optEvalUsers(0).build());
    assertTrue(e.getMessage().contains("needs evalUsers = -1"), e.getMessage());
  }

  private static void assertWindowsEqual(
      java.util.List<int[]> expected, java.util.List<int[]> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), "window " + i);
    }
  }

  @Test
  void aTransientNonFiniteGradientIsRecomputedAndTheRunEqualsACleanOne() {
    TrainingConfig config = training().optEpochs(2).build();
    float[] clean;
    try (var model =
        new ClozeTrainer(encoder(), config, SPLIT, Device.cpu(), null, QUIET, 60).train().model()) {
      clean = model.parameters().get("01layer0_qkvWeight").getArray().toFloatArray();
    }
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    ClozeTrainer faulty =
        new ClozeTrainer(
            encoder(),
            config,
            SPLIT,
            Device.cpu(),
            null,
            new PrintStream(log, true, StandardCharsets.UTF_8),
            60);
    faulty.corruptGradientOnce(7);
    try (var model = faulty.train().model()) {
      assertArrayEquals(
          clean, model.parameters().get("01layer0_qkvWeight").getArray().toFloatArray(), 0f);
    }
    String printed = log.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("step 7, attempt 1: gradient norm NaN"), printed);
    assertTrue(!printed.contains("skipped"), printed);
  }

  @Test
  void checkpointOfAnotherConfigurationIsRefused(@TempDir Path dir) {
    ClozeTrainer first =
        new ClozeTrainer(
            encoder(), training().optEpochs(2).build(), SPLIT, Device.cpu(), dir, QUIET, 60);
    first.interruptAfterSteps(2);
    first.train().model().close();
    ClozeTrainer other =
        new ClozeTrainer(
            encoder(),
            training().optEpochs(2).optSeed(6).build(),
            SPLIT,
            Device.cpu(),
            dir,
            QUIET,
            60);
    IllegalStateException e = assertThrows(IllegalStateException.class, other::train);
    assertTrue(
        e.getMessage().contains("was written for a different configuration or data set"),
        e.getMessage());
  }

  @Test
  void batchesCoverEverySampleOnceAndAreDeterministic() {
    ClozeTrainer trainer =
        new ClozeTrainer(encoder(), training().build(), SPLIT, Device.cpu(), null, QUIET, 60);
    var a = trainer.planBatches(0);
    var b = trainer.planBatches(0);
    var c = trainer.planBatches(1);
    boolean[] seen = new boolean[trainer.samplesPerEpoch()];
    int total = 0;
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(a.get(i), b.get(i));
      for (int id : a.get(i)) {
        assertTrue(!seen[id], "sample " + id + " twice");
        seen[id] = true;
        total++;
      }
    }
    assertEquals(trainer.samplesPerEpoch(), total);
    assertEquals(trainer.stepsPerEpoch(), a.size());
    assertTrue(!java.util.Arrays.equals(a.get(0), c.get(0)), "epochs are shuffled differently");
  }
}
