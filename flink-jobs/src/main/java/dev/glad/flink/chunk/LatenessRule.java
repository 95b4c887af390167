package dev.glad.flink.chunk;

/**
 * What happens to an event given the current watermark. This is the documented rule for events that
 * arrive after the watermark has passed them:
 *
 * <ul>
 *   <li>{@link #IN_ORDER}: event time after the watermark. Buffered until the watermark passes it,
 *       then released in event-time order (ties by event id). This is how events within the allowed
 *       out-of-orderness end up in time order.
 *   <li>{@link #LATE_APPENDED}: at most {@code allowedLateness} behind the watermark. Items before
 *       it may already be in emitted chunks, so it cannot be put in its time slot; it is appended
 *       to the open chunk at once (arrival order) and counted in {@code lateEventsAppended}.
 *   <li>{@link #TOO_LATE}: more than {@code allowedLateness} behind. Dead-lettered with reason
 *       {@code TOO_LATE} and counted; it is never added to the memory.
 * </ul>
 */
public enum LatenessRule {
  IN_ORDER,
  LATE_APPENDED,
  TOO_LATE;

  /** Classifies an event; {@code watermark} is {@code Long.MIN_VALUE} before the first one. */
  public static LatenessRule classify(long eventTime, long watermark, long allowedLatenessMillis) {
    if (eventTime > watermark) {
      return IN_ORDER;
    }
    return watermark - eventTime <= allowedLatenessMillis ? LATE_APPENDED : TOO_LATE;
  }
}
