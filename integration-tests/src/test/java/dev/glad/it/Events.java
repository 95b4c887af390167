package dev.glad.it;

import dev.glad.schemas.EventType;
import dev.glad.schemas.InteractionEvent;
import java.time.Instant;

/** Test events with readable ids. */
final class Events {
  private Events() {}

  static InteractionEvent click(String eventId, String user, String item, long eventTime) {
    return InteractionEvent.newBuilder()
        .setEventId(eventId)
        .setUserId(user)
        .setItemId(item)
        .setType(EventType.CLICK)
        .setEventTime(Instant.ofEpochMilli(eventTime))
        .build();
  }
}
