package dev.glad.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RankingMetricsTest {
  private static final double TOLERANCE = 1e-6;

  @Test
  void standardErrorsAreTheSampleDeviationOverRootN() {
    RankingMetrics metrics = new RankingMetrics();
    for (int rank : new int[] {0, 1, 4, 9, 10}) {
      metrics.add(rank);
    }
    // HR@5 values 1,1,1,0,0: mean 0.6, sample variance 0.3, SE sqrt(0.3 / 5)
    assertEquals(Math.sqrt(0.3 / 5), metrics.standardErrors().get("HR@5"), TOLERANCE);
    // MRR values 1, 1/2, 1/5, 1/10, 1/11
    double[] rr = {1, 0.5, 0.2, 0.1, 1 / 11.0};
    double mean = java.util.Arrays.stream(rr).average().orElseThrow();
    double variance = java.util.Arrays.stream(rr).map(x -> (x - mean) * (x - mean)).sum() / 4;
    assertEquals(Math.sqrt(variance / 5), metrics.standardErrors().get("MRR"), TOLERANCE);
  }

  @Test
  void meansMatchHandComputedValues() {
    RankingMetrics metrics = new RankingMetrics();
    for (int rank : new int[] {0, 1, 4, 9, 10}) {
      metrics.add(rank);
    }
    Map<String, Double> m = metrics.means();
    assertEquals(0.2, m.get("HR@1"), TOLERANCE);
    assertEquals(0.6, m.get("HR@5"), TOLERANCE);
    assertEquals(0.8, m.get("HR@10"), TOLERANCE);
    assertEquals(0.2, m.get("NDCG@1"), TOLERANCE);
    // (1 + 1/log2(3) + 1/log2(6)) / 5
    assertEquals(0.4035565, m.get("NDCG@5"), TOLERANCE);
    // (1 + 1/log2(3) + 1/log2(6) + 1/log2(11)) / 5
    assertEquals(0.4613695, m.get("NDCG@10"), TOLERANCE);
    // (1 + 1/2 + 1/5 + 1/10 + 1/11) / 5
    assertEquals(0.3781818, m.get("MRR"), TOLERANCE);
    // rank 10 (11th place) is outside the top 10
    assertEquals(0.36, m.get("MRR@10"), TOLERANCE);
    assertEquals(5, metrics.users());
  }

  @Test
  void negativeRankIsRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new RankingMetrics().add(-1));
    assertEquals("rank must be >= 0 but was -1", e.getMessage());
  }

  @Test
  void rankCountsHigherScoresAndBreaksTiesWithinTheTieRange() {
    float[] scores = {0.5f, 0.9f, 0.1f, 0.5f, 0.5f};
    boolean sawLow = false;
    boolean sawHigh = false;
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 200; i++) {
      int rank = RankOfTarget.rank(scores, 0, 0, scores.length, null, random);
      assertTrue(rank >= 1 && rank <= 3, "rank " + rank);
      sawLow |= rank == 1;
      sawHigh |= rank == 3;
    }
    assertTrue(sawLow && sawHigh, "ties are broken both ways");
    boolean[] excluded = {false, true, false, true, true};
    assertEquals(0, RankOfTarget.rank(scores, 0, 0, scores.length, excluded, random));
    assertEquals(1, RankOfTarget.rank(scores, 2, 1, 3, null, random));
  }
}
