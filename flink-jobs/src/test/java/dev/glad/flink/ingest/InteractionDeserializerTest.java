package dev.glad.flink.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glad.schemas.ClusterMemory;
import dev.glad.schemas.DeadLetter;
import dev.glad.schemas.DeadLetterReason;
import dev.glad.schemas.EventType;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.kafka.AvroWireFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InteractionDeserializerTest {
  private static final long NOW = 1_800_000_000_000L;
  private final AvroWireFormat<InteractionEvent> events = AvroWireFormat.of(InteractionEvent.class);
  private InteractionDeserializer deserializer;

  @BeforeEach
  void setUp() {
    deserializer = new InteractionDeserializer(Duration.ofHours(1));
    deserializer.open(null);
  }

  @Test
  void aValidEventKeepsItsOrigin() {
    InteractionEvent event = event("e1", "u1", "i1", NOW - 1_000);

    DecodedRecord r = deserializer.decode(record(events.encode(event)), NOW);

    assertTrue(r.isValid());
    assertEquals(event, r.event.event);
    assertEquals("topic", r.event.topic);
    assertEquals(3, r.event.partition);
    assertEquals(42L, r.event.offset);
    assertEquals(NOW, r.event.ingestTime);
    assertEquals(NOW - 1_000, r.eventTimeOrMin());
  }

  @Test
  void undecodableBytesBecomeADeadLetterWithTheRawBytes() {
    byte[] raw = "garbage".getBytes(StandardCharsets.UTF_8);

    DeadLetter dl = deadLetter(deserializer.decode(record(raw), NOW));

    assertEquals(DeadLetterReason.UNDECODABLE, dl.getReason());
    assertEquals(ByteBuffer.wrap(raw), dl.getRawValue());
    assertEquals(ByteBuffer.wrap("key".getBytes(StandardCharsets.UTF_8)), dl.getRawKey());
    assertEquals("topic", dl.getSourceTopic());
    assertEquals(3, dl.getSourcePartition());
    assertEquals(42L, dl.getSourceOffset());
    assertEquals(NOW, dl.getDeadLetterTime().toEpochMilli());
  }

  @Test
  void aRecordOfAnotherSchemaIsForeign() {
    byte[] foreign =
        AvroWireFormat.of(ClusterMemory.class)
            .encode(
                ClusterMemory.newBuilder()
                    .setClusterId(1)
                    .setModelVersion("x")
                    .setCentroid(List.of())
                    .setHCE1(List.of())
                    .setSize(0)
                    .build());

    assertEquals(
        DeadLetterReason.FOREIGN_SCHEMA,
        deadLetter(deserializer.decode(record(foreign), NOW)).getReason());
  }

  @Test
  void aNullValueIsUndecodable() {
    assertEquals(
        DeadLetterReason.UNDECODABLE,
        deadLetter(deserializer.decode(record(null), NOW)).getReason());
  }

  @Test
  void invalidFieldsAreNamed() {
    DeadLetter empty =
        deadLetter(deserializer.decode(record(events.encode(event("e", "u", " ", NOW))), NOW));
    assertEquals(DeadLetterReason.INVALID_EVENT, empty.getReason());
    assertEquals("itemId is empty", empty.getDetail());
    assertEquals("e", empty.getEventId());
    assertEquals("u", empty.getUserId());

    DeadLetter future =
        deadLetter(
            deserializer.decode(
                record(events.encode(event("e", "u", "i", NOW + Duration.ofHours(2).toMillis()))),
                NOW));
    assertEquals(DeadLetterReason.INVALID_EVENT, future.getReason());
    assertEquals(
        "eventTime 2027-01-15T10:00:00Z is PT2H ahead of the processing time (at most PT1H"
            + " allowed)",
        future.getDetail());
  }

  @Test
  void overlongIdsAreInvalid() {
    String longId = "x".repeat(EventValidator.MAX_ID_LENGTH + 1);
    DeadLetter dl =
        deadLetter(deserializer.decode(record(events.encode(event(longId, "u", "i", NOW))), NOW));
    assertEquals("eventId has 257 characters (at most 256)", dl.getDetail());
  }

  private static DeadLetter deadLetter(DecodedRecord r) {
    assertFalse(r.isValid());
    assertEquals(Long.MIN_VALUE, r.eventTimeOrMin());
    return r.deadLetter;
  }

  private static ConsumerRecord<byte[], byte[]> record(byte[] value) {
    return new ConsumerRecord<>("topic", 3, 42L, "key".getBytes(StandardCharsets.UTF_8), value);
  }

  static InteractionEvent event(String id, String user, String item, long time) {
    return InteractionEvent.newBuilder()
        .setEventId(id)
        .setUserId(user)
        .setItemId(item)
        .setType(EventType.CLICK)
        .setEventTime(Instant.ofEpochMilli(time))
        .build();
  }
}
