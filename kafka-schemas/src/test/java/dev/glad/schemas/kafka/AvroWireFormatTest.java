package dev.glad.schemas.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glad.schemas.ClusterMemory;
import dev.glad.schemas.DeadLetterReason;
import dev.glad.schemas.InteractionEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class AvroWireFormatTest {
  private final AvroWireFormat<InteractionEvent> events = AvroWireFormat.of(InteractionEvent.class);

  @Test
  void roundTripsAndStartsWithTheSingleObjectHeader() throws DecodingException {
    InteractionEvent event = TestRecords.click("e1", "u1", "i1", 1_000L);

    byte[] bytes = events.encode(event);

    assertEquals((byte) 0xC3, bytes[0]);
    assertEquals((byte) 0x01, bytes[1]);
    assertEquals(
        AvroWireFormat.fingerprintHex(events.schema()),
        java.util.HexFormat.of().formatHex(bytes, 2, 10));
    InteractionEvent decoded = events.decode(bytes);
    assertEquals(event, decoded);
    assertNull(decoded.getSessionId());
    assertEquals(Map.of(), decoded.getAttributes());
  }

  @Test
  void plainTextIsUndecodableAndTheMessageShowsTheBytes() {
    DecodingException e =
        assertThrows(
            DecodingException.class,
            () -> events.decode("hello, world".getBytes(StandardCharsets.UTF_8)));

    assertEquals(DeadLetterReason.UNDECODABLE, e.reason());
    assertEquals(
        "not an Avro single-object record (expected header C3 01 + 8-byte fingerprint),"
            + " got 12 bytes starting 68656c6c6f2c20776f72",
        e.getMessage());
  }

  @Test
  void tombstonesEmptyAndTruncatedValuesSayWhatTheyAre() {
    DecodingException e = assertThrows(DecodingException.class, () -> events.decode(null));
    assertEquals(DeadLetterReason.TOMBSTONE, e.reason());
    assertEquals("a tombstone (null value) where a InteractionEvent was expected", e.getMessage());
    e = assertThrows(DecodingException.class, () -> events.decode(new byte[0]));
    assertEquals(DeadLetterReason.EMPTY_VALUE, e.reason());
    e = assertThrows(DecodingException.class, () -> events.decode(new byte[] {(byte) 0xC3, 1, 5}));
    assertEquals(DeadLetterReason.TRUNCATED, e.reason());
    assertEquals(
        "the single-object header ends after 3 of 10 bytes (C3 01 + 8-byte fingerprint)",
        e.getMessage());
  }

  @Test
  void aRecordOfAnotherTypeIsForeignNotCorrupt() {
    byte[] cluster =
        AvroWireFormat.of(ClusterMemory.class)
            .encode(
                ClusterMemory.newBuilder()
                    .setClusterId(3)
                    .setModelVersion("m")
                    .setCentroid(List.of(1f))
                    .setHCE1(List.of(2f))
                    .setSize(1)
                    .build());

    DecodingException e = assertThrows(DecodingException.class, () -> events.decode(cluster));

    assertEquals(DeadLetterReason.FOREIGN_SCHEMA, e.reason());
    assertTrue(e.getMessage().startsWith("writer schema fingerprint "), e.getMessage());
    assertTrue(
        e.getMessage().contains("is not a known version of dev.glad.schemas.InteractionEvent"),
        e.getMessage());
  }

  @Test
  void aTruncatedBodyIsTruncated() {
    byte[] bytes = events.encode(TestRecords.click("event-1", "user-1", "item-1", 5L));
    byte[] truncated = Arrays.copyOf(bytes, bytes.length - 6);

    DecodingException e = assertThrows(DecodingException.class, () -> events.decode(truncated));

    assertEquals(DeadLetterReason.TRUNCATED, e.reason());
    assertTrue(e.getMessage().startsWith("InteractionEvent body ends early ("), e.getMessage());
  }

  @Test
  void readsRecordsOfAnEarlierSchemaVersionThroughResolution()
      throws IOException, DecodingException {
    // Given a producer still on a version without the optional fields
    Schema v0 =
        new Schema.Parser()
            .parse(
                "{\"type\":\"record\",\"name\":\"InteractionEvent\",\"namespace\":\"dev.glad.schemas\","
                    + "\"fields\":[{\"name\":\"eventId\",\"type\":\"string\"},"
                    + "{\"name\":\"userId\",\"type\":\"string\"},"
                    + "{\"name\":\"itemId\",\"type\":\"string\"},"
                    + "{\"name\":\"type\",\"type\":{\"type\":\"enum\",\"name\":\"EventType\","
                    + "\"symbols\":[\"CLICK\",\"PURCHASE\"]}},"
                    + "{\"name\":\"eventTime\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}}]}");
    GenericRecord old = new GenericData.Record(v0);
    old.put("eventId", "e9");
    old.put("userId", "u9");
    old.put("itemId", "i9");
    old.put("type", new GenericData.EnumSymbol(v0.getField("type").schema(), "PURCHASE"));
    old.put("eventTime", 42L);
    ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v0).encode(old);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);

    // When a reader that knows that version decodes it
    AvroWireFormat<InteractionEvent> reader =
        AvroWireFormat.of(InteractionEvent.class, List.of(v0));
    InteractionEvent event = reader.decode(bytes);

    // Then the new fields take their defaults
    assertEquals("e9", event.getEventId());
    assertEquals(42L, event.getEventTime().toEpochMilli());
    assertNull(event.getSessionId());
    assertEquals(Map.of(), event.getAttributes());
    // and a reader that does not know it says the schema is foreign
    assertEquals(
        DeadLetterReason.FOREIGN_SCHEMA,
        assertThrows(DecodingException.class, () -> events.decode(bytes)).reason());
  }

  @Test
  void encodingIsDeterministic() {
    InteractionEvent event = TestRecords.click("e1", "u1", "i1", 1_000L);
    assertArrayEquals(events.encode(event), events.encode(event));
  }
}
