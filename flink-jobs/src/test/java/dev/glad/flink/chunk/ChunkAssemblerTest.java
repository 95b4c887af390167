package dev.glad.flink.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.glad.flink.erasure.Erasure;
import dev.glad.flink.ingest.DeadLetters;
import dev.glad.flink.ingest.IngestedEvent;
import dev.glad.flink.state.OpenChunk;
import dev.glad.flink.state.PendingEvent;
import dev.glad.flink.state.PendingEvents;
import dev.glad.schemas.CompletedChunk;
import dev.glad.schemas.DeadLetter;
import dev.glad.schemas.DeadLetterReason;
import dev.glad.schemas.EventType;
import dev.glad.schemas.InteractionEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChunkAssemblerTest {
  private static final Duration LATENESS = Duration.ofSeconds(10);
  private static final Duration DEDUPE = Duration.ofSeconds(60);

  private KeyedTwoInputStreamOperatorTestHarness<String, IngestedEvent, Erasure, ChunkOrErasure>
      harness;

  @BeforeEach
  void open() throws Exception {
    open(new HashMapStateBackend());
  }

  /**
   * A harness on {@code backend}. The heap backend is the default here because the harness counts
   * state entries only there; tests of what is serialized use RocksDB (Avro reads lists back as
   * arrays that cannot remove through their iterator).
   */
  private void open(StateBackend backend) throws Exception {
    // built by hand: the ProcessFunctionTestHarnesses factory opens the harness, after which a
    // state backend set on it no longer applies
    harness =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(new ChunkAssembler(3, LATENESS, DEDUPE)),
            e -> e.event.getUserId(),
            e -> e.userId,
            Types.STRING);
    harness.setStateBackend(backend);
    harness.open();
    // as in the job: the deletion requests' input is idle, so it never moves or holds event time
    harness.processWatermarkStatus2(WatermarkStatus.IDLE);
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

    watermark(3_000);

    assertEquals(List.of(List.of("a", "b", "c")), chunks());
    CompletedChunk chunk = completed().get(0);
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
    watermark(10_000);

    List<CompletedChunk> out = completed();
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
    watermark(1_000);

    assertEquals(List.of(List.of("first", "second", "third")), chunks());
  }

  @Test
  void duplicateEventIdIsDeadLetteredNotChunked() throws Exception {
    send("e1", "u", "a", 1_000);
    send("e1", "u", "a", 1_000);
    send("e2", "u", "b", 2_000);
    send("e3", "u", "c", 3_000);
    watermark(5_000);

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
    watermark(20_000);
    send("e0", "u", "late", 15_000); // 5 s behind the watermark, lateness 10 s
    send("e2", "u", "b", 21_000);
    watermark(21_000);

    assertEquals(List.of(List.of("a", "late", "b")), chunks());
    assertEquals(List.of(), deadLetters());
  }

  @Test
  void eventBeyondAllowedLatenessIsDeadLetteredTooLate() throws Exception {
    send("e1", "u", "a", 20_000);
    watermark(20_000);
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
    watermark(7_000);
    assertEquals(2, completed().size());
    // pending released; ids still remembered for duplicate detection
    assertEquals(true, harness.numEventTimeTimers() > 0);

    watermark(7_000 + DEDUPE.toMillis() + 20_000);

    assertEquals(0, harness.numEventTimeTimers());
    // only the open-chunk entry of each user remains (it carries the next sequence number)
    assertEquals(2, harness.numKeyedStateEntries());
  }

  @Test
  void anErasureRemovesTheUsersStateAndTimersAndFollowsTheirChunks() throws Exception {
    for (int i = 0; i < 5; i++) {
      send("a" + i, "u", "i" + i, 1_000 + i * 1_000);
    }
    send("b0", "other", "x", 1_500);
    watermark(4_000); // u: a0..a2 complete a chunk, a3 is open, a4 pending; other: open

    harness.processElement2(new Erasure("u", "req-1", 9, 0, 42), 0);

    assertEquals(List.of(List.of("i0", "i1", "i2")), chunks());
    ChunkOrErasure last = harness.extractOutputValues().get(1);
    assertEquals("u", last.erasure.userId, "the erasure comes after the user's chunk");
    Erasure e = erasures().get(0);
    assertEquals(1, e.openChunkItems);
    assertEquals(1, e.pendingEvents);
    assertEquals(5, e.dedupeIds);
    // a4's release timer and the ids' cleanup timer (a 15 s grid: all at 75 s)
    assertEquals(2, e.timers);
    assertEquals(2, harness.numKeyedStateEntries(), "the other user's open chunk and id remain");
    assertEquals(1, harness.numEventTimeTimers(), "the other user's cleanup timer remains");

    // the user's events start afresh: a duplicate of an erased id is new, chunks number from 0
    send("a0", "u", "j0", 6_000);
    send("c1", "u", "j1", 7_000);
    send("c2", "u", "j2", 8_000);
    watermark(200_000);
    assertEquals(List.of(List.of("i0", "i1", "i2"), List.of("j0", "j1", "j2")), chunks());
    assertEquals(0L, completed().get(1).getSequenceNumber());
    assertEquals(List.of(), deadLetters());
    // the erased cleanup timer (75 s) was registered again for the new ids, which are gone now
    assertEquals(0, harness.numEventTimeTimers());
    assertEquals(2, harness.numKeyedStateEntries(), "only the two users' open chunks remain");
  }

  @Test
  void erasingAUserTheAssemblerNeverSawRemovesNothing() throws Exception {
    harness.processElement2(new Erasure("nobody", "req-2", 9, 0, 1), 0);

    Erasure e = erasures().get(0);
    assertEquals(0, e.openChunkItems + e.pendingEvents + e.dedupeIds + e.timers);
  }

  @Test
  void aUserFarBehindTheWatermarkHasOneReleaseTimerAndIsReleasedStepByStep() throws Exception {
    for (int i = 2; i <= 5; i++) {
      send("e" + i, "u", "i" + i, i * 1_000);
    }
    send("e1", "u", "i1", 1_000); // earlier than every waiting event: the timer moves to it
    // one release timer at the earliest waiting event, one dedupe cleanup timer
    assertEquals(2, harness.numEventTimeTimers());

    watermark(2_500);
    assertEquals(List.of(), chunks(), "two items released, the chunk needs three");
    watermark(4_000);
    assertEquals(List.of(List.of("i1", "i2", "i3")), chunks());
    assertEquals(2, harness.numEventTimeTimers(), "the release timer moved to 5000");
    watermark(6_000);
    send("e6", "u", "i6", 7_000);
    watermark(7_000);
    assertEquals(List.of(List.of("i1", "i2", "i3"), List.of("i4", "i5", "i6")), chunks());
    assertEquals(1, harness.numEventTimeTimers(), "nothing waits: only the cleanup timer");
  }

  @Test
  void waitingEventsOfLayout1MoveIntoTheRecordAndAreReleasedInOrder() throws Exception {
    harness.close();
    open(new EmbeddedRocksDBStateBackend());
    // Given state as a savepoint of layout 1 holds it: u has an open chunk of layout 1 and events
    // waiting in the old map, v has nothing but waiting events; each event time has its timer
    OpenChunk uChunk = ChunkBuilder.emptyChunk(4);
    uChunk.getItemIds().add("a");
    uChunk.setLayout(1);
    writeLayout1("u", uChunk, pending("b1", "b", 2_000), pending("c1", "c", 3_000));
    writeLayout1("v", null, pending("x1", "x", 2_000));

    // When u sends an event between the waiting ones, and the watermark passes them all
    send("d1", "u", "d", 2_500);
    watermark(3_000);

    // Then every waiting event is released once, in event-time order after the open items
    assertEquals(List.of(List.of("a", "b", "d")), chunks());
    assertEquals(4L, completed().get(0).getSequenceNumber());
    for (String user : List.of("u", "v")) {
      assertEquals(false, layout1Pending(user).keys().iterator().hasNext(), user);
      OpenChunk record = openChunk(user);
      assertEquals(ChunkBuilder.LAYOUT, record.getLayout(), user);
      assertEquals(null, record.getReleaseTimer(), user);
      ((AbstractStreamOperator<?>) harness.getOperator()).setCurrentKey(user);
      assertEquals(null, keyedState(ChunkAssembler.waitingDescriptor()).get(), user);
    }
    assertEquals(List.of("c"), openChunk("u").getItemIds());
    assertEquals(List.of("x"), openChunk("v").getItemIds());
    assertEquals(5L, openChunk("u").getNextSequenceNumber());
    send("e1", "u", "e", 4_000);
    send("f1", "u", "f", 4_001);
    watermark(5_000);
    assertEquals(List.of(List.of("a", "b", "d"), List.of("c", "e", "f")), chunks());
  }

  private static PendingEvents pending(String eventId, String item, long time) {
    return new PendingEvents(new ArrayList<>(List.of(new PendingEvent(eventId, item, time, 0L))));
  }

  /** Writes a user's assembler state in layout 1, with the event-time timers layout 1 set. */
  private void writeLayout1(String user, OpenChunk chunk, PendingEvents... waiting)
      throws Exception {
    var operator = (AbstractStreamOperator<?>) harness.getOperator();
    operator.setCurrentKey(user);
    if (chunk != null) {
      keyedState(ChunkAssembler.openChunkDescriptor()).update(chunk);
    }
    InternalTimerService<VoidNamespace> timers =
        operator.getInternalTimerService(
            "user-timers",
            VoidNamespaceSerializer.INSTANCE,
            (Triggerable<Object, VoidNamespace>) operator);
    for (PendingEvents atTime : waiting) {
      long time = atTime.getEvents().get(0).getEventTime();
      layout1Pending(user).put(time, atTime);
      timers.registerEventTimeTimer(VoidNamespace.INSTANCE, time);
    }
  }

  private MapState<Long, PendingEvents> layout1Pending(String user) throws Exception {
    ((AbstractStreamOperator<?>) harness.getOperator()).setCurrentKey(user);
    return keyedState(ChunkAssembler.pendingDescriptor());
  }

  private OpenChunk openChunk(String user) throws Exception {
    ((AbstractStreamOperator<?>) harness.getOperator()).setCurrentKey(user);
    return keyedState(ChunkAssembler.openChunkDescriptor()).value();
  }

  private <S extends State> S keyedState(StateDescriptor<S, ?> descriptor) throws Exception {
    return ((AbstractStreamOperator<?>) harness.getOperator())
        .getKeyedStateBackend()
        .getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
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
    harness.processElement1(new StreamRecord<>(new IngestedEvent(event, "topic", 0, 7, 0), time));
  }

  private void watermark(long time) throws Exception {
    harness.processWatermark1(new Watermark(time));
  }

  private List<CompletedChunk> completed() {
    return harness.extractOutputValues().stream()
        .filter(ChunkOrErasure::isChunk)
        .map(r -> r.chunk)
        .toList();
  }

  private List<Erasure> erasures() {
    return harness.extractOutputValues().stream()
        .filter(r -> !r.isChunk())
        .map(r -> r.erasure)
        .toList();
  }

  private List<List<String>> chunks() {
    return completed().stream().map(CompletedChunk::getItemIds).toList();
  }

  private List<DeadLetter> deadLetters() {
    ConcurrentLinkedQueue<StreamRecord<DeadLetter>> side = harness.getSideOutput(DeadLetters.TAG);
    return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
  }
}
