package dev.glad.flink.ingest;

import dev.glad.schemas.DeadLetter;
import dev.glad.schemas.DeadLetterReason;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.kafka.AvroWireFormat;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.flink.util.OutputTag;

/** The one place dead-letter records are built and the side output that carries them. */
public final class DeadLetters {
  /** Side output of every operator that rejects input. */
  public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters") {};

  private static final AvroWireFormat<InteractionEvent> EVENTS =
      AvroWireFormat.of(InteractionEvent.class);

  private DeadLetters() {}

  /** A record that did not decode or validate: its bytes exactly as read. */
  public static DeadLetter ofRawRecord(
      byte[] key,
      byte[] value,
      String topic,
      int partition,
      long offset,
      DeadLetterReason reason,
      String detail,
      InteractionEvent decodedOrNull,
      long nowMillis) {
    return DeadLetter.newBuilder()
        .setRawKey(key == null ? null : ByteBuffer.wrap(key))
        .setRawValue(value == null ? null : ByteBuffer.wrap(value))
        .setSourceTopic(topic)
        .setSourcePartition(partition)
        .setSourceOffset(offset)
        .setReason(reason)
        .setDetail(detail)
        .setEventId(decodedOrNull == null ? null : bounded(decodedOrNull.getEventId()))
        .setUserId(decodedOrNull == null ? null : bounded(decodedOrNull.getUserId()))
        .setDeadLetterTime(Instant.ofEpochMilli(nowMillis))
        .build();
  }

  /** Ids copied into a dead letter are cut to this many characters (an oversized id stays raw). */
  static final int MAX_COPIED_ID = 256;

  private static String bounded(String id) {
    return id == null || id.length() <= MAX_COPIED_ID ? id : id.substring(0, MAX_COPIED_ID);
  }

  /**
   * A valid event a later stage refuses (duplicate, too late). Its value is the event's encoding,
   * which equals the bytes read because Avro binary encoding is deterministic.
   */
  public static DeadLetter ofEvent(
      IngestedEvent ingested, DeadLetterReason reason, String detail, long nowMillis) {
    InteractionEvent event = ingested.event;
    return ofRawRecord(
        event.getUserId().getBytes(java.nio.charset.StandardCharsets.UTF_8),
        EVENTS.encode(event),
        ingested.topic,
        ingested.partition,
        ingested.offset,
        reason,
        detail,
        event,
        nowMillis);
  }
}
