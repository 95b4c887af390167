package dev.glad.flink.ingest;

import dev.glad.schemas.InteractionEvent;
import java.util.Objects;

/**
 * A valid interaction with where it was read from, so a later stage can still dead-letter it with
 * its origin. A Flink POJO (public fields, no-arg constructor) so it needs no Kryo.
 */
public final class IngestedEvent {
  public InteractionEvent event;
  public String topic;
  public int partition;
  public long offset;

  /** Processing time when the source read it: the start of the event-to-emit latency. */
  public long ingestTime;

  public IngestedEvent() {}

  public IngestedEvent(
      InteractionEvent event, String topic, int partition, long offset, long ingestTime) {
    this.event = event;
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.ingestTime = ingestTime;
  }

  public long eventTime() {
    return event.getEventTime().toEpochMilli();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IngestedEvent other
        && partition == other.partition
        && offset == other.offset
        && ingestTime == other.ingestTime
        && Objects.equals(event, other.event)
        && Objects.equals(topic, other.topic);
  }

  @Override
  public int hashCode() {
    return Objects.hash(event, topic, partition, offset, ingestTime);
  }

  @Override
  public String toString() {
    return "IngestedEvent{" + event + " from " + topic + "/" + partition + "@" + offset + "}";
  }
}
