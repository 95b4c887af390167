package dev.glad.model.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every user's interactions in time order, with external (string) ids, as read from a file.
 *
 * <p>Users keep the order of their first appearance in the file, so everything derived from this
 * (vocabulary, splits, sampling) is deterministic.
 */
public final class UserSequences {
  private final List<String> userIds;
  private final List<List<String>> itemsByUser;
  private final long interactionCount;

  /** Wraps parallel lists of user ids and their time-ordered item ids. */
  public UserSequences(List<String> userIds, List<List<String>> itemsByUser) {
    if (userIds.size() != itemsByUser.size()) {
      throw new IllegalArgumentException(
          "userIds has " + userIds.size() + " entries but itemsByUser " + itemsByUser.size());
    }
    List<List<String>> copies = new ArrayList<>(itemsByUser.size());
    long count = 0;
    for (List<String> items : itemsByUser) {
      copies.add(List.copyOf(items));
      count += items.size();
    }
    this.userIds = List.copyOf(userIds);
    this.itemsByUser = Collections.unmodifiableList(copies);
    this.interactionCount = count;
  }

  public int userCount() {
    return userIds.size();
  }

  public long interactionCount() {
    return interactionCount;
  }

  public String userId(int user) {
    return userIds.get(user);
  }

  /** The user's item ids in time order. */
  public List<String> items(int user) {
    return itemsByUser.get(user);
  }
}
