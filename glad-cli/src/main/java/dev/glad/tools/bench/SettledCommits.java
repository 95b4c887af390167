package dev.glad.tools.bench;

import java.util.function.Supplier;

/**
 * The source's committed offsets, counted only once a commit has stopped moving. A checkpoint's
 * offsets reach Kafka one source subtask at a time, tens of milliseconds apart: a window opened
 * between two of them would count the later subtasks' share of that checkpoint (up to a whole
 * checkpoint interval of their events) without the time it took. A reading settles when it has not
 * changed for {@code settle}; it then stands for the time and the snapshot (CPU clocks) of its last
 * change.
 *
 * @param <S> what is read together with each change
 */
final class SettledCommits<S> {
  private final long settleNanos;
  private long latest;
  private long latestAt;
  private S latestSnapshot;
  private long settled;
  private long settledAt;
  private S settledSnapshot;

  /**
   * @param initial the offsets when following starts; a later settled reading must differ from it
   */
  SettledCommits(long settleNanos, long initial, long now, S snapshot) {
    this.settleNanos = settleNanos;
    this.latest = this.settled = initial;
    this.latestAt = this.settledAt = now;
    this.latestSnapshot = this.settledSnapshot = snapshot;
  }

  /**
   * The settle time for a checkpoint interval: long enough for every subtask's commit of one
   * checkpoint, short against the interval.
   */
  static long settleNanosFor(long checkpointIntervalMillis) {
    return Math.min(1_000, Math.max(1, checkpointIntervalMillis / 4)) * 1_000_000L;
  }

  /**
   * Offers a reading taken at {@code now}; {@code snapshot} is read only when the offsets changed.
   * Returns true when this reading made a new settled commit.
   */
  boolean offer(long offsets, long now, Supplier<S> snapshot) {
    if (offsets != latest) {
      latest = offsets;
      latestAt = now;
      latestSnapshot = snapshot.get();
      return false;
    }
    if (latest != settled && now - latestAt >= settleNanos) {
      settled = latest;
      settledAt = latestAt;
      settledSnapshot = latestSnapshot;
      return true;
    }
    return false;
  }

  long offsets() {
    return settled;
  }

  /** When the settled commit's last subtask committed (System.nanoTime). */
  long at() {
    return settledAt;
  }

  S snapshot() {
    return settledSnapshot;
  }
}
