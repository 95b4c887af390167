package dev.glad.flink.memory;

import dev.glad.schemas.UserMemory;

/**
 * What the user-memory stage writes to the compacted user-memory topic, in one stream so that a
 * tombstone lands after the user's last memory: exactly one of a user's refreshed memory or the id
 * of an erased user (written as a record with a null value).
 */
public final class UserMemoryOrTombstone {
  public UserMemory memory;
  public String erasedUserId;

  public UserMemoryOrTombstone() {}

  public static UserMemoryOrTombstone of(UserMemory memory) {
    UserMemoryOrTombstone r = new UserMemoryOrTombstone();
    r.memory = memory;
    return r;
  }

  public static UserMemoryOrTombstone tombstone(String userId) {
    UserMemoryOrTombstone r = new UserMemoryOrTombstone();
    r.erasedUserId = userId;
    return r;
  }

  public boolean isTombstone() {
    return memory == null;
  }

  /** The record key. */
  public String userId() {
    return memory != null ? memory.getUserId() : erasedUserId;
  }

  /** The record value: null for a tombstone. */
  public UserMemory valueOrNull() {
    return memory;
  }
}
