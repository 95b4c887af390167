package dev.glad.flink.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glad.flink.state.OpenChunk;
import dev.glad.flink.state.PendingEvent;
import dev.glad.schemas.CompletedChunk;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChunkBuilderTest {
  @Test
  void completesAtExactlyCItemsAndStartsTheNextChunk() {
    OpenChunk chunk = ChunkBuilder.emptyChunk(4);

    assertTrue(ChunkBuilder.append(chunk, "u", event("a", 30, 7), 2).isEmpty());
    Optional<CompletedChunk> done = ChunkBuilder.append(chunk, "u", event("b", 10, 9), 2);

    CompletedChunk c = done.orElseThrow();
    assertEquals(List.of("a", "b"), c.getItemIds());
    assertEquals(4L, c.getSequenceNumber());
    // a late item (b) is appended after a, so bounds are min and max event time
    assertEquals(10L, c.getFirstEventTime().toEpochMilli());
    assertEquals(30L, c.getLastEventTime().toEpochMilli());
    assertEquals(9L, c.getLastIngestTime().toEpochMilli());
    assertEquals(5L, chunk.getNextSequenceNumber());
    assertEquals(List.of(), chunk.getItemIds());
  }

  @Test
  void roundsUpToTheGrid() {
    assertEquals(100, ChunkBuilder.roundUp(100, 50));
    assertEquals(150, ChunkBuilder.roundUp(101, 50));
    assertEquals(0, ChunkBuilder.roundUp(-49, 50));
  }

  @Test
  void releaseOrderIsEventTimeThenEventId() {
    List<PendingEvent> events =
        new java.util.ArrayList<>(
            List.of(event("x", 2, 0, "b"), event("y", 2, 0, "a"), event("z", 1, 0, "c")));
    events.sort(ChunkBuilder.RELEASE_ORDER);
    assertEquals(List.of("z", "y", "x"), events.stream().map(PendingEvent::getItemId).toList());
  }

  @Test
  void splitAtReleasesUpToTheWatermarkInReleaseOrderAndKeepsTheRest() {
    List<PendingEvent> waiting =
        List.of(
            event("late", 9, 0),
            event("b", 5, 0, "2"),
            event("a", 5, 0, "1"),
            event("later", 12, 0),
            event("early", 3, 0));

    ChunkBuilder.Split split = ChunkBuilder.splitAt(waiting, 5);

    assertEquals(List.of("early", "a", "b"), items(split.due()));
    assertEquals(List.of("late", "later"), items(split.rest()));
    assertEquals(9L, split.earliestRest());
    assertEquals(List.of(), ChunkBuilder.splitAt(split.rest(), 8).due());
  }

  private static List<String> items(List<PendingEvent> events) {
    return events.stream().map(PendingEvent::getItemId).toList();
  }

  private static PendingEvent event(String item, long time, long ingest) {
    return event(item, time, ingest, "id-" + item);
  }

  private static PendingEvent event(String item, long time, long ingest, String id) {
    return new PendingEvent(id, item, time, ingest);
  }
}
