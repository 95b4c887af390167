package dev.glad.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.glad.model.encoder.Bert4RecModel;
import dev.glad.model.encoder.SequenceEncoder;
import dev.glad.model.memory.GladVariant;
import org.junit.jupiter.api.Test;

class GladTrainerTest {

  @Test
  void theSameSeedGivesTheSameModel() {
    float[][] first = trainOnce(-1);
    float[][] second = trainOnce(-1);
    for (int i = 0; i < first.length; i++) {
      assertArrayEquals(first[i], second[i], 0f, "array " + i);
    }
  }

  @Test
  void aTransientNonFiniteGradientIsRecomputedAndTheRunEqualsACleanOne() {
    float[][] clean = trainOnce(-1);
    float[][] recomputed = trainOnce(5);
    for (int i = 0; i < clean.length; i++) {
      assertArrayEquals(clean[i], recomputed[i], 0f, "array " + i);
    }
  }

  /** Head weights, the encoder's first layer and the centroids after a short GCA run. */
  private static float[][] trainOnce(long corruptStep) {
    TinyGlad tiny = new TinyGlad(60, 150, 7);
    try (SequenceEncoder encoder = tiny.encoder;
        NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      GladTrainingConfig config =
          GladTrainingConfig.builder()
              .optEpochs(3)
              .optBatchSize(16)
              .optNegatives(10)
              .optEvalUsers(0)
              .optSeed(3)
              .build();
      Bert4RecModel model = encoder.model();
      GladTrainer trainer = tiny.trainer(GladVariant.GCA, config);
      trainer.corruptGradientOnce(corruptStep);
      GladTrainer.Result result = trainer.train();
      return new float[][] {
        result.head().gateBias(),
        result.head().userLayer2()[0],
        result.clusters().centroids()[0],
        model.parameters().get("01layer0_qkvWeight").getArray().toFloatArray()
      };
    }
  }
}
