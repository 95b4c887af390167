package dev.glad.model.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Accumulates ranking metrics from the 0-based rank of each user's target among its candidates:
 * HR@k = [rank < k], NDCG@k = [rank < k] / log2(rank + 2) (one relevant item), MRR = 1 / (rank +
 * 1), MRR@k = [rank < k] / (rank + 1). Reported values are means over users, with their standard
 * errors (sample standard deviation over users / √users): the uncertainty from which users were
 * evaluated, for a fixed model.
 */
public final class RankingMetrics {
  /** The cut-offs reported for HR and NDCG. */
  static final int[] CUTOFFS = {1, 5, 10};

  private long users;
  private final double[] hits = new double[CUTOFFS.length];
  private final double[] ndcg = new double[CUTOFFS.length];
  private double reciprocalRank;
  private double reciprocalRankAt10;
  private final Map<String, double[]> sumAndSquares = new LinkedHashMap<>();

  /** Adds one user whose target has 0-based {@code rank}. */
  public void add(int rank) {
    if (rank < 0) {
      throw new IllegalArgumentException("rank must be >= 0 but was " + rank);
    }
    users++;
    for (int i = 0; i < CUTOFFS.length; i++) {
      hits[i] += hitAt(rank, CUTOFFS[i]);
      ndcg[i] += ndcgAt(rank, CUTOFFS[i]);
    }
    reciprocalRank += 1.0 / (rank + 1);
    reciprocalRankAt10 += mrrAt(rank, 10);
    for (int i = 0; i < CUTOFFS.length; i++) {
      accumulate("HR@" + CUTOFFS[i], hitAt(rank, CUTOFFS[i]));
    }
    for (int i = 0; i < CUTOFFS.length; i++) {
      accumulate("NDCG@" + CUTOFFS[i], ndcgAt(rank, CUTOFFS[i]));
    }
    accumulate("MRR", 1.0 / (rank + 1));
    accumulate("MRR@10", mrrAt(rank, 10));
  }

  private void accumulate(String metric, double value) {
    double[] s = sumAndSquares.computeIfAbsent(metric, k -> new double[2]);
    s[0] += value;
    s[1] += value * value;
  }

  /**
   * Standard error of each of {@link #means()}: the sample standard deviation over users divided by
   * √users (NaN for fewer than two users).
   */
  public Map<String, Double> standardErrors() {
    Map<String, Double> out = new LinkedHashMap<>();
    for (var entry : sumAndSquares.entrySet()) {
      double n = users;
      double mean = entry.getValue()[0] / n;
      double variance = (entry.getValue()[1] - n * mean * mean) / (n - 1);
      out.put(entry.getKey(), users < 2 ? Double.NaN : Math.sqrt(Math.max(0, variance) / n));
    }
    return out;
  }

  public long users() {
    return users;
  }

  /** 1 when the target is in the top k. */
  public static double hitAt(int rank, int k) {
    return rank < k ? 1.0 : 0.0;
  }

  /** NDCG@k of a single relevant item at {@code rank}: its ideal DCG is 1. */
  public static double ndcgAt(int rank, int k) {
    return rank < k ? 1.0 / (Math.log(rank + 2) / Math.log(2)) : 0.0;
  }

  /** Reciprocal rank, 0 beyond k. */
  public static double mrrAt(int rank, int k) {
    return rank < k ? 1.0 / (rank + 1) : 0.0;
  }

  /**
   * Means over users, keyed {@code HR@1, HR@5, HR@10, NDCG@1, NDCG@5, NDCG@10, MRR, MRR@10}; all 0
   * when no user was added.
   */
  public Map<String, Double> means() {
    Map<String, Double> m = new LinkedHashMap<>();
    double n = Math.max(1, users);
    for (int i = 0; i < CUTOFFS.length; i++) {
      m.put("HR@" + CUTOFFS[i], hits[i] / n);
    }
    for (int i = 0; i < CUTOFFS.length; i++) {
      m.put("NDCG@" + CUTOFFS[i], ndcg[i] / n);
    }
    m.put("MRR", reciprocalRank / n);
    m.put("MRR@10", reciprocalRankAt10 / n);
    return m;
  }
}
