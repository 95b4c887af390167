package dev.glad.model.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.glad.model.data.ItemVocabulary;
import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.data.UserSequences;
import dev.glad.model.encoder.Bert4RecModel;
import dev.glad.model.encoder.EncoderConfig;
import dev.glad.model.encoder.SequenceEncoder;
import dev.glad.model.eval.Evaluator;
import dev.glad.model.eval.NegativeProtocol;
import dev.glad.model.head.GladHead;
import dev.glad.model.head.GladScorer;
import dev.glad.model.memory.GladOptions;
import dev.glad.model.memory.GladVariant;
import dev.glad.model.memory.GraphMemoryMath;
import dev.glad.model.memory.OfflineMemoryBuilder;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A planted long-term interest: every user has an interest group of items, and its history
 * alternates a chunk of c group items with a chunk of c random noise items. The test target is a
 * group item right after a noise chunk, so the short-term window (the last c items) holds only
 * noise: which group comes next is known only from the earlier chunks, i.e. from the memory. Tiny
 * GCA must beat the same encoder trained the same way without memory (variant S, our Bert4Rec on
 * the last c items) in full ranking, seen items removed.
 */
class PlantedLongTermInterestTest {
  private static final int C = 4;
  private static final int GROUPS = 10;
  private static final int GROUP_SIZE = 3;
  private static final int NOISE = 60;

  @Test
  void tinyGcaBeatsTheShortTermModelOnPlantedLongTermInterests() {
    UserSequences data = planted(100, 9);
    List<String> items = new ArrayList<>();
    for (int i = 0; i < GROUPS * GROUP_SIZE; i++) {
      items.add("g" + i);
    }
    for (int i = 0; i < NOISE; i++) {
      items.add("n" + i);
    }
    ItemVocabulary vocabulary = ItemVocabulary.of(items);
    LeaveOneOutSplit split = LeaveOneOutSplit.of(data, vocabulary);
    double shortTerm = trainAndEvaluate(GladVariant.SHORT_TERM, split, vocabulary);
    double gca = trainAndEvaluate(GladVariant.GCA, split, vocabulary);
    assertTrue(
        gca > shortTerm + 0.15,
        "GCA HR@10 " + gca + " should beat the short-term model's " + shortTerm + " by 0.15");
  }

  private static double trainAndEvaluate(
      GladVariant variant, LeaveOneOutSplit split, ItemVocabulary vocabulary) {
    EncoderConfig encoderConfig =
        EncoderConfig.builder()
            .setTokenCount(vocabulary.tokenCount())
            .optHiddenSize(16)
            .optHeads(2)
            .optLayers(1)
            .optMaxLength(C + 1)
            .optChunkSize(C)
            .optHiddenDropout(0.1f)
            .optAttentionDropout(0.1f)
            .build();
    GladOptions options = GladOptions.builder().optClusteringFactor(3).build();
    GladTrainingConfig config =
        GladTrainingConfig.builder()
            .optEpochs(16)
            .optBatchSize(64)
            .optLearningRate(5e-3f)
            .optEncoderLearningRateScale(1f)
            .optNegatives(20)
            .optEvalUsers(-1)
            .optSeed(1)
            .build();
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    try (SequenceEncoder encoder =
            SequenceEncoder.owning(Bert4RecModel.create(encoderConfig, Device.cpu(), 1));
        NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      GladTrainer.Result result =
          new GladTrainer(
                  encoder.model(), C, variant, options, config, split, vocabulary, quiet, 1e9)
              .train();
      GladScorer scorer;
      if (variant.hasMemory()) {
        var math = GraphMemoryMath.of(options, result.head(), encoder, vocabulary);
        scorer =
            new GladScorer(
                encoder,
                GladHead.fromWeights(result.config(), manager, result.head()),
                new OfflineMemoryBuilder(encoder, math, result.clusters(), result.config()),
                result.config(),
                true);
      } else {
        scorer = new GladScorer(encoder, null, null, result.config(), false);
      }
      return new Evaluator(split, LeaveOneOutSplit.Target.TEST, 3, 128, 0)
          .evaluate(scorer, NegativeProtocol.ALL, done -> {})
          .get("HR@10");
    }
  }

  /** [group x c][noise x c] three times, then a noise item (validation) and a group item (test). */
  static UserSequences planted(int users, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> ids = new ArrayList<>();
    List<List<String>> sequences = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      int group = u % GROUPS;
      List<String> s = new ArrayList<>();
      for (int rep = 0; rep < 3; rep++) {
        for (int k = 0; k < C; k++) {
          s.add("g" + (group * GROUP_SIZE + random.nextInt(GROUP_SIZE)));
        }
        for (int k = 0; k < C; k++) {
          s.add("n" + random.nextInt(NOISE));
        }
      }
      s.add("n" + random.nextInt(NOISE));
      s.add("g" + (group * GROUP_SIZE + random.nextInt(GROUP_SIZE)));
      ids.add("u" + u);
      sequences.add(s);
    }
    return new UserSequences(ids, sequences);
  }
}
