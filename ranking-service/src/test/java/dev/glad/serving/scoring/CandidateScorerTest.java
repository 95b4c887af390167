package dev.glad.serving.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glad.model.data.ItemVocabulary;
import dev.glad.model.data.SpecialTokens;
import dev.glad.model.memory.GladOptions;
import dev.glad.model.memory.GladOptions.Aggregation;
import dev.glad.model.memory.GladOptions.AttentionNormalisation;
import dev.glad.model.memory.GladOptions.AttentiveLayer;
import dev.glad.model.memory.GladVariant;
import dev.glad.model.memory.GraphMemoryMath;
import dev.glad.model.memory.HeadActivation;
import dev.glad.model.memory.HeadWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The vectorised scorer gives, for every candidate, the numbers of {@link GraphMemoryMath}'s
 * per-item equations (the definition the stream and the offline model share), for every option.
 */
class CandidateScorerTest {
  private static final int E = 12;
  private static final int ITEMS = 40;
  private static final float TOLERANCE = 1e-5f;

  static Stream<Arguments> everyOption() {
    List<Arguments> out = new ArrayList<>();
    for (GladVariant variant : new GladVariant[] {GladVariant.GC, GladVariant.GCA}) {
      for (AttentionNormalisation attention : AttentionNormalisation.values()) {
        for (Aggregation aggregation : Aggregation.values()) {
          for (AttentiveLayer layer : AttentiveLayer.values()) {
            for (HeadActivation activation : HeadActivation.values()) {
              for (boolean itemBias : new boolean[] {true, false}) {
                out.add(
                    Arguments.of(
                        variant,
                        GladOptions.builder()
                            .optAttention(attention)
                            .optAggregation(aggregation)
                            .optAttentiveLayer(layer)
                            .optActivation(activation)
                            .optItemBias(itemBias)
                            .build()));
              }
            }
          }
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyOption")
  void everyCandidateScoresAsTheModelsPerItemEquations(GladVariant variant, GladOptions options) {
    // Given a random model and a user with three clusters
    SplittableRandom random = new SplittableRandom(7);
    GraphMemoryMath math = randomMath(options, random);
    ItemTable items = new ItemTable(math, vocabulary(), E);
    CandidateScorer scorer = new CandidateScorer(math, variant, items);
    float[] zU = vector(random);
    float[] hU0 = vector(random);
    int[] ids = {2, 5, 9};
    int[] weights = {3, 1, 2};
    float[][] centroids = {vector(random), vector(random), vector(random)};
    float[][] hidden = {vector(random), vector(random), vector(random)};
    int[] candidates = new int[ITEMS];
    for (int t = 0; t < ITEMS; t++) {
      candidates[t] = SpecialTokens.FIRST_ITEM + t;
    }

    // When every candidate is scored at once
    float[] scores = new float[ITEMS];
    float[] gates = new float[ITEMS];
    scorer.score(
        scorer.userSide(zU, new CandidateScorer.Memory(hU0, ids, weights, centroids, hidden)),
        candidates,
        scores,
        gates);

    // Then each equals GraphMemoryMath's score of that item, and the gate its mean g
    float[] hU1 = math.userHidden(hU0, ids, weights, centroids);
    float[] longTerm = math.userLongTerm(hU1, weights, hidden);
    for (int t = 0; t < ITEMS; t++) {
      float expected = math.scoreItem(variant, zU, hU1, weights, hidden, longTerm, candidates[t]);
      assertThat(scores[t]).as("score of candidate %d", t).isCloseTo(expected, within(expected));
      float[] hT = math.itemEmbedding(candidates[t]);
      float[] hUT =
          variant.attentive() ? math.attentiveLongTerm(hU1, hT, weights, hidden) : longTerm;
      float meanGate = mean(math.gate(zU, hUT));
      assertThat(gates[t]).as("gate of candidate %d", t).isCloseTo(meanGate, within(meanGate));
    }
  }

  @Test
  void withoutMemoryTheScoreIsTheShortTermOneWithGateOne() {
    SplittableRandom random = new SplittableRandom(3);
    GraphMemoryMath math = randomMath(GladOptions.builder().build(), random);
    CandidateScorer scorer =
        new CandidateScorer(math, GladVariant.GCA, new ItemTable(math, vocabulary(), E));
    float[] zU = vector(random);
    int[] candidates = {SpecialTokens.FIRST_ITEM, SpecialTokens.FIRST_ITEM + 7, -1};
    float[] scores = new float[3];
    float[] gates = new float[3];

    scorer.score(scorer.userSide(zU, null), candidates, scores, gates);

    for (int t = 0; t < 2; t++) {
      float expected =
          math.scoreItem(
              GladVariant.GCA, zU, null, new int[0], new float[0][], null, candidates[t]);
      assertThat(scores[t]).isCloseTo(expected, within(expected));
      assertThat(gates[t]).isEqualTo(1f);
    }
    assertThat(scores[2]).as("an unknown candidate has no score").isNaN();
    assertThat(gates[2]).isNaN();
  }

  @Test
  void popularityIsTheArtifactsOutputBias() {
    SplittableRandom random = new SplittableRandom(4);
    GraphMemoryMath math = randomMath(GladOptions.builder().build(), random);
    CandidateScorer scorer =
        new CandidateScorer(math, GladVariant.GCA, new ItemTable(math, vocabulary(), E));
    float[] scores = new float[2];

    scorer.popularity(new int[] {SpecialTokens.FIRST_ITEM + 3, -1}, scores);

    assertThat(scores[0]).isEqualTo(math.itemBias("i3"));
    assertThat(scores[1]).isNaN();
  }

  private static org.assertj.core.data.Offset<Float> within(float expected) {
    return org.assertj.core.data.Offset.offset(TOLERANCE * Math.max(1f, Math.abs(expected)));
  }

  static ItemVocabulary vocabulary() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      ids.add("i" + i);
    }
    return ItemVocabulary.of(ids);
  }

  static GraphMemoryMath randomMath(GladOptions options, SplittableRandom random) {
    ItemVocabulary vocabulary = vocabulary();
    float[][] table = new float[vocabulary.tokenCount()][];
    float[] biases = new float[vocabulary.tokenCount()];
    for (int t = 0; t < table.length; t++) {
      table[t] = vector(random);
      biases[t] = (float) random.nextGaussian();
    }
    HeadWeights head =
        new HeadWeights(
            matrix(random, E, 2 * E),
            vector(random),
            matrix(random, E, 2 * E),
            vector(random),
            matrix(random, E, 2 * E),
            vector(random),
            matrix(random, E, E),
            matrix(random, E, E),
            vector(random));
    return new GraphMemoryMath(options, head, table, biases, vocabulary);
  }

  static float[] vector(SplittableRandom random) {
    float[] v = new float[E];
    for (int i = 0; i < E; i++) {
      v[i] = (float) (random.nextGaussian() * 0.5);
    }
    return v;
  }

  private static float[][] matrix(SplittableRandom random, int rows, int columns) {
    float[][] m = new float[rows][columns];
    double scale = 1 / Math.sqrt(columns);
    for (float[] row : m) {
      for (int i = 0; i < columns; i++) {
        row[i] = (float) (random.nextGaussian() * scale);
      }
    }
    return m;
  }

  private static float mean(float[] g) {
    double s = 0;
    for (float v : g) {
      s += v;
    }
    return (float) (s / g.length);
  }
}
