package dev.glad.model.train;

import dev.glad.model.data.SpecialTokens;
import java.util.Arrays;

/**
 * The token-table rows one training step uses (its input tokens, targets and negatives) and the map
 * from a token id to its row in the step's small table. PAD is always row 0, so a step's local
 * token ids still mark padding with {@link SpecialTokens#PAD}.
 */
final class StepRows {
  private final int[] ids;
  private final int[] localOf;

  private StepRows(int[] ids, int[] localOf) {
    this.ids = ids;
    this.localOf = localOf;
  }

  /** Every token id, in order: the full table (the full softmax touches every row). */
  static StepRows all(int tokenCount) {
    int[] ids = new int[tokenCount];
    for (int i = 0; i < tokenCount; i++) {
      ids[i] = i;
    }
    return new StepRows(ids, ids);
  }

  /** Collects distinct token ids in order of first appearance, PAD first. */
  static final class Builder {
    private final int[] localOf;
    private int[] ids = new int[256];
    private int count;

    Builder(int tokenCount) {
      localOf = new int[tokenCount];
      Arrays.fill(localOf, -1);
      add(SpecialTokens.PAD);
    }

    Builder add(int token) {
      if (localOf[token] < 0) {
        if (count == ids.length) {
          ids = Arrays.copyOf(ids, 2 * count);
        }
        localOf[token] = count;
        ids[count++] = token;
      }
      return this;
    }

    Builder addAll(int[] tokens) {
      for (int t : tokens) {
        add(t);
      }
      return this;
    }

    Builder addAll(long[] tokens) {
      for (long t : tokens) {
        add((int) t);
      }
      return this;
    }

    StepRows build() {
      return new StepRows(Arrays.copyOf(ids, count), localOf);
    }
  }

  /** The token ids of the rows, row i of the step's table = token {@code ids()[i]}. */
  int[] ids() {
    return ids;
  }

  int size() {
    return ids.length;
  }

  /** The step-table row of every token in {@code tokens} (each must be one of {@link #ids()}). */
  long[] local(long[] tokens) {
    long[] out = new long[tokens.length];
    for (int i = 0; i < tokens.length; i++) {
      int row = localOf[(int) tokens[i]];
      if (row < 0) {
        throw new IllegalArgumentException("token " + tokens[i] + " is not among the step's rows");
      }
      out[i] = row;
    }
    return out;
  }
}
