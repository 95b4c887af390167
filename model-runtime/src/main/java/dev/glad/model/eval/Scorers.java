package dev.glad.model.eval;

import dev.glad.model.encoder.SequenceEncoder;
import java.util.SplittableRandom;

/** The model scorer and the reference baselines. */
public final class Scorers {
  private Scorers() {}

  /** Scores with the encoder's output logits. */
  public static Scorer model(SequenceEncoder encoder) {
    return new Scorer() {
      @Override
      public float[][] scoreCandidates(int[][] inputs, int[][] candidates) {
        return encoder.scoreCandidates(inputs, candidates);
      }

      @Override
      public float[][] scoreAllTokens(int[][] inputs) {
        return encoder.scoreAllTokens(inputs);
      }
    };
  }

  /** Scores every item by its interaction count, ignoring the user. */
  public static Scorer popularity(long[] counts) {
    float[] asScores = new float[counts.length];
    for (int i = 0; i < counts.length; i++) {
      asScores[i] = counts[i];
    }
    return new Scorer() {
      @Override
      public float[][] scoreCandidates(int[][] inputs, int[][] candidates) {
        return perCandidate(candidates, item -> asScores[item]);
      }

      @Override
      public float[][] scoreAllTokens(int[][] inputs) {
        float[][] out = new float[inputs.length][];
        for (int r = 0; r < inputs.length; r++) {
          out[r] = asScores.clone();
        }
        return out;
      }
    };
  }

  /** Independent uniform random scores from a seeded stream. */
  public static Scorer random(int tokenCount, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    return new Scorer() {
      @Override
      public float[][] scoreCandidates(int[][] inputs, int[][] candidates) {
        return perCandidate(candidates, item -> (float) random.nextDouble());
      }

      @Override
      public float[][] scoreAllTokens(int[][] inputs) {
        float[][] out = new float[inputs.length][tokenCount];
        for (float[] row : out) {
          for (int j = 0; j < row.length; j++) {
            row[j] = (float) random.nextDouble();
          }
        }
        return out;
      }
    };
  }

  /** Applies {@code score} to every candidate item, row by row. */
  private static float[][] perCandidate(int[][] candidates, IntToFloat score) {
    float[][] out = new float[candidates.length][];
    for (int r = 0; r < candidates.length; r++) {
      out[r] = new float[candidates[r].length];
      for (int j = 0; j < out[r].length; j++) {
        out[r][j] = score.apply(candidates[r][j]);
      }
    }
    return out;
  }

  @FunctionalInterface
  private interface IntToFloat {
    float apply(int item);
  }
}
