package dev.glad.schemas.kafka;

import dev.glad.schemas.EventType;
import dev.glad.schemas.InteractionEvent;
import java.time.Instant;

final class TestRecords {
  private TestRecords() {}

  static InteractionEvent click(String eventId, String user, String item, long time) {
    return InteractionEvent.newBuilder()
        .setEventId(eventId)
        .setUserId(user)
        .setItemId(item)
        .setType(EventType.CLICK)
        .setEventTime(Instant.ofEpochMilli(time))
        .build();
  }
}
