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

  private ChunkBuilder() {}

  /** The open chunk of a user who has none yet. */
  public static OpenChunk emptyChunk(long sequenceNumber) {
    return OpenChunk.newBuilder()
        .setNextSequenceNumber(sequenceNumber)
        .setItemIds(new ArrayList<>())
        .setFirstEventTime(0)
        .setLastEventTime(0)
        .setLastIngestTime(0)
        .build();
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
