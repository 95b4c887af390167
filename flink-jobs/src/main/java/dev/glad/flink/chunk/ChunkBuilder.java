package dev.glad.flink.chunk;

import dev.glad.flink.state.OpenChunk;
import dev.glad.flink.state.PendingEvent;
import dev.glad.schemas.CompletedChunk;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The pure chunking rules, free of Flink: items are appended to the user's open chunk in the order
 * they are released, and a chunk completes when it holds exactly {@code c} items.
 */
public final class ChunkBuilder {
  /**
   * Order in which events of the same event-time millisecond are released: by event id, so the
   * result does not depend on arrival order or parallelism.
   */
  public static final Comparator<PendingEvent> RELEASE_ORDER =
      Comparator.comparingLong(PendingEvent::getEventTime).thenComparing(PendingEvent::getEventId);

  /**
   * The layout of the assembler's state that this version writes: 2, waiting events in a list, one
   * release timer per user recorded in {@link OpenChunk} (1: a map by event time and a timer per
   * event time; see {@code ChunkAssembler}).
   */
  public static final int LAYOUT = 2;

  private ChunkBuilder() {}

  /** The open chunk of a user who has none yet. */
  public static OpenChunk emptyChunk(long sequenceNumber) {
    return OpenChunk.newBuilder()
        .setNextSequenceNumber(sequenceNumber)
        .setItemIds(new ArrayList<>())
        .setFirstEventTime(0)
        .setLastEventTime(0)
        .setLastIngestTime(0)
        .setReleaseTimer(null)
        .setLayout(LAYOUT)
        .build();
  }

  /**
   * The waiting events the watermark releases, in {@link #RELEASE_ORDER}, and those that still
   * wait, in their order.
   */
  public record Split(List<PendingEvent> due, List<PendingEvent> rest) {
    /** The earliest event time still waiting: where the user's next release timer goes. */
    public long earliestRest() {
      return earliest(rest);
    }
  }

  /** The earliest event time of non-empty {@code events}: where a user's release timer goes. */
  public static long earliest(List<PendingEvent> events) {
    return events.stream().mapToLong(PendingEvent::getEventTime).min().orElseThrow();
  }

  /** Splits {@code waiting} into the events at or before {@code watermark} and the others. */
  public static Split splitAt(Iterable<PendingEvent> waiting, long watermark) {
    List<PendingEvent> due = new ArrayList<>();
    List<PendingEvent> rest = new ArrayList<>();
    for (PendingEvent e : waiting) {
      (e.getEventTime() <= watermark ? due : rest).add(e);
    }
    due.sort(RELEASE_ORDER);
    return new Split(due, rest);
  }

  /**
   * Appends one item to {@code chunk} (mutating it). When the chunk reaches {@code chunkSize} items
   * it is returned as a {@link CompletedChunk} and {@code chunk} is reset for the next one.
   */
  public static Optional<CompletedChunk> append(
      OpenChunk chunk, String userId, PendingEvent event, int chunkSize) {
    List<String> items = chunk.getItemIds();
    if (items.isEmpty()) {
      chunk.setFirstEventTime(event.getEventTime());
      chunk.setLastEventTime(event.getEventTime());
    } else {
      // late events are appended in arrival order, so bounds are min/max, not first/last
      chunk.setFirstEventTime(Math.min(chunk.getFirstEventTime(), event.getEventTime()));
      chunk.setLastEventTime(Math.max(chunk.getLastEventTime(), event.getEventTime()));
    }
    chunk.setLastIngestTime(Math.max(chunk.getLastIngestTime(), event.getIngestTime()));
    items.add(event.getItemId());
    if (items.size() < chunkSize) {
      return Optional.empty();
    }
    CompletedChunk completed =
        CompletedChunk.newBuilder()
            .setUserId(userId)
            .setSequenceNumber(chunk.getNextSequenceNumber())
            .setItemIds(List.copyOf(items))
            .setFirstEventTime(Instant.ofEpochMilli(chunk.getFirstEventTime()))
            .setLastEventTime(Instant.ofEpochMilli(chunk.getLastEventTime()))
            .setLastIngestTime(Instant.ofEpochMilli(chunk.getLastIngestTime()))
            .build();
    chunk.setNextSequenceNumber(chunk.getNextSequenceNumber() + 1);
    chunk.setItemIds(new ArrayList<>());
    chunk.setFirstEventTime(0);
    chunk.setLastEventTime(0);
    chunk.setLastIngestTime(0);
    return Optional.of(completed);
  }

  /** The next instant, at or after {@code time}, that is a multiple of {@code granularity}. */
  public static long roundUp(long time, long granularity) {
    long r = Math.floorMod(time, granularity);
    return r == 0 ? time : time + (granularity - r);
  }
}
