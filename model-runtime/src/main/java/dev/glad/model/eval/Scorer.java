package dev.glad.model.eval;

/** Something that scores items for users given their input histories. */
public interface Scorer {
  /**
   * Scores {@code candidates[i]} (vocabulary indices) for the user with history {@code inputs[i]}.
   */
  float[][] scoreCandidates(int[][] inputs, int[][] candidates);

  /** Scores every vocabulary index (special tokens included, they are ignored) per user. */
  float[][] scoreAllTokens(int[][] inputs);
}
