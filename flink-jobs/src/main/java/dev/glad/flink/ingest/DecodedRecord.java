package dev.glad.flink.ingest;

import dev.glad.schemas.DeadLetter;

/**
 * What the interactions source emits for each Kafka record: exactly one of a valid event or a dead
 * letter. Decoding in the source lets watermarks be generated per Kafka partition from event time;
 * dead letters carry no event time and never move the watermark.
 */
public final class DecodedRecord {
  public IngestedEvent event;
  public DeadLetter deadLetter;

  public DecodedRecord() {}

  public static DecodedRecord valid(IngestedEvent event) {
    DecodedRecord r = new DecodedRecord();
    r.event = event;
    return r;
  }

  public static DecodedRecord rejected(DeadLetter deadLetter) {
    DecodedRecord r = new DecodedRecord();
    r.deadLetter = deadLetter;
    return r;
  }

  public boolean isValid() {
    return event != null;
  }

  /** Event time for watermarks; dead letters get {@code Long.MIN_VALUE}, which moves nothing. */
  public long eventTimeOrMin() {
    return event != null ? event.eventTime() : Long.MIN_VALUE;
  }

  @Override
  public String toString() {
    return event != null ? event.toString() : "DeadLetter{" + deadLetter + "}";
  }
}
