package dev.glad.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glad.model.data.ItemVocabulary;
import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.data.SpecialTokens;
import dev.glad.model.data.UserSequences;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EvaluatorTest {
  private static final double TOLERANCE = 1e-6;

  /** Scores every item by its own index: a fixed, fully known ranking. */
  private static final Scorer BY_INDEX =
      new Scorer() {
        @Override
        public float[][] scoreCandidates(int[][] inputs, int[][] candidates) {
          float[][] out = new float[candidates.length][];
          for (int r = 0; r < candidates.length; r++) {
            out[r] = new float[candidates[r].length];
            for (int j = 0; j < out[r].length; j++) {
              out[r][j] = candidates[r][j];
            }
          }
          return out;
        }

        @Override
        public float[][] scoreAllTokens(int[][] inputs) {
          float[][] out = new float[inputs.length][11];
          for (float[] row : out) {
            for (int j = 0; j < row.length; j++) {
              row[j] = j;
            }
          }
          return out;
        }
      };

  @Test
  void fullRankingMatchesHandComputedRanks() {
    // a=3 b=4 c=5 d=6 e=7 f=8 g=9 h=10
    UserSequences data =
        new UserSequences(
            List.of("u0", "u1", "u2"),
            List.of(List.of("a", "b", "c", "d"), List.of("e", "f", "g"), List.of("h", "a", "b")));
    LeaveOneOutSplit split = LeaveOneOutSplit.of(data, ItemVocabulary.fromSequences(data));
    Evaluator evaluator = new Evaluator(split, LeaveOneOutSplit.Target.TEST, 1, 2, 0);
    Map<String, Double> m = evaluator.evaluate(BY_INDEX, NegativeProtocol.ALL, d -> {}).metrics();
    // u0: target d=6, unseen higher items 7,8,9,10 -> rank 4
    // u1: target g=9, unseen higher item 10 -> rank 1
    // u2: target b=4, seen h=10 and a=3 removed, higher unseen 5..9 -> rank 5
    assertEquals(0.0, m.get("HR@1"), TOLERANCE);
    assertEquals(2.0 / 3, m.get("HR@5"), TOLERANCE);
    assertEquals(1.0, m.get("HR@10"), TOLERANCE);
    assertEquals((1 / log2(6) + 1 / log2(3)) / 3, m.get("NDCG@5"), TOLERANCE);
    assertEquals((1 / log2(6) + 1 / log2(3) + 1 / log2(7)) / 3, m.get("NDCG@10"), TOLERANCE);
    assertEquals((1 / 5.0 + 1 / 2.0 + 1 / 6.0) / 3, m.get("MRR"), TOLERANCE);
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  private static LeaveOneOutSplit randomData(int users, int items, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> ids = new ArrayList<>();
    List<List<String>> sequences = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      List<String> s = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        // skewed popularity: squaring a uniform favours low ids
        double x = random.nextDouble();
        s.add("i" + (int) (x * x * items));
      }
      ids.add("u" + u);
      sequences.add(s);
    }
    UserSequences data = new UserSequences(ids, sequences);
    return LeaveOneOutSplit.of(data, ItemVocabulary.fromSequences(data));
  }

  @Test
  void sanityRulesHoldForEveryProtocolAndBaseline() {
    LeaveOneOutSplit split = randomData(1500, 400, 2);
    Evaluator evaluator = new Evaluator(split, LeaveOneOutSplit.Target.TEST, 3, 128, 0);
    List<Scorer> scorers =
        List.of(
            Scorers.random(split.tokenCount(), 4),
            Scorers.popularity(split.itemCountsBefore(LeaveOneOutSplit.Target.TEST)));
    for (Scorer scorer : scorers) {
      for (NegativeProtocol protocol : NegativeProtocol.values()) {
        Map<String, Double> m = evaluator.evaluate(scorer, protocol, d -> {}).metrics();
        String where = protocol + " " + m;
        assertTrue(m.get("HR@1") <= m.get("HR@5") && m.get("HR@5") <= m.get("HR@10"), where);
        assertEquals(m.get("HR@1"), m.get("NDCG@1"), TOLERANCE, where);
        for (int k : new int[] {1, 5, 10}) {
          assertTrue(m.get("NDCG@" + k) <= m.get("HR@" + k) + TOLERANCE, where);
        }
        assertTrue(m.get("MRR@10") <= m.get("NDCG@10") + TOLERANCE, where);
        assertTrue(m.get("MRR@10") <= m.get("MRR") + TOLERANCE, where);
      }
    }
  }

  @Test
  void randomRankerMatchesTheExpectedValuesOver101Candidates() {
    LeaveOneOutSplit split = randomData(4000, 400, 5);
    Evaluator evaluator = new Evaluator(split, LeaveOneOutSplit.Target.TEST, 6, 256, 0);
    Map<String, Double> m =
        evaluator
            .evaluate(Scorers.random(split.tokenCount(), 7), NegativeProtocol.UNIFORM, d -> {})
            .metrics();
    // Uniform rank over 101 places: HR@10 = 10/101 = 0.0990, NDCG@10 = 0.0450 (README), with
    // about 4000 users the standard error of HR@10 is 0.0047; allow 4 of them.
    assertEquals(0.0990, m.get("HR@10"), 0.019);
    assertEquals(0.0450, m.get("NDCG@10"), 0.010);
    assertEquals(0.0099, m.get("HR@1"), 0.007);
  }

  @Test
  void sameSeedGivesSameCandidatesForDifferentScorers() {
    LeaveOneOutSplit split = randomData(300, 400, 8);
    List<int[]> seenByA = new ArrayList<>();
    List<int[]> seenByB = new ArrayList<>();
    Evaluator evaluator = new Evaluator(split, LeaveOneOutSplit.Target.TEST, 9, 50, 0);
    evaluator.evaluate(recording(seenByA), NegativeProtocol.POPULARITY, d -> {});
    evaluator.evaluate(recording(seenByB), NegativeProtocol.POPULARITY, d -> {});
    assertEquals(seenByA.size(), seenByB.size());
    for (int i = 0; i < seenByA.size(); i++) {
      assertTrue(java.util.Arrays.equals(seenByA.get(i), seenByB.get(i)));
    }
  }

  private static Scorer recording(List<int[]> sink) {
    return new Scorer() {
      @Override
      public float[][] scoreCandidates(int[][] inputs, int[][] candidates) {
        for (int[] c : candidates) {
          sink.add(c.clone());
        }
        return new float[candidates.length][candidates[0].length];
      }

      @Override
      public float[][] scoreAllTokens(int[][] inputs) {
        throw new UnsupportedOperationException();
      }
    };
  }

  @Test
  void negativesAreDistinctUnseenAndFollowPopularity() {
    long[] counts = new long[SpecialTokens.FIRST_ITEM + 200];
    for (int i = SpecialTokens.FIRST_ITEM; i < counts.length; i++) {
      counts[i] = i < SpecialTokens.FIRST_ITEM + 10 ? 100 : 1; // 10 popular items
    }
    counts[SpecialTokens.FIRST_ITEM + 50] = 0; // never drawn
    int[] userItems = {SpecialTokens.FIRST_ITEM, SpecialTokens.FIRST_ITEM + 1};
    SplittableRandom random = new SplittableRandom(10);
    int popularDraws = 0;
    for (int trial = 0; trial < 50; trial++) {
      int[] negatives = NegativeSampler.popularity(counts).sample(userItems, 100, random);
      Set<Integer> distinct = new HashSet<>();
      for (int n : negatives) {
        assertTrue(distinct.add(n), "duplicate " + n);
        assertTrue(n >= SpecialTokens.FIRST_ITEM + 2 && n != SpecialTokens.FIRST_ITEM + 50);
        popularDraws += n < SpecialTokens.FIRST_ITEM + 10 ? 1 : 0;
      }
    }
    // All 8 unseen popular items are drawn nearly every time (weight 800 of 989).
    assertTrue(popularDraws > 50 * 7, "popular items drawn " + popularDraws);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> NegativeSampler.uniform(20).sample(new int[0], 100, random));
    assertEquals("only 17 items are eligible as negatives but 100 were asked", e.getMessage());
  }
}
