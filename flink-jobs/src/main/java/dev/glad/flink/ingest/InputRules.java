package dev.glad.flink.ingest;

import dev.glad.schemas.EventType;
import java.io.Serializable;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * The limits an interaction must keep to enter the memory, from the job's settings: which event
 * types it learns from, how long ids may be, how large the free-form fields may grow, how far ahead
 * of processing time an event may be.
 *
 * @param eventTypes the types the job learns from; others are {@code UNSUPPORTED_EVENT_TYPE}
 * @param maxIdLength longest eventId, userId, itemId in characters ({@code OVERSIZED_FIELD})
 * @param maxAttributeBytes most UTF-8 bytes of sessionId plus all attribute keys and values
 * @param maxEventTimeAhead events further ahead of processing time are {@code INVALID_EVENT}
 */
public record InputRules(
    Set<EventType> eventTypes, int maxIdLength, int maxAttributeBytes, Duration maxEventTimeAhead)
    implements Serializable {

  public InputRules {
    eventTypes = eventTypes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(eventTypes));
  }

  /** Rules for tests and tools: clicks and purchases, 256-character ids, 4 KiB, one hour. */
  public static InputRules defaults() {
    return new InputRules(
        EnumSet.of(EventType.CLICK, EventType.PURCHASE), 256, 4096, Duration.ofHours(1));
  }
}
