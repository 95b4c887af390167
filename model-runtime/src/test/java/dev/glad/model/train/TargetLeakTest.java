package dev.glad.model.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.encoder.SequenceEncoder;
import dev.glad.model.eval.Evaluator;
import dev.glad.model.eval.NegativeProtocol;
import dev.glad.model.head.GladHead;
import dev.glad.model.head.GladScorer;
import dev.glad.model.memory.GladVariant;
import dev.glad.model.memory.GraphMemoryMath;
import dev.glad.model.memory.OfflineMemoryBuilder;
import org.junit.jupiter.api.Test;

/**
 * The analysis-only target leak is wired end to end: on random sequences (nothing to learn), a GCA
 * trained and evaluated with a memory node made from the target's chunk ranks the target far above
 * chance, and the same model evaluated without the leak falls back.
 */
class TargetLeakTest {
  @Test
  void aMemoryHoldingTheTargetFindsIt() {
    TinyGlad tiny = new TinyGlad(80, 150, 9);
    try (SequenceEncoder encoder = tiny.encoder;
        NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      // item embeddings on the scale of a trained encoder's (initialisation: std 0.02)
      encoder.model().parameters().get("tokenEmbedding").getArray().muli(30f);
      GladTrainingConfig config =
          GladTrainingConfig.builder()
              .optEpochs(12)
              .optBatchSize(32)
              .optLearningRate(5e-3f)
              .optEncoderLearningRateScale(1f)
              .optNegatives(20)
              .optEvalUsers(-1)
              .optSeed(2)
              .optLeakTarget(true)
              .build();
      GladTrainer.Result result = tiny.trainer(GladVariant.GCA, config).train();
      GraphMemoryMath math =
          GraphMemoryMath.of(tiny.options, result.head(), encoder, tiny.vocabulary);
      GladScorer scorer =
          new GladScorer(
              encoder,
              GladHead.fromWeights(result.config(), manager, result.head()),
              new OfflineMemoryBuilder(encoder, math, result.clusters(), result.config()),
              result.config(),
              true);
      Evaluator evaluator = new Evaluator(tiny.split, LeaveOneOutSplit.Target.TEST, 3, 64, 0);
      scorer.leakTarget(true);
      double leaked = evaluator.evaluate(scorer, NegativeProtocol.UNIFORM, d -> {}).get("HR@1");
      scorer.leakTarget(false);
      double honest = evaluator.evaluate(scorer, NegativeProtocol.UNIFORM, d -> {}).get("HR@1");
      // chance is 1/101
      assertTrue(leaked > 0.25, "HR@1 with the leak " + leaked);
      assertTrue(leaked > honest + 0.15, "with the leak " + leaked + ", without " + honest);
    }
  }
}
