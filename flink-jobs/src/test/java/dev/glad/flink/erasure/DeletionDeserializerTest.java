package dev.glad.flink.erasure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glad.schemas.DeletionAudit;
import dev.glad.schemas.DeletionOutcome;
import dev.glad.schemas.UserDeletion;
import dev.glad.schemas.kafka.AvroWireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class DeletionDeserializerTest {
  private static final long NOW = 1_800_000_000_000L;
  private final AvroWireFormat<UserDeletion> format = AvroWireFormat.of(UserDeletion.class);
  private final DeletionDeserializer deserializer = new DeletionDeserializer();

  @Test
  void aValidRequestBecomesAnErasureWithItsOrigin() {
    DecodedDeletion d = deserializer.decode(record("u1", format.encode(request("u1"))), NOW);

    assertTrue(d.isValid());
    assertEquals("u1", d.erasure.userId);
    assertEquals("req-1", d.erasure.requestId);
    assertEquals(1_000L, d.erasure.requestTimeMillis);
    assertEquals(3, d.erasure.sourcePartition);
    assertEquals(42L, d.erasure.sourceOffset);
  }

  @Test
  void aRequestWithoutAKeyIsKeyedByItsUser() {
    assertTrue(deserializer.decode(record(null, format.encode(request("u1"))), NOW).isValid());
  }

  @Test
  void undecodableBytesAreAuditedAsMalformedNeverThrown() {
    DeletionAudit a =
        rejected(
            record("u1", "garbage".getBytes(StandardCharsets.UTF_8)), DeletionOutcome.MALFORMED);

    assertEquals("u1", a.getUserId(), "the key names the user when the value does not");
    assertNull(a.getRequestId());
    assertTrue(a.getDetail().startsWith("undecodable: "), a.getDetail());
    assertEquals(3, a.getSourcePartition());
    assertEquals(42L, a.getSourceOffset());
    assertEquals(Instant.ofEpochMilli(NOW), a.getAuditTime());
  }

  @Test
  void anEmptyValueIsAuditedAsMalformed() {
    assertEquals(
        "the record has no value (a deletion request must be a UserDeletion)",
        rejected(record("u1", null), DeletionOutcome.MALFORMED).getDetail());
  }

  @Test
  void aBlankUserIsAuditedAsMalformed() {
    assertEquals(
        "userId is blank: there is no user to erase",
        rejected(record(null, format.encode(request(" "))), DeletionOutcome.MALFORMED).getDetail());
  }

  @Test
  void aKeyThatIsNotTheUserErasesNobody() {
    DeletionAudit a =
        rejected(record("u2", format.encode(request("u1"))), DeletionOutcome.MALFORMED);

    assertEquals("u1", a.getUserId());
    assertEquals("req-1", a.getRequestId());
    assertEquals(
        "the record key 'u2' is not the request's userId 'u1' (requests are keyed by user id; an"
            + " erasure cannot be undone, so an ambiguous request erases nobody)",
        a.getDetail());
  }

  private DeletionAudit rejected(ConsumerRecord<byte[], byte[]> record, DeletionOutcome outcome) {
    DecodedDeletion d = deserializer.decode(record, NOW);
    assertFalse(d.isValid());
    assertEquals(outcome, d.rejected.getOutcome());
    return d.rejected;
  }

  private static UserDeletion request(String user) {
    return new UserDeletion(user, "req-1", Instant.ofEpochMilli(1_000));
  }

  private static ConsumerRecord<byte[], byte[]> record(String key, byte[] value) {
    return new ConsumerRecord<>(
        "deletions", 3, 42L, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
  }
}
