package dev.glad.flink.memory;

import dev.glad.flink.state.UserState;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The item ids of a user's newest complete chunks: what a model upgrade re-encodes. They live in
 * keyed list state {@code stored-chunks} beside the user's {@link UserState}, one entry per chunk,
 * oldest first.
 *
 * <p>Why a list of its own: kept inside {@code UserState}, every chunk read and rewrote all stored
 * chunks with the rest of the memory — up to {@code stored-chunks} × c strings per update, a
 * quarter of the user-memory stage's CPU in the bench's profile with only 15 chunks stored per
 * user. Here a chunk is appended without a read (RocksDB's merge), and the list is cut back to the
 * newest {@code retention} entries once it holds half as many more ({@link #trimAt}): one read and
 * rewrite per {@code retention / 2} chunks, at most 1.5 × {@code retention} entries held. {@code
 * UserState.storedChunkCount} counts the entries, so nothing is read to decide.
 */
public final class StoredChunks {
  private StoredChunks() {}

  /**
   * The list state's descriptor: item ids, explicitly serialised as a list of strings. Tools that
   * read or write savepoints use it too.
   */
  public static ListStateDescriptor<List<String>> descriptor() {
    return new ListStateDescriptor<>("stored-chunks", Types.LIST(Types.STRING));
  }

  /** Entries at which the list is cut back to the newest {@code retention}. */
  static int trimAt(int retention) {
    return retention + Math.max(1, retention / 2);
  }

  /** The newest {@code retention} of {@code entries} (oldest first), as a new list. */
  static List<List<String>> newest(Iterable<List<String>> entries, int retention) {
    List<List<String>> all = new ArrayList<>();
    if (entries != null) {
      entries.forEach(all::add);
    }
    return new ArrayList<>(all.subList(Math.max(0, all.size() - retention), all.size()));
  }

  /**
   * Appends {@code itemIds} for a user whose state is {@code before} (null: a new user) and returns
   * the count of entries after it. A memory of the previous layout (chunks inside {@code
   * UserState}) has them moved into the list first. With {@code retention} 0 nothing is kept.
   */
  static int append(ListState<List<String>> list, UserState before, String[] itemIds, int retention)
      throws Exception {
    int count = movedFromLegacy(list, before);
    if (retention == 0) {
      if (count > 0) {
        list.clear();
      }
      return 0;
    }
    if (itemIds != null) {
      list.add(List.of(itemIds));
      count++;
    }
    if (count >= trimAt(retention)) {
      List<List<String>> kept = newest(list.get(), retention);
      list.update(kept);
      count = kept.size();
    }
    return count;
  }

  /** The newest {@code retention} stored chunks of a user whose state is {@code state}. */
  static List<List<String>> read(ListState<List<String>> list, UserState state, int retention)
      throws Exception {
    if (!state.getStoredChunks().isEmpty()) {
      return newest(state.getStoredChunks(), retention);
    }
    return state.getStoredChunkCount() == 0 ? List.of() : newest(list.get(), retention);
  }

  /** Whether the user has stored chunks. */
  static boolean any(UserState state) {
    return !state.getStoredChunks().isEmpty() || state.getStoredChunkCount() > 0;
  }

  /** Moves a previous-layout memory's chunks into the list; returns the list's entry count. */
  private static int movedFromLegacy(ListState<List<String>> list, UserState before)
      throws Exception {
    if (before == null) {
      return 0;
    }
    if (before.getStoredChunks().isEmpty()) {
      return before.getStoredChunkCount();
    }
    list.update(new ArrayList<>(before.getStoredChunks()));
    return before.getStoredChunks().size();
  }
}
