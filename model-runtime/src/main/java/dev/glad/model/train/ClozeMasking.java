package dev.glad.model.train;

import dev.glad.model.data.SpecialTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The Cloze task's sample construction (BERT4Rec, GLAD paper §4 "Sequence Masking"). Pure functions
 * over index arrays, so they are tested without an engine.
 */
public final class ClozeMasking {
  private ClozeMasking() {}

  /**
   * A masked training sequence.
   *
   * @param tokens the input, with MASK at the masked positions
   * @param maskedPositions positions (into {@code tokens}) that were masked, ascending
   * @param targets the original items at those positions
   */
  public record MaskedSequence(int[] tokens, int[] maskedPositions, int[] targets) {}

  /**
   * Cuts a user's training items into windows of at most {@code windowLength}, aligned to the end
   * (the most recent window is full; the oldest may be shorter). Sequences shorter than 2 items
   * yield no window, because Cloze needs context.
   */
  public static List<int[]> windows(int[] items, int windowLength) {
    List<int[]> windows = new ArrayList<>();
    for (int end = items.length; end >= 2; end -= windowLength) {
      int start = Math.max(0, end - windowLength);
      if (end - start < 2) {
        break;
      }
      int[] window = new int[end - start];
      System.arraycopy(items, start, window, 0, window.length);
      windows.add(window);
    }
    return windows;
  }

  /**
   * Masks each position independently with {@code probability}; if none was picked, one uniformly
   * chosen position is masked so every sample trains something.
   */
  public static MaskedSequence randomMask(
      int[] window, double probability, SplittableRandom random) {
    int[] tokens = window.clone();
    boolean[] masked = new boolean[window.length];
    int count = 0;
    for (int i = 0; i < window.length; i++) {
      if (random.nextDouble() < probability) {
        masked[i] = true;
        count++;
      }
    }
    if (count == 0) {
      masked[random.nextInt(window.length)] = true;
      count = 1;
    }
    int[] positions = new int[count];
    int[] targets = new int[count];
    int k = 0;
    for (int i = 0; i < window.length; i++) {
      if (masked[i]) {
        positions[k] = i;
        targets[k] = window[i];
        tokens[i] = SpecialTokens.MASK;
        k++;
      }
    }
    return new MaskedSequence(tokens, positions, targets);
  }

  /**
   * Masks only the last item: exactly the shape of an inference input (items then MASK), which
   * BERT4Rec adds so that training matches next-item prediction.
   */
  public static MaskedSequence lastItemMask(int[] window) {
    int[] tokens = window.clone();
    int last = window.length - 1;
    tokens[last] = SpecialTokens.MASK;
    return new MaskedSequence(tokens, new int[] {last}, new int[] {window[last]});
  }
}
