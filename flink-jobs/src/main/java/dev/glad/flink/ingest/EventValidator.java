package dev.glad.flink.ingest;

import dev.glad.schemas.InteractionEvent;
import java.time.Duration;
import java.util.Optional;

/**
 * Field rules for an {@link InteractionEvent} that decoded: ids present and bounded, event time not
 * absurdly far in the future. A far-future event time would carry the watermark ahead and make
 * every following event of its partition "too late", so it is rejected rather than trusted.
 */
public final class EventValidator {
  /** Longest accepted id, in characters. */
  public static final int MAX_ID_LENGTH = 256;

  private final long maxAheadMillis;

  public EventValidator(Duration maxEventTimeAhead) {
    this.maxAheadMillis = maxEventTimeAhead.toMillis();
  }

  /**
   * @param nowMillis processing time the event is checked at
   * @return why the event is invalid, or empty when it is valid
   */
  public Optional<String> problem(InteractionEvent event, long nowMillis) {
    Optional<String> idProblem =
        idProblem("eventId", event.getEventId())
            .or(() -> idProblem("userId", event.getUserId()))
            .or(() -> idProblem("itemId", event.getItemId()));
    if (idProblem.isPresent()) {
      return idProblem;
    }
    long eventTime = event.getEventTime().toEpochMilli();
    if (eventTime < 0) {
      return Optional.of("eventTime " + eventTime + " is before 1970-01-01");
    }
    if (eventTime - nowMillis > maxAheadMillis) {
      return Optional.of(
          "eventTime "
              + event.getEventTime()
              + " is "
              + Duration.ofMillis(eventTime - nowMillis)
              + " ahead of the processing time (at most "
              + Duration.ofMillis(maxAheadMillis)
              + " allowed)");
    }
    return Optional.empty();
  }

  private static Optional<String> idProblem(String field, String value) {
    if (value == null || value.isBlank()) {
      return Optional.of(field + " is empty");
    }
    if (value.length() > MAX_ID_LENGTH) {
      return Optional.of(
          field + " has " + value.length() + " characters (at most " + MAX_ID_LENGTH + ")");
    }
    return Optional.empty();
  }
}
