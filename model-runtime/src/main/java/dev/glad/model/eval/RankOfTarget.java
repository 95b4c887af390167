package dev.glad.model.eval;

import java.util.SplittableRandom;

/**
 * The 0-based rank of a target score among other scores. Ties are broken uniformly at random
 * (seeded), so a constant scorer ranks like a random one instead of always first or always last.
 */
public final class RankOfTarget {
  private RankOfTarget() {}

  /**
   * Rank of {@code scores[targetIndex]} among {@code scores[from..to)}, skipping entries marked in
   * {@code excluded} (may be null) and the target itself.
   */
  public static int rank(
      float[] scores, int targetIndex, int from, int to, boolean[] excluded, SplittableRandom tie) {
    float target = scores[targetIndex];
    int greater = 0;
    int ties = 0;
    for (int i = from; i < to; i++) {
      if (i == targetIndex || (excluded != null && excluded[i])) {
        continue;
      }
      float s = scores[i];
      if (s > target) {
        greater++;
      } else if (s == target) {
        ties++;
      }
    }
    return ties == 0 ? greater : greater + tie.nextInt(ties + 1);
  }
}
