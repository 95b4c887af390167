package dev.glad.serving.scoring;

/**
 * What one request's scores need of the user, computed once per request by {@link
 * CandidateScorer#userSide}: everything that does not depend on the candidate.
 */
public final class UserSide {
  final float[] zU;
  final boolean hasMemory;
  // attentive variants
  final int neighbours;
  final float[] hidden; // n x e, h_CE^1 of the user's clusters
  final float[] hiddenT; // e x n, the same transposed (the logits' unit-stride loop)
  final float[] projectedHidden; // n x e, W_U^1[:, e:] h_CE_j per cluster (SAGE, n < e), or null
  final double[] logWeights; // ln w_j (softmax attention)
  final double[] dotScale; // scale * w_j (dot attention)
  final float[] selfPart; // b + W_U^1[:, :e] h_U^1 of the SAGE layer
  final float[] gateShortTerm; // W_T z_U + b_g
  // non-attentive variants: the user vector and gate do not depend on the candidate
  final float[] fixedUserVector;
  final float fixedMeanGate;

  UserSide(
      float[] zU,
      boolean hasMemory,
      int neighbours,
      float[] hidden,
      float[] hiddenT,
      float[] projectedHidden,
      double[] logWeights,
      double[] dotScale,
      float[] selfPart,
      float[] gateShortTerm,
      float[] fixedUserVector,
      float fixedMeanGate) {
    this.zU = zU;
    this.hasMemory = hasMemory;
    this.neighbours = neighbours;
    this.hidden = hidden;
    this.hiddenT = hiddenT;
    this.projectedHidden = projectedHidden;
    this.logWeights = logWeights;
    this.dotScale = dotScale;
    this.selfPart = selfPart;
    this.gateShortTerm = gateShortTerm;
    this.fixedUserVector = fixedUserVector;
    this.fixedMeanGate = fixedMeanGate;
  }

  /** Whether the scores use the memory (else z_U alone, g = 1). */
  public boolean hasMemory() {
    return hasMemory;
  }
}
