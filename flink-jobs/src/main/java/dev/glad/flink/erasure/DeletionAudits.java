package dev.glad.flink.erasure;

import dev.glad.schemas.DeletionAudit;
import dev.glad.schemas.DeletionOutcome;
import java.time.Instant;

/** The audit records of deletion requests: pure functions over what each stage removed. */
public final class DeletionAudits {
  private DeletionAudits() {}

  /**
   * The audit of a completed erasure.
   *
   * @param memoryChunks complete chunks in the removed memory (0 when none or no memory stage)
   * @param clusterEdges user-cluster edges removed
   * @param clusterSumsAdjusted whether the connected clusters' user-side sums were corrected
   */
  public static DeletionAudit erased(
      Erasure e, long memoryChunks, int clusterEdges, boolean clusterSumsAdjusted, long nowMillis) {
    boolean held =
        e.openChunkItems > 0
            || e.pendingEvents > 0
            || e.dedupeIds > 0
            || e.timers > 0
            || memoryChunks > 0
            || clusterEdges > 0;
    String detail =
        held
            ? "removed: "
                + e.openChunkItems
                + " open-chunk items, "
                + e.pendingEvents
                + " pending events, "
                + e.dedupeIds
                + " dedupe ids, "
                + e.timers
                + " timers, a memory of "
                + memoryChunks
                + " chunks with "
                + clusterEdges
                + " cluster edges"
                + (clusterEdges > 0 && clusterSumsAdjusted
                    ? " (the user's share of those clusters' user-side sums subtracted)"
                    : "")
                + "; the user-memory topic got a tombstone"
            : "the job held nothing of this user; the user-memory topic got a tombstone";
    return DeletionAudit.newBuilder()
        .setUserId(e.userId)
        .setRequestId(e.requestId)
        .setRequestTime(Instant.ofEpochMilli(e.requestTimeMillis))
        .setAuditTime(Instant.ofEpochMilli(nowMillis))
        .setOutcome(held ? DeletionOutcome.ERASED : DeletionOutcome.NOTHING_HELD)
        .setDetail(detail)
        .setOpenChunkItems(e.openChunkItems)
        .setPendingEvents(e.pendingEvents)
        .setDedupeIds(e.dedupeIds)
        .setTimers(e.timers)
        .setMemoryChunks(memoryChunks)
        .setClusterEdges(clusterEdges)
        .setSourcePartition(e.sourcePartition)
        .setSourceOffset(e.sourceOffset)
        .build();
  }

  /** The audit of a request the job could not act on. */
  public static DeletionAudit malformed(
      String userIdOrNull,
      String requestIdOrNull,
      Instant requestTimeOrNull,
      String why,
      int partition,
      long offset,
      long nowMillis) {
    return DeletionAudit.newBuilder()
        .setUserId(userIdOrNull)
        .setRequestId(requestIdOrNull)
        .setRequestTime(requestTimeOrNull == null ? Instant.EPOCH : requestTimeOrNull)
        .setAuditTime(Instant.ofEpochMilli(nowMillis))
        .setOutcome(DeletionOutcome.MALFORMED)
        .setDetail(why)
        .setSourcePartition(partition)
        .setSourceOffset(offset)
        .build();
  }
}
