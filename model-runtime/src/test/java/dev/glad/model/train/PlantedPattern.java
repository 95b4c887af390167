package dev.glad.model.train;

import dev.glad.model.data.ItemVocabulary;
import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.data.UserSequences;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic data with a planted rule: every user walks the items in a fixed cycle (item k is
 * followed by item k+1 mod n) from a random start. The next item is fully predictable from the
 * sequence while popularity is flat, so a working encoder must beat the popularity baseline by far.
 */
final class PlantedPattern {
  private PlantedPattern() {}

  static UserSequences sequences(int users, int items, int length, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> ids = new ArrayList<>();
    List<List<String>> sequences = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      int start = random.nextInt(items);
      List<String> s = new ArrayList<>();
      for (int i = 0; i < length; i++) {
        s.add("item" + ((start + i) % items));
      }
      ids.add("user" + u);
      sequences.add(s);
    }
    return new UserSequences(ids, sequences);
  }

  static LeaveOneOutSplit split(UserSequences data) {
    return LeaveOneOutSplit.of(data, ItemVocabulary.fromSequences(data));
  }
}
