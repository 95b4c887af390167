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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Cuts each user's interactions into chunks of {@code c} items in event-time order (keyed by user
 * id). Thin Flink wrapper around {@link ChunkBuilder} and {@link LatenessRule}.
 *
 * <p>Keyed state (RocksDB in production), layout {@link ChunkBuilder#LAYOUT}:
 *
 * <ul>
 *   <li>{@code open-chunk} (Avro {@link OpenChunk}): the incomplete chunk, the next sequence number
 *       and the user's one release timer. No TTL, on purpose: the memory is long-term, a user's
 *       next chunk continues their numbering however long they were away, and the state is one
 *       small record per user.
 *   <li>{@code waiting} (list of Avro {@link PendingEvent}): events waiting for the watermark. An
 *       event is appended without reading anything (RocksDB's merge), and the release timer sits at
 *       the earliest waiting event time: when it fires, every waiting event at or before the
 *       watermark is released in {@link ChunkBuilder#RELEASE_ORDER} and the timer moves to the
 *       earliest of the rest. So an event costs no lookup that misses (layout 1 looked up its event
 *       time in a map, a miss that searched every file of the LSM tree), a user has one release
 *       timer instead of one per event time, and a user far behind the watermark (a catch-up read)
 *       costs one read of their list per watermark step, not one per event.
 *   <li>{@code pending} (event time to Avro {@link PendingEvents}): layout 1's place for waiting
 *       events (savepoints taken before 2026-12-01). Read only for a user whose record is of layout
 *       1 or absent; its events then move to {@code waiting}, once.
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
  private transient ListState<PendingEvent> waiting;
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

  /** Events waiting for the watermark (see the class comment). */
  public static ListStateDescriptor<PendingEvent> waitingDescriptor() {
    return new ListStateDescriptor<>("waiting", new AvroTypeInfo<>(PendingEvent.class));
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
    waiting = getRuntimeContext().getListState(waitingDescriptor());
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
        waiting.add(event);
        Long timer = chunk.getReleaseTimer();
        if (timer == null || eventTime < timer) {
          moveReleaseTimer(chunk, eventTime, ctx.timerService());
          openChunk.update(chunk);
        }
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
      if (chunk.getReleaseTimer() != null) {
        timers.add(chunk.getReleaseTimer());
      }
      openChunk.clear();
    }
    Iterable<PendingEvent> waitingEvents = waiting.get();
    if (waitingEvents != null) {
      waitingEvents.forEach(e -> erasure.pendingEvents++);
    }
    waiting.clear();
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
    OpenChunk chunk = openChunk.value();
    if (chunk == null || chunk.getLayout() < ChunkBuilder.LAYOUT) {
      chunk = layout1Moved(chunk); // null: nothing held (an erased user's stale layout-1 timer)
    }
    long watermark = ctx.timerService().currentWatermark();
    if (chunk != null && chunk.getReleaseTimer() != null && chunk.getReleaseTimer() <= watermark) {
      ChunkBuilder.Split split = ChunkBuilder.splitAt(waiting.get(), watermark);
      append(chunk, split.due(), ctx.getCurrentKey(), out);
      if (split.rest().isEmpty()) {
        waiting.clear();
        chunk.setReleaseTimer(null);
      } else {
        waiting.update(split.rest());
        long next = split.earliestRest();
        ctx.timerService().registerEventTimeTimer(next);
        chunk.setReleaseTimer(next);
      }
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

  /** The user's record in layout {@link ChunkBuilder#LAYOUT}, or an empty one not yet written. */
  private OpenChunk chunkState() throws Exception {
    OpenChunk chunk = openChunk.value();
    if (chunk != null && chunk.getLayout() == ChunkBuilder.LAYOUT) {
      return chunk;
    }
    OpenChunk moved = layout1Moved(chunk);
    return moved != null ? moved : ChunkBuilder.emptyChunk(0);
  }

  /**
   * Brings a record of layout 1, or a missing one, to layout {@link ChunkBuilder#LAYOUT}, once per
   * user: the old map's waiting events move to {@code waiting} and the release timer goes to the
   * earliest of them (layout 1 registered a timer per event time; the later ones fire and find
   * nothing to do unless they are the release timer by then). Writes the record when it changed;
   * returns null when the user has neither a record nor waiting events.
   */
  private OpenChunk layout1Moved(OpenChunk chunk) throws Exception {
    List<PendingEvent> moved = new ArrayList<>();
    for (PendingEvents atTime : layout1Pending.values()) {
      moved.addAll(atTime.getEvents());
    }
    if (chunk == null && moved.isEmpty()) {
      return null;
    }
    if (chunk == null) {
      chunk = ChunkBuilder.emptyChunk(0);
    }
    chunk.setLayout(ChunkBuilder.LAYOUT);
    if (!moved.isEmpty()) {
      waiting.addAll(moved);
      layout1Pending.clear();
      chunk.setReleaseTimer(ChunkBuilder.earliest(moved));
    }
    openChunk.update(chunk);
    return chunk;
  }

  /**
   * Puts the user's release timer at {@code time}, earlier than the one they have (if any), and
   * deletes that one unless it is also a dedupe cleanup time (one timer serves both there).
   */
  private void moveReleaseTimer(OpenChunk chunk, long time, TimerService timers) {
    Long previous = chunk.getReleaseTimer();
    if (previous != null && previous % cleanupGranularityMillis != 0) {
      timers.deleteEventTimeTimer(previous);
    }
    timers.registerEventTimeTimer(time);
    chunk.setReleaseTimer(time);
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
