package dev.glad.flink.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.glad.flink.ingest.DeadLetters;
import dev.glad.flink.ingest.IngestedEvent;
import dev.glad.schemas.CompletedChunk;
import dev.glad.schemas.DeadLetter;
import dev.glad.schemas.DeadLetterReason;
import dev.glad.schemas.EventType;
import dev.glad.schemas.InteractionEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChunkAssemblerTest {
  private static final Duration LATENESS = Duration.ofSeconds(10);
  private static final Duration DEDUPE = Duration.ofSeconds(60);

  private KeyedOneInputStreamOperatorTestHarness<String, IngestedEvent, CompletedChunk> harness;

  @BeforeEach
  void open() throws Exception {
    harness =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
            new ChunkAssembler(3, LATENESS, DEDUPE), e -> e.event.getUserId(), Types.STRING);
    harness.setStateBackend(new org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend());
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  @Test
  void releasesEventsInEventTimeOrderOnceTheWatermarkPassesThem() throws Exception {
    send("e3", "u", "c", 3_000);
    send("e1", "u", "a", 1_000);
    send("e2", "u", "b", 2_000);
    assertEquals(List.of(), chunks(), "nothing before the watermark");

    harness.processWatermark(3_000);

    assertEquals(List.of(List.of("a", "b", "c")), chunks());
    CompletedChunk chunk = harness.extractOutputValues().get(0);
    assertEquals(0L, chunk.getSequenceNumber());
    assertEquals(1_000L, chunk.getFirstEventTime().toEpochMilli());
    assertEquals(3_000L, chunk.getLastEventTime().toEpochMilli());
  }

  @Test
  void numbersChunksPerUserAndKeepsTheOpenTail() throws Exception {
    for (int i = 0; i < 7; i++) {
      send("e" + i, "u", "i" + i, 1_000 + i);
      send("f" + i, "v", "j" + i, 1_000 + i);
    }
    harness.processWatermark(10_000);

    List<CompletedChunk> out = harness.extractOutputValues();
    assertEquals(
        List.of("u#0", "u#1", "v#0", "v#1"),
        out.stream().map(c -> c.getUserId() + "#" + c.getSequenceNumber()).sorted().toList());
    assertEquals(
        List.of("i3", "i4", "i5"),
        out.stream()
            .filter(c -> c.getUserId().equals("u") && c.getSequenceNumber() == 1)
            .findFirst()
            .orElseThrow()
            .getItemIds());
  }

  @Test
  void tiesInEventTimeAreReleasedByEventId() throws Exception {
    send("b", "u", "second", 1_000);
    send("a", "u", "first", 1_000);
    send("c", "u", "third", 1_000);
    harness.processWatermark(1_000);

    assertEquals(List.of(List.of("first", "second", "third")), chunks());
  }

  @Test
  void duplicateEventIdIsDeadLetteredNotChunked() throws Exception {
    send("e1", "u", "a", 1_000);
    send("e1", "u", "a", 1_000);
    send("e2", "u", "b", 2_000);
    send("e3", "u", "c", 3_000);
    harness.processWatermark(5_000);

    assertEquals(List.of(List.of("a", "b", "c")), chunks());
    List<DeadLetter> dead = deadLetters();
    assertEquals(1, dead.size());
    assertEquals(DeadLetterReason.DUPLICATE_EVENT, dead.get(0).getReason());
    assertEquals("e1", dead.get(0).getEventId());
    assertEquals(
        "event id e1 was already seen (event time 1970-01-01T00:00:01Z) within the dedupe"
            + " window of PT1M",
        dead.get(0).getDetail());
  }

  @Test
  void lateEventWithinAllowedLatenessIsAppendedInArrivalOrder() throws Exception {
    send("e1", "u", "a", 20_000);
    harness.processWatermark(20_000);
    send("e0", "u", "late", 15_000); // 5 s behind the watermark, lateness 10 s
    send("e2", "u", "b", 21_000);
    harness.processWatermark(21_000);

    assertEquals(List.of(List.of("a", "late", "b")), chunks());
    assertEquals(List.of(), deadLetters());
  }

  @Test
  void eventBeyondAllowedLatenessIsDeadLetteredTooLate() throws Exception {
    send("e1", "u", "a", 20_000);
    harness.processWatermark(20_000);
    send("e0", "u", "very-late", 5_000); // 15 s behind, lateness 10 s

    List<DeadLetter> dead = deadLetters();
    assertEquals(1, dead.size());
    assertEquals(DeadLetterReason.TOO_LATE, dead.get(0).getReason());
    assertEquals(
        "event time 1970-01-01T00:00:05Z is PT15S behind the watermark 1970-01-01T00:00:20Z"
            + " (allowed lateness PT10S)",
        dead.get(0).getDetail());
    assertEquals("topic", dead.get(0).getSourceTopic());
    assertEquals(7L, dead.get(0).getSourceOffset());
  }

  @Test
  void stateAndTimersAreCleanedUpOnceTheWatermarkPassesTheDedupeWindow() throws Exception {
    for (int i = 0; i < 6; i++) {
      send("e" + i, "u" + (i % 2), "i" + i, 1_000 + i * 1_000);
    }
    harness.processWatermark(7_000);
    assertEquals(2, harness.extractOutputValues().size());
    // pending released; ids still remembered for duplicate detection
    assertEquals(true, harness.numEventTimeTimers() > 0);

    harness.processWatermark(7_000 + DEDUPE.toMillis() + 20_000);

    assertEquals(0, harness.numEventTimeTimers());
    // only the open-chunk entry of each user remains (it carries the next sequence number)
    assertEquals(2, harness.numKeyedStateEntries());
  }

  private void send(String eventId, String user, String item, long time) throws Exception {
    InteractionEvent event =
        InteractionEvent.newBuilder()
            .setEventId(eventId)
            .setUserId(user)
            .setItemId(item)
            .setType(EventType.CLICK)
            .setEventTime(Instant.ofEpochMilli(time))
            .build();
    harness.processElement(new StreamRecord<>(new IngestedEvent(event, "topic", 0, 7, 0), time));
  }

  private List<List<String>> chunks() {
    return harness.extractOutputValues().stream().map(CompletedChunk::getItemIds).toList();
  }

  private List<DeadLetter> deadLetters() {
    ConcurrentLinkedQueue<StreamRecord<DeadLetter>> side = harness.getSideOutput(DeadLetters.TAG);
    return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
  }
}
