package dev.glad.tools.bootstrap;

import dev.glad.flink.state.OpenChunk;
import dev.glad.flink.state.UserState;
import java.util.List;

/**
 * One user's state as the job would hold it after the user's history: the chunk assembler's open
 * chunk and, when the history completed a chunk, the user-memory node and its stored chunks. A
 * Flink POJO.
 */
public final class BootstrappedUser {
  public String userId;
  public OpenChunk openChunk;

  /** Null when the history did not complete a chunk. */
  public UserState memory;

  /** Item ids of the newest complete chunks, oldest first ({@code StoredChunks}). */
  public List<List<String>> storedChunks;

  public BootstrappedUser() {}

  public BootstrappedUser(
      String userId, OpenChunk openChunk, UserState memory, List<List<String>> storedChunks) {
    this.userId = userId;
    this.openChunk = openChunk;
    this.memory = memory;
    this.storedChunks = storedChunks;
  }
}
