package dev.glad.flink.ingest;

import dev.glad.schemas.DeadLetterReason;
import dev.glad.schemas.InteractionEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Field rules for an {@link InteractionEvent} that decoded, against the job's {@link InputRules}:
 * ids present and bounded, free-form fields bounded, the event type one the job learns from, event
 * time not absurdly far in the future. A far-future event time would carry the watermark ahead and
 * make every following event of its partition "too late", so it is rejected rather than trusted.
 */
public final class EventValidator {
  /** Why an event is refused. */
  public record Rejection(DeadLetterReason reason, String detail) {}

  private final InputRules rules;

  public EventValidator(InputRules rules) {
    this.rules = rules;
  }

  /**
   * @param nowMillis processing time the event is checked at
   * @return why the event is refused, or empty when it is valid
   */
  public Optional<Rejection> problem(InteractionEvent event, long nowMillis) {
    Optional<Rejection> idProblem =
        idProblem("eventId", event.getEventId())
            .or(() -> idProblem("userId", event.getUserId()))
            .or(() -> idProblem("itemId", event.getItemId()));
    if (idProblem.isPresent()) {
      return idProblem;
    }
    long extraBytes = utf8Length(event.getSessionId());
    for (Map.Entry<String, String> a : event.getAttributes().entrySet()) {
      extraBytes += utf8Length(a.getKey()) + utf8Length(a.getValue());
    }
    if (extraBytes > rules.maxAttributeBytes()) {
      return Optional.of(
          new Rejection(
              DeadLetterReason.OVERSIZED_FIELD,
              "sessionId and attributes take "
                  + extraBytes
                  + " bytes (at most "
                  + rules.maxAttributeBytes()
                  + ", setting max-attribute-bytes)"));
    }
    if (!rules.eventTypes().contains(event.getType())) {
      return Optional.of(
          new Rejection(
              DeadLetterReason.UNSUPPORTED_EVENT_TYPE,
              "type "
                  + event.getType()
                  + " is not one the job learns from "
                  + new TreeSet<>(rules.eventTypes())
                  + " (setting event-types)"));
    }
    long eventTime = event.getEventTime().toEpochMilli();
    if (eventTime < 0) {
      return invalid("eventTime " + eventTime + " is before 1970-01-01");
    }
    long maxAheadMillis = rules.maxEventTimeAhead().toMillis();
    if (eventTime - nowMillis > maxAheadMillis) {
      return invalid(
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

  private Optional<Rejection> idProblem(String field, String value) {
    if (value == null || value.isBlank()) {
      return invalid(field + " is empty");
    }
    if (value.length() > rules.maxIdLength()) {
      return Optional.of(
          new Rejection(
              DeadLetterReason.OVERSIZED_FIELD,
              field
                  + " has "
                  + value.length()
                  + " characters (at most "
                  + rules.maxIdLength()
                  + ", setting max-id-length)"));
    }
    return Optional.empty();
  }

  private static Optional<Rejection> invalid(String detail) {
    return Optional.of(new Rejection(DeadLetterReason.INVALID_EVENT, detail));
  }

  private static long utf8Length(String s) {
    return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
  }
}
