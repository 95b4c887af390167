package dev.glad.flink.erasure;

import dev.glad.flink.ingest.InteractionDeserializer;
import dev.glad.schemas.UserDeletion;
import dev.glad.schemas.kafka.AvroWireFormat;
import dev.glad.schemas.kafka.DecodingException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns every record of the user-deletions topic into a {@link DecodedDeletion}: a valid request,
 * or the audit record of a rejected one that says why. It never throws on bad input.
 *
 * <p>An erasure cannot be undone, so an ambiguous request is rejected rather than guessed at: a
 * record whose key is a different string than its {@code userId} is rejected (a record without a
 * key is accepted: the job keys it by the field).
 */
public final class DeletionDeserializer
    implements KafkaRecordDeserializationSchema<DecodedDeletion> {
  private static final long serialVersionUID = 1L;

  private transient AvroWireFormat<UserDeletion> format;

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    init();
  }

  private void init() {
    if (format == null) {
      format = AvroWireFormat.of(UserDeletion.class);
    }
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedDeletion> out) {
    init();
    out.collect(decode(record, System.currentTimeMillis()));
  }

  /** The pure decision, separated for tests. */
  DecodedDeletion decode(ConsumerRecord<byte[], byte[]> record, long nowMillis) {
    init();
    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    if (record.value() == null) {
      return rejected(
          record,
          key,
          null,
          "the record has no value (a deletion request must be a UserDeletion)",
          nowMillis);
    }
    UserDeletion request;
    try {
      request = format.decode(record.value());
    } catch (DecodingException e) {
      return rejected(record, key, null, "undecodable: " + e.getMessage(), nowMillis);
    }
    String userId = request.getUserId();
    if (userId.isBlank()) {
      return rejected(
          record, key, request, "userId is blank: there is no user to erase", nowMillis);
    }
    if (key != null && !key.equals(userId)) {
      return rejected(
          record,
          userId,
          request,
          "the record key '"
              + InteractionDeserializer.abbreviate(key)
              + "' is not the request's userId '"
              + InteractionDeserializer.abbreviate(userId)
              + "' (requests are keyed by user id; an erasure cannot be undone, so an ambiguous"
              + " request erases nobody)",
          nowMillis);
    }
    return DecodedDeletion.valid(
        new Erasure(
            userId,
            request.getRequestId(),
            request.getRequestTime().toEpochMilli(),
            record.partition(),
            record.offset()));
  }

  private static DecodedDeletion rejected(
      ConsumerRecord<byte[], byte[]> record,
      String userIdOrNull,
      UserDeletion requestOrNull,
      String why,
      long nowMillis) {
    return DecodedDeletion.rejected(
        DeletionAudits.malformed(
            requestOrNull != null ? requestOrNull.getUserId() : userIdOrNull,
            requestOrNull != null ? requestOrNull.getRequestId() : null,
            requestOrNull != null ? requestOrNull.getRequestTime() : null,
            why,
            record.partition(),
            record.offset(),
            nowMillis));
  }

  @Override
  public TypeInformation<DecodedDeletion> getProducedType() {
    return TypeInformation.of(DecodedDeletion.class);
  }
}
