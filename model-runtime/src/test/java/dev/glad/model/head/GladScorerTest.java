package dev.glad.model.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.glad.model.data.ItemVocabulary;
import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.data.UserSequences;
import dev.glad.model.encoder.Bert4RecModel;
import dev.glad.model.encoder.EncoderConfig;
import dev.glad.model.encoder.SequenceEncoder;
import dev.glad.model.memory.GladConfig;
import dev.glad.model.memory.GladOptions;
import dev.glad.model.memory.GladOptions.AttentionNormalisation;
import dev.glad.model.memory.GladOptions.AttentiveLayer;
import dev.glad.model.memory.GladVariant;
import dev.glad.model.memory.GraphMemoryMath;
import dev.glad.model.memory.OfflineMemoryBuilder;
import dev.glad.model.train.TrainingMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Full ranking takes shortcuts (one user vector where the read does not depend on the target, item
 * slices for the attentive users); it must give the scores of scoring every item as a candidate.
 */
class GladScorerTest {
  private static final int C = 3;

  @ParameterizedTest
  @CsvSource({
    "GCA, SOFTMAX, SAGE",
    "GCA, DOT, SAGE",
    "GCA, SOFTMAX, READ",
    "GCA, DOT, READ",
    "GC, SOFTMAX, SAGE",
    "SHORT_TERM, SOFTMAX, SAGE"
  })
  void allItemScoresEqualCandidateScores(
      GladVariant variant, AttentionNormalisation attention, AttentiveLayer layer) {
    UserSequences data = sequences(24, 30, 4);
    List<String> items = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      items.add("i" + i);
    }
    ItemVocabulary vocabulary = ItemVocabulary.of(items);
    LeaveOneOutSplit split = LeaveOneOutSplit.of(data, vocabulary);
    GladOptions options =
        GladOptions.builder()
            .optClusteringFactor(2)
            .optAttention(attention)
            .optAttentiveLayer(layer)
            .build();
    EncoderConfig encoderConfig =
        EncoderConfig.builder()
            .setTokenCount(vocabulary.tokenCount())
            .optHiddenSize(8)
            .optHeads(2)
            .optLayers(1)
            .optMaxLength(8)
            .optChunkSize(C)
            .build();
    try (SequenceEncoder encoder =
            SequenceEncoder.owning(Bert4RecModel.create(encoderConfig, Device.cpu(), 3));
        NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      GladScorer scorer;
      if (variant.hasMemory()) {
        TrainingMemory memory =
            TrainingMemory.build(encoder, split, GladVariant.GCA, options, C, null, 1);
        GladConfig config = new GladConfig(encoderConfig, variant, memory.clusterCount(), options);
        GladHead head = GladHead.create(config, manager, 5);
        GraphMemoryMath math = GraphMemoryMath.of(options, head.toWeights(), encoder, vocabulary);
        OfflineMemoryBuilder builder =
            new OfflineMemoryBuilder(encoder, math, memory.clusterState(math), config);
        scorer = new GladScorer(encoder, head, builder, config, true);
      } else {
        scorer =
            new GladScorer(
                encoder, null, null, new GladConfig(encoderConfig, variant, 0, options), false);
      }
      scorer.sliceItems(7); // several slices, the last one partial
      int[][] inputs = new int[split.userCount()][];
      int[][] candidates = new int[inputs.length][vocabulary.tokenCount()];
      int multiNode = 0;
      for (int u = 0; u < inputs.length; u++) {
        inputs[u] = split.input(u, LeaveOneOutSplit.Target.TEST);
        for (int t = 0; t < vocabulary.tokenCount(); t++) {
          candidates[u][t] = t;
        }
      }
      if (variant.hasMemory()) {
        for (var m : scorer.memoriesOf(inputs)) {
          multiNode += m.clusterIds().length > 1 ? 1 : 0;
        }
        assertTrue(multiNode > 2, "users with several memory nodes: " + multiNode);
      }
      float[][] all = scorer.scoreAllTokens(inputs);
      float[][] asCandidates = scorer.scoreCandidates(inputs, candidates);
      for (int u = 0; u < inputs.length; u++) {
        assertArrayEquals(asCandidates[u], all[u], 1e-4f, "user " + u);
      }
    }
  }

  /** Users of 4 to 15 items (all evaluable, 0 to 4 complete chunks before the test target). */
  private static UserSequences sequences(int users, int items, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> ids = new ArrayList<>();
    List<List<String>> sequences = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      List<String> s = new ArrayList<>();
      int length = 4 + random.nextInt(12);
      for (int k = 0; k < length; k++) {
        s.add("i" + random.nextInt(items));
      }
      ids.add("u" + u);
      sequences.add(s);
    }
    return new UserSequences(ids, sequences);
  }
}
