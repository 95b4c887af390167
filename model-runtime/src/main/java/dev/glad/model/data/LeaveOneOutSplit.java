package dev.glad.model.data;

import java.util.Arrays;

/**
 * The leave-one-out protocol: per user, the last item is the test target, the second-last the
 * validation target, everything before is training data. Users with fewer than three items are
 * training-only (all their items train) and are not evaluated.
 */
public final class LeaveOneOutSplit {
  /** Which held-out item an evaluation uses. */
  public enum Target {
    /** Second-last item; input = items before it. */
    VALIDATION,
    /** Last item; input = all items before it (validation item included). */
    TEST
  }

  private final int[][] sequences;
  private final int itemTokenCount;

  /** Splits index sequences (items already mapped by the vocabulary). */
  public LeaveOneOutSplit(int[][] sequences, int itemTokenCount) {
    this.sequences = sequences;
    this.itemTokenCount = itemTokenCount;
  }

  /** Maps {@code data} with {@code vocabulary} and splits it. */
  public static LeaveOneOutSplit of(UserSequences data, ItemVocabulary vocabulary) {
    int[][] sequences = new int[data.userCount()][];
    for (int u = 0; u < sequences.length; u++) {
      sequences[u] = vocabulary.indicesOf(data.items(u));
    }
    return new LeaveOneOutSplit(sequences, vocabulary.tokenCount());
  }

  public int userCount() {
    return sequences.length;
  }

  /** Rows of the embedding table these indices refer to. */
  public int tokenCount() {
    return itemTokenCount;
  }

  /** Whether the user has validation and test targets (at least three items). */
  public boolean isEvaluable(int user) {
    return sequences[user].length >= 3;
  }

  /** All of the user's items. */
  public int[] fullSequence(int user) {
    return sequences[user];
  }

  /** The items training may see. */
  public int[] trainingItems(int user) {
    int[] s = sequences[user];
    return isEvaluable(user) ? Arrays.copyOf(s, s.length - 2) : s;
  }

  /** Items the model sees when predicting {@code target}. */
  public int[] input(int user, Target target) {
    requireEvaluable(user);
    int[] s = sequences[user];
    return Arrays.copyOf(s, s.length - (target == Target.TEST ? 1 : 2));
  }

  /** The held-out item. */
  public int target(int user, Target target) {
    requireEvaluable(user);
    int[] s = sequences[user];
    return s[s.length - (target == Target.TEST ? 1 : 2)];
  }

  /** Interaction counts per token index over all items of all users (negative sampling). */
  public long[] itemCountsAll() {
    long[] counts = new long[itemTokenCount];
    for (int[] s : sequences) {
      for (int item : s) {
        counts[item]++;
      }
    }
    return counts;
  }

  /** Interaction counts per token index over every user's input for {@code target}. */
  public long[] itemCountsBefore(Target target) {
    long[] counts = new long[itemTokenCount];
    for (int u = 0; u < sequences.length; u++) {
      int[] items = isEvaluable(u) ? input(u, target) : sequences[u];
      for (int item : items) {
        counts[item]++;
      }
    }
    return counts;
  }

  private void requireEvaluable(int user) {
    if (!isEvaluable(user)) {
      throw new IllegalArgumentException(
          "user " + user + " has " + sequences[user].length + " items, fewer than 3");
    }
  }
}
