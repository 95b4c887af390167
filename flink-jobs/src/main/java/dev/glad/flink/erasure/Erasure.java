package dev.glad.flink.erasure;

/**
 * A valid request to erase one user, as it travels through the job: in band with the user's chunks,
 * so every stage meets it after everything of the user it emitted earlier. Each stage adds what it
 * removed; the user-memory stage (or the chunk assembler in a job without memory) reports the total
 * in a {@link dev.glad.schemas.DeletionAudit}. A Flink POJO.
 */
public final class Erasure {
  public String userId;
  public String requestId;
  public long requestTimeMillis;
  public int sourcePartition;
  public long sourceOffset;

  /** Removed by the chunk assembler. */
  public int openChunkItems;

  public int pendingEvents;
  public int dedupeIds;
  public int timers;

  public Erasure() {}

  public Erasure(
      String userId,
      String requestId,
      long requestTimeMillis,
      int sourcePartition,
      long sourceOffset) {
    this.userId = userId;
    this.requestId = requestId;
    this.requestTimeMillis = requestTimeMillis;
    this.sourcePartition = sourcePartition;
    this.sourceOffset = sourceOffset;
  }

  @Override
  public String toString() {
    return "Erasure{" + userId + ", request " + requestId + "}";
  }
}
