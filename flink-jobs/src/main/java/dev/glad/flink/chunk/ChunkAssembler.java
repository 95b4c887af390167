package dev.glad.flink.chunk;

import dev.glad.flink.erasure.Erasure;
import dev.glad.flink.ingest.DeadLetters;
import dev.glad.flink.ingest.IngestedEvent;
import dev.glad.flink.state.OpenChunk;
import dev.glad.flink.state.PendingEvent;
import dev.glad.flink.state.PendingEvents;
import dev.glad.schemas.CompletedChunk;
import dev.glad.schemas.DeadLetterReason;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Cuts each user's interactions into chunks of {@code c} items in event-time order (keyed by user
 * id). Thin Flink wrapper around {@link ChunkBuilder} and {@link LatenessRule}.
 *
 * <p>Keyed state (RocksDB in production):
 *
 * <ul>
 *   <li>{@code open-chunk} (Avro {@link OpenChunk}): the incomplete chunk, the next sequence number
 *       and the events waiting for the watermark, each waiting event time with an event-time timer.
 *       One record, so that an event costs a read of state that is there (recently written, in the
 *       memtable or a young file) instead of a per-event-time lookup that misses and searches every
 *       file of the LSM tree. No TTL, on purpose: the memory is long-term, a user's next chunk
 *       continues their numbering however long they were away, and the state is one small record
 *       per user.
 *   <li>{@code pending} (event time to Avro {@link PendingEvents}): where layout 1 (savepoints
 *       taken before 2026-12-01) kept the waiting events. Read only for a user whose record is of
 *       layout 1 or absent, whose events it moves into the record; then empty.
 *   <li>{@code seen-event-ids} (event id to event time): duplicate detection within {@code
 *       dedupeWindow} of event time. Entries are removed by cleanup timers on a coarse grid ({@code
 *       dedupeWindow / 4}), so a user gets few timers however many events they send.
 * </ul>
 *
 * <p>Duplicates and too-late events leave through {@link DeadLetters#TAG} with their reason.
 *
 * <p>Input 2 erases users: an {@link Erasure} removes the user's open chunk, pending events, dedupe
 * ids and their timers, counts them into the erasure, and passes it on in the chunk stream, after
 * every chunk of the user emitted before it. Events that come later start the user afresh.
 */
public final class ChunkAssembler
    extends KeyedCoProcessFunction<String, IngestedEvent, Erasure, ChunkOrErasure> {
  private static final long serialVersionUID = 1L;

  private final int chunkSize;
  private final long allowedLatenessMillis;
  private final long dedupeWindowMillis;
  private final long cleanupGranularityMillis;

  private transient ValueState<OpenChunk> openChunk;
  private transient MapState<Long, PendingEvents> layout1Pending;
  private transient MapState<String, Long> seenEventIds;

  /**
   * The cleanup timer this instance last registered per user, in a direct-mapped cache (a slot per
   * user hash, the latest user wins): a user's next events usually fall on the same grid time, and
   * registering an existing timer again is a RocksDB write. Not state: a restored or rescaled
   * instance starts empty and registers again (timers are idempotent); an erasure empties the
   * user's slot; a hit counts only while the watermark is below the time, i.e. the timer pending.
   */
  private static final int CLEANUP_TIMER_SLOTS = 1 << 16;

  private transient String[] cleanupTimerUsers;
  private transient long[] cleanupTimerTimes;

  private transient Counter chunksCompleted;
  private transient Counter duplicates;
  private transient Counter lateAppended;
  private transient Counter tooLate;

  public ChunkAssembler(int chunkSize, Duration allowedLateness, Duration dedupeWindow) {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunkSize must be >= 1, got " + chunkSize);
    }
    this.chunkSize = chunkSize;
    this.allowedLatenessMillis = allowedLateness.toMillis();
    this.dedupeWindowMillis = dedupeWindow.toMillis();
    this.cleanupGranularityMillis = Math.max(1, dedupeWindowMillis / 4);
  }

  /** The user's incomplete chunk: the descriptor savepoint readers use too. */
  public static ValueStateDescriptor<OpenChunk> openChunkDescriptor() {
    return new ValueStateDescriptor<>("open-chunk", new AvroTypeInfo<>(OpenChunk.class));
  }

  /** Layout 1's events waiting for the watermark, by event time (see the class comment). */
  public static MapStateDescriptor<Long, PendingEvents> pendingDescriptor() {
    return new MapStateDescriptor<>("pending", Types.LONG, new AvroTypeInfo<>(PendingEvents.class));
  }

  /** Event ids seen within the dedupe window, with their event times. */
  public static MapStateDescriptor<String, Long> seenEventIdsDescriptor() {
    return new MapStateDescriptor<>("seen-event-ids", Types.STRING, Types.LONG);
  }

  @Override
  public void open(OpenContext openContext) {
    openChunk = getRuntimeContext().getState(openChunkDescriptor());
    layout1Pending = getRuntimeContext().getMapState(pendingDescriptor());
    seenEventIds = getRuntimeContext().getMapState(seenEventIdsDescriptor());
    cleanupTimerUsers = new String[CLEANUP_TIMER_SLOTS];
    cleanupTimerTimes = new long[CLEANUP_TIMER_SLOTS];
    var metrics = getRuntimeContext().getMetricGroup();
    chunksCompleted = metrics.counter("chunksCompleted");
    duplicates = metrics.counter("duplicateEvents");
    lateAppended = metrics.counter("lateEventsAppended");
    tooLate = metrics.counter("tooLateEvents");
  }

  @Override
  public void processElement1(IngestedEvent in, Context ctx, Collector<ChunkOrErasure> out)
      throws Exception {
    String eventId = in.event.getEventId();
    long eventTime = in.eventTime();
    Long seenAt = seenEventIds.get(eventId);
    if (seenAt != null) {
      duplicates.inc();
      ctx.output(
          DeadLetters.TAG,
          DeadLetters.ofEvent(
              in,
              DeadLetterReason.DUPLICATE_EVENT,
              "event id "
                  + eventId
                  + " was already seen (event time "
                  + Instant.ofEpochMilli(seenAt)
                  + ") within the dedupe window of "
                  + Duration.ofMillis(dedupeWindowMillis),
              ctx.timerService().currentProcessingTime()));
      return;
    }
    long watermark = ctx.timerService().currentWatermark();
    PendingEvent event = new PendingEvent(eventId, in.event.getItemId(), eventTime, in.ingestTime);
    switch (LatenessRule.classify(eventTime, watermark, allowedLatenessMillis)) {
      case IN_ORDER -> {
        OpenChunk chunk = chunkState();
        if (!ChunkBuilder.waitsAt(chunk, eventTime)) {
          ctx.timerService().registerEventTimeTimer(eventTime);
        }
        chunk.getPending().add(event);
        openChunk.update(chunk);
        remember(eventId, eventTime, ctx);
      }
      case LATE_APPENDED -> {
        lateAppended.inc();
        remember(eventId, eventTime, ctx);
        OpenChunk chunk = chunkState();
        append(chunk, List.of(event), ctx.getCurrentKey(), out);
        openChunk.update(chunk);
      }
      case TOO_LATE -> {
        tooLate.inc();
        ctx.output(
            DeadLetters.TAG,
            DeadLetters.ofEvent(
                in,
                DeadLetterReason.TOO_LATE,
                "event time "
                    + Instant.ofEpochMilli(eventTime)
                    + " is "
                    + Duration.ofMillis(watermark - eventTime)
                    + " behind the watermark "
                    + Instant.ofEpochMilli(watermark)
                    + " (allowed lateness "
                    + Duration.ofMillis(allowedLatenessMillis)
                    + ")",
                ctx.timerService().currentProcessingTime()));
      }
    }
  }

  /** Removes everything the assembler holds of the user and passes the erasure on. */
  @Override
  public void processElement2(Erasure erasure, Context ctx, Collector<ChunkOrErasure> out)
      throws Exception {
    Set<Long> timers = new HashSet<>();
    OpenChunk chunk = openChunk.value();
    if (chunk != null) {
      erasure.openChunkItems = chunk.getItemIds().size();
      erasure.pendingEvents += chunk.getPending().size();
      chunk.getPending().forEach(e -> timers.add(e.getEventTime()));
      openChunk.clear();
    }
    if (chunk == null || chunk.getLayout() < ChunkBuilder.LAYOUT) {
      for (Map.Entry<Long, PendingEvents> e : layout1Pending.entries()) {
        erasure.pendingEvents += e.getValue().getEvents().size();
        timers.add(e.getKey());
      }
      layout1Pending.clear();
    }
    for (Map.Entry<String, Long> e : seenEventIds.entries()) {
      erasure.dedupeIds++;
      // every id still held has its cleanup timer pending: the timer removes it when it fires
      timers.add(cleanupTimerOf(e.getValue()));
    }
    seenEventIds.clear();
    for (long timer : timers) {
      ctx.timerService().deleteEventTimeTimer(timer);
    }
    int slot = cleanupSlot(ctx.getCurrentKey());
    if (ctx.getCurrentKey().equals(cleanupTimerUsers[slot])) {
      cleanupTimerUsers[slot] = null; // its timer is gone: the user's next event registers again
    }
    erasure.timers = timers.size();
    out.collect(ChunkOrErasure.of(erasure));
  }

  private void remember(String eventId, long eventTime, Context ctx) throws Exception {
    seenEventIds.put(eventId, eventTime);
    long cleanup = cleanupTimerOf(eventTime);
    String userId = ctx.getCurrentKey();
    int slot = cleanupSlot(userId);
    if (cleanup == cleanupTimerTimes[slot]
        && userId.equals(cleanupTimerUsers[slot])
        && cleanup > ctx.timerService().currentWatermark()) {
      return; // registered by this instance, not fired (watermark below it), not erased
    }
    ctx.timerService().registerEventTimeTimer(cleanup);
    cleanupTimerUsers[slot] = userId;
    cleanupTimerTimes[slot] = cleanup;
  }

  private static int cleanupSlot(String userId) {
    int h = userId.hashCode();
    return (h ^ (h >>> 16)) & (CLEANUP_TIMER_SLOTS - 1);
  }

  /** The timer that forgets an event id seen at {@code eventTime}: on a coarse grid. */
  private long cleanupTimerOf(long eventTime) {
    return ChunkBuilder.roundUp(eventTime + dedupeWindowMillis, cleanupGranularityMillis);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<ChunkOrErasure> out)
      throws Exception {
    OpenChunk chunk = chunkState();
    List<PendingEvent> due = ChunkBuilder.takeDue(chunk, timestamp);
    if (!due.isEmpty()) {
      append(chunk, due, ctx.getCurrentKey(), out);
      openChunk.update(chunk);
    }
    if (timestamp % cleanupGranularityMillis == 0) {
      forgetEventIdsBefore(timestamp - dedupeWindowMillis);
    }
  }

  private void forgetEventIdsBefore(long cutoffInclusive) throws Exception {
    Iterator<Map.Entry<String, Long>> it = seenEventIds.iterator();
    while (it.hasNext()) {
      if (it.next().getValue() <= cutoffInclusive) {
        it.remove();
      }
    }
    if (seenEventIds.isEmpty()) {
      seenEventIds.clear();
    }
  }

  /**
   * The user's record in layout {@link ChunkBuilder#LAYOUT}: the stored one, or an empty one not
   * yet written. A record of layout 1, or none (a new user, or one of layout 1 with nothing but
   * waiting events), first gets layout 1's waiting events from the old map, once per user: they
   * move into the record, which is written, and their event-time timers stay registered.
   */
  private OpenChunk chunkState() throws Exception {
    OpenChunk chunk = openChunk.value();
    if (chunk != null && chunk.getLayout() == ChunkBuilder.LAYOUT) {
      return chunk;
    }
    if (chunk == null) {
      chunk = ChunkBuilder.emptyChunk(0);
    }
    chunk.setLayout(ChunkBuilder.LAYOUT);
    boolean moved = false;
    for (PendingEvents atTime : layout1Pending.values()) {
      chunk.getPending().addAll(atTime.getEvents());
      moved = true;
    }
    if (moved) {
      openChunk.update(chunk);
      layout1Pending.clear();
    }
    return chunk;
  }

  private void append(
      OpenChunk chunk, List<PendingEvent> events, String userId, Collector<ChunkOrErasure> out) {
    for (PendingEvent event : events) {
      Optional<CompletedChunk> completed = ChunkBuilder.append(chunk, userId, event, chunkSize);
      if (completed.isPresent()) {
        chunksCompleted.inc();
        out.collect(ChunkOrErasure.of(completed.get()));
      }
    }
  }
}
