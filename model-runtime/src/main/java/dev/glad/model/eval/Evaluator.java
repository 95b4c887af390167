package dev.glad.model.eval;

import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.data.SpecialTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * Leave-one-out evaluation. For every evaluable user the target is ranked against 100 sampled
 * negatives ({@link NegativeProtocol#UNIFORM}, {@link NegativeProtocol#POPULARITY}) or against all
 * items ({@link NegativeProtocol#ALL}, seen items removed).
 *
 * <p>Negatives and tie-breaks come from a per-user stream seeded by {@code (seed, user)}, so every
 * scorer meets the same candidates. Popularity is the interaction count over the whole file, as in
 * BERT4Rec.
 */
public final class Evaluator {
  /** Negatives per user in the sampled protocols. */
  public static final int SAMPLED_NEGATIVES = 100;

  private final LeaveOneOutSplit split;
  private final LeaveOneOutSplit.Target target;
  private final long seed;
  private final int batchSize;
  private final int[] users;
  private final long skippedUnknownTarget;

  /**
   * The per-epoch validation evaluator both trainers use: popularity-sampled negatives on the
   * validation target, 256 users per pass.
   *
   * @param evalUsers users to validate on, 0 = all, negative = no validation (returns null)
   */
  public static Evaluator forValidation(LeaveOneOutSplit split, long seed, int evalUsers) {
    return evalUsers < 0
        ? null
        : new Evaluator(split, LeaveOneOutSplit.Target.VALIDATION, seed, 256, evalUsers);
  }

  /**
   * @param maxUsers evaluate only the first {@code maxUsers} evaluable users in a seeded random
   *     order (0 = all)
   */
  public Evaluator(
      LeaveOneOutSplit split,
      LeaveOneOutSplit.Target target,
      long seed,
      int batchSize,
      int maxUsers) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be positive but was " + batchSize);
    }
    this.split = split;
    this.target = target;
    this.seed = seed;
    this.batchSize = batchSize;
    List<Integer> chosen = new ArrayList<>();
    long skipped = 0;
    for (int u = 0; u < split.userCount(); u++) {
      if (!split.isEvaluable(u)) {
        continue;
      }
      if (split.target(u, target) == SpecialTokens.UNK) {
        skipped++;
        continue;
      }
      chosen.add(u);
    }
    if (maxUsers > 0 && maxUsers < chosen.size()) {
      java.util.Collections.shuffle(chosen, new java.util.Random(seed));
      chosen = new ArrayList<>(chosen.subList(0, maxUsers));
      chosen.sort(null);
    }
    this.users = chosen.stream().mapToInt(Integer::intValue).toArray();
    this.skippedUnknownTarget = skipped;
  }

  /** The users that will be evaluated. */
  public int userCount() {
    return users.length;
  }

  /** Receives every evaluated user's 0-based target rank (per-user analyses). */
  public interface RankListener {
    void rank(int user, int rank);
  }

  /** Evaluates {@code scorer} under {@code protocol}; {@code progress} receives users done. */
  public EvaluationResult evaluate(
      Scorer scorer, NegativeProtocol protocol, LongConsumer progress) {
    return evaluate(scorer, protocol, progress, (user, rank) -> {});
  }

  /** {@link #evaluate(Scorer, NegativeProtocol, LongConsumer)}, also reporting each user's rank. */
  public EvaluationResult evaluate(
      Scorer scorer, NegativeProtocol protocol, LongConsumer progress, RankListener ranks) {
    NegativeSampler sampler =
        switch (protocol) {
          case UNIFORM -> NegativeSampler.uniform(split.tokenCount());
          case POPULARITY -> NegativeSampler.popularity(split.itemCountsAll());
          case ALL -> null;
        };
    RankingMetrics metrics = new RankingMetrics();
    for (int start = 0; start < users.length; start += batchSize) {
      int end = Math.min(users.length, start + batchSize);
      int n = end - start;
      int[][] inputs = new int[n][];
      SplittableRandom[] streams = new SplittableRandom[n];
      for (int i = 0; i < n; i++) {
        int user = users[start + i];
        inputs[i] = split.input(user, target);
        streams[i] = new SplittableRandom(seed * 1_000_003L + user);
      }
      if (sampler != null) {
        int[][] candidates = new int[n][];
        for (int i = 0; i < n; i++) {
          int user = users[start + i];
          int[] negatives = sampler.sample(split.fullSequence(user), SAMPLED_NEGATIVES, streams[i]);
          candidates[i] = new int[SAMPLED_NEGATIVES + 1];
          candidates[i][0] = split.target(user, target);
          System.arraycopy(negatives, 0, candidates[i], 1, SAMPLED_NEGATIVES);
        }
        float[][] scores = scorer.scoreCandidates(inputs, candidates);
        for (int i = 0; i < n; i++) {
          int rank = RankOfTarget.rank(scores[i], 0, 0, scores[i].length, null, streams[i]);
          metrics.add(rank);
          ranks.rank(users[start + i], rank);
        }
      } else {
        float[][] scores = scorer.scoreAllTokens(inputs);
        for (int i = 0; i < n; i++) {
          int targetItem = split.target(users[start + i], target);
          boolean[] seen = new boolean[scores[i].length];
          for (int item : inputs[i]) {
            seen[item] = true;
          }
          // A target seen before stays rankable: removing it would make a hit impossible.
          seen[targetItem] = false;
          int rank =
              RankOfTarget.rank(
                  scores[i],
                  targetItem,
                  SpecialTokens.FIRST_ITEM,
                  scores[i].length,
                  seen,
                  streams[i]);
          metrics.add(rank);
          ranks.rank(users[start + i], rank);
        }
      }
      progress.accept(end);
    }
    return new EvaluationResult(
        protocol, metrics.users(), skippedUnknownTarget, metrics.means(), metrics.standardErrors());
  }
}
