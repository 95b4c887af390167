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
    deserializer = new InteractionDeserializer(InputRules.defaults());
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
    assertEquals(ByteBuffer.wrap("u1".getBytes(StandardCharsets.UTF_8)), dl.getRawKey());
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
  void aTombstoneAnEmptyValueAndACutRecordSayWhatTheyAre() {
    assertEquals(
        DeadLetterReason.TOMBSTONE, deadLetter(deserializer.decode(record(null), NOW)).getReason());
    assertEquals(
        DeadLetterReason.EMPTY_VALUE,
        deadLetter(deserializer.decode(record(new byte[0]), NOW)).getReason());
    byte[] whole = events.encode(event("e1", "u1", "item-1", NOW));
    assertEquals(
        DeadLetterReason.TRUNCATED,
        deadLetter(deserializer.decode(record(java.util.Arrays.copyOf(whole, 14)), NOW))
            .getReason());
  }

  @Test
  void aKeyThatIsNotTheUserIdIsAMismatchAndAMissingKeyIsAcceptedAndCounted() {
    byte[] value = events.encode(event("e1", "u1", "i1", NOW));
    DeadLetter dl =
        deadLetter(
            deserializer.decode(
                new ConsumerRecord<>("topic", 3, 42L, "u2".getBytes(StandardCharsets.UTF_8), value),
                NOW));
    assertEquals(DeadLetterReason.KEY_MISMATCH, dl.getReason());
    assertEquals(
        "the record key 'u2' is not the event's userId 'u1' (producers key events by user id)",
        dl.getDetail());

    DecodedRecord keyless =
        deserializer.decode(new ConsumerRecord<>("topic", 3, 43L, null, value), NOW);
    assertTrue(keyless.isValid());
    assertEquals(1, deserializer.eventsWithoutKey());
  }

  @Test
  void oversizedAttributesAndUnsupportedTypesAreNamedWithTheirSetting() {
    InteractionEvent big =
        InteractionEvent.newBuilder(event("e", "u", "i", NOW))
            .setAttributes(java.util.Map.of("surface", "x".repeat(5_000)))
            .build();
    DeadLetter dl = deadLetter(deserializer.decode(record(events.encode(big)), NOW));
    assertEquals(DeadLetterReason.OVERSIZED_FIELD, dl.getReason());
    assertEquals(
        "sessionId and attributes take 5007 bytes (at most 4096, setting max-attribute-bytes)",
        dl.getDetail());

    InteractionEvent view =
        InteractionEvent.newBuilder(event("e", "u", "i", NOW)).setType(EventType.VIEW).build();
    dl = deadLetter(deserializer.decode(record(events.encode(view)), NOW));
    assertEquals(DeadLetterReason.UNSUPPORTED_EVENT_TYPE, dl.getReason());
    assertEquals(
        "type VIEW is not one the job learns from [CLICK, PURCHASE] (setting event-types)",
        dl.getDetail());
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
  void overlongIdsAreOversized() {
    String longId = "x".repeat(InputRules.defaults().maxIdLength() + 1);
    DeadLetter dl =
        deadLetter(deserializer.decode(record(events.encode(event(longId, "u", "i", NOW))), NOW));
    assertEquals(DeadLetterReason.OVERSIZED_FIELD, dl.getReason());
    assertEquals("eventId has 257 characters (at most 256, setting max-id-length)", dl.getDetail());
  }

  private static DeadLetter deadLetter(DecodedRecord r) {
    assertFalse(r.isValid());
    assertEquals(Long.MIN_VALUE, r.eventTimeOrMin());
    return r.deadLetter;
  }

  /** A record keyed as producers key them: by the event's user id (tests use "u" or "u1"). */
  private ConsumerRecord<byte[], byte[]> record(byte[] value) {
    String key = "u1";
    try {
      key = events.decode(value).getUserId();
    } catch (Exception e) {
      // not an event: any key
    }
    return new ConsumerRecord<>("topic", 3, 42L, key.getBytes(StandardCharsets.UTF_8), value);
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
