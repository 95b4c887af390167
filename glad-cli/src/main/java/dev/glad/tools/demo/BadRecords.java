package dev.glad.tools.demo;

import dev.glad.schemas.ClusterMemory;
import dev.glad.schemas.DeadLetterReason;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.kafka.AvroWireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The kinds of bad input the demo mixes into the stream, each with the dead-letter reason the job
 * must give it. One of each kind is sent in turn.
 */
public enum BadRecords {
  GARBAGE_BYTES(DeadLetterReason.UNDECODABLE),
  FOREIGN_SCHEMA(DeadLetterReason.FOREIGN_SCHEMA),
  EMPTY_ITEM_ID(DeadLetterReason.INVALID_EVENT),
  DUPLICATE(DeadLetterReason.DUPLICATE_EVENT),
  TOO_LATE(DeadLetterReason.TOO_LATE);

  private static final AvroWireFormat<InteractionEvent> EVENTS =
      AvroWireFormat.of(InteractionEvent.class);
  private static final AvroWireFormat<ClusterMemory> CLUSTERS =
      AvroWireFormat.of(ClusterMemory.class);

  private final DeadLetterReason expectedReason;

  BadRecords(DeadLetterReason expectedReason) {
    this.expectedReason = expectedReason;
  }

  public DeadLetterReason expectedReason() {
    return expectedReason;
  }

  /**
   * The record value of this kind.
   *
   * @param recent a valid event that was just sent (duplicated, or used as a template)
   * @param serial distinguishes the event ids of injected records
   * @param lateness how far back a too-late event is dated
   */
  public byte[] value(InteractionEvent recent, long serial, Duration lateness) {
    return switch (this) {
      case GARBAGE_BYTES -> ("not avro #" + serial).getBytes(StandardCharsets.UTF_8);
      case FOREIGN_SCHEMA ->
          CLUSTERS.encode(
              ClusterMemory.newBuilder()
                  .setClusterId((int) serial)
                  .setModelVersion("foreign")
                  .setCentroid(List.of(0f))
                  .setHCE1(List.of(0f))
                  .setSize(0)
                  .build());
      case EMPTY_ITEM_ID ->
          EVENTS.encode(
              InteractionEvent.newBuilder(recent)
                  .setEventId("bad-" + serial)
                  .setItemId("")
                  .build());
      case DUPLICATE -> EVENTS.encode(recent);
      case TOO_LATE ->
          EVENTS.encode(
              InteractionEvent.newBuilder(recent)
                  .setEventId("late-" + serial)
                  .setEventTime(recent.getEventTime().minus(lateness))
                  .build());
    };
  }

  /** The kind sent on the {@code turn}-th injection: all kinds in turn. */
  public static BadRecords ofTurn(long turn) {
    BadRecords[] all = values();
    return all[(int) (turn % all.length)];
  }
}
