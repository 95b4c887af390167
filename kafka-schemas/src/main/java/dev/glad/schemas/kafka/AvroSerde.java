package dev.glad.schemas.kafka;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde over {@link AvroWireFormat}. The deserializer throws {@link SerializationException}
 * with the decoding reason in its message; stream jobs that must not fail on bad input use {@link
 * AvroWireFormat#decode} directly and dead-letter instead.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {
  private final AvroWireFormat<T> format;

  public AvroSerde(AvroWireFormat<T> format) {
    this.format = format;
  }

  public AvroWireFormat<T> format() {
    return format;
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, record) -> record == null ? null : format.encode(record);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null; // a tombstone on a compacted topic
      }
      try {
        return format.decode(bytes);
      } catch (DecodingException e) {
        throw new SerializationException(
            "topic " + topic + ": " + e.reason() + ": " + e.getMessage(), e);
      }
    };
  }
}
