package dev.glad.tools.bench;

import java.util.Arrays;

/** Order statistics the benches report. */
public final class Stats {
  private Stats() {}

  /** Nearest-rank percentile of sorted values (NaN when empty). */
  public static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** Median of values in any order (NaN when empty). */
  public static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  /** Smallest and largest value. */
  public static double[] range(double[] values) {
    return new double[] {
      Arrays.stream(values).min().orElse(Double.NaN), Arrays.stream(values).max().orElse(Double.NaN)
    };
  }
}
