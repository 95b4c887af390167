package dev.glad.model.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The mapping external item id -> vocabulary index. Unknown ids map to {@link SpecialTokens#UNK}
 * and are counted. Immutable apart from the thread-safe unknown counter, so one instance can be
 * shared by all encoder threads.
 */
public final class ItemVocabulary {
  private final List<String> itemIds;
  private final Map<String, Integer> indexById;
  private final LongAdder unknownLookups = new LongAdder();

  private ItemVocabulary(List<String> itemIds) {
    this.itemIds = Collections.unmodifiableList(new ArrayList<>(itemIds));
    Map<String, Integer> map = new HashMap<>(itemIds.size() * 2);
    for (int i = 0; i < itemIds.size(); i++) {
      Integer previous = map.put(itemIds.get(i), SpecialTokens.FIRST_ITEM + i);
      if (previous != null) {
        throw new IllegalArgumentException("duplicate item id '" + itemIds.get(i) + "'");
      }
    }
    this.indexById = map;
  }

  /** A vocabulary whose items are {@code itemIds} in this order (index = FIRST_ITEM + position). */
  public static ItemVocabulary of(List<String> itemIds) {
    if (itemIds.isEmpty()) {
      throw new IllegalArgumentException("a vocabulary needs at least one item");
    }
    return new ItemVocabulary(itemIds);
  }

  /** The vocabulary of every item in {@code data}, in order of first appearance. */
  public static ItemVocabulary fromSequences(UserSequences data) {
    Map<String, Boolean> seen = new java.util.LinkedHashMap<>();
    for (int u = 0; u < data.userCount(); u++) {
      for (String item : data.items(u)) {
        seen.putIfAbsent(item, Boolean.TRUE);
      }
    }
    return of(new ArrayList<>(seen.keySet()));
  }

  /** Number of real items V (without special tokens). */
  public int itemCount() {
    return itemIds.size();
  }

  /** Rows of the embedding table: items plus special tokens. */
  public int tokenCount() {
    return itemIds.size() + SpecialTokens.COUNT;
  }

  /** The index of {@code itemId}, or {@link SpecialTokens#UNK} (counted) when it is unknown. */
  public int indexOf(String itemId) {
    Integer index = indexById.get(itemId);
    if (index == null) {
      unknownLookups.increment();
      return SpecialTokens.UNK;
    }
    return index;
  }

  /** Maps a list of ids; unknown ones become UNK and are counted. */
  public int[] indicesOf(List<String> itemIds) {
    int[] indices = new int[itemIds.size()];
    for (int i = 0; i < indices.length; i++) {
      indices[i] = indexOf(itemIds.get(i));
    }
    return indices;
  }

  /** Whether {@code itemId} is a known item. Does not count. */
  public boolean contains(String itemId) {
    return indexById.containsKey(itemId);
  }

  /** The external id of an item index. */
  public String itemId(int index) {
    if (index < SpecialTokens.FIRST_ITEM || index >= tokenCount()) {
      throw new IllegalArgumentException(
          "index "
              + index
              + " is not an item index ("
              + SpecialTokens.FIRST_ITEM
              + ".."
              + (tokenCount() - 1)
              + ")");
    }
    return itemIds.get(index - SpecialTokens.FIRST_ITEM);
  }

  /** All item ids in index order. */
  public List<String> itemIds() {
    return itemIds;
  }

  /** How many lookups found no item since creation. */
  public long unknownLookups() {
    return unknownLookups.sum();
  }
}
