package dev.glad.flink.ingest;

import dev.glad.schemas.DeadLetterReason;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.kafka.AvroWireFormat;
import dev.glad.schemas.kafka.DecodingException;
import java.time.Duration;
import java.util.Optional;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns every Kafka record of the interactions topic into a {@link DecodedRecord}: a valid event,
 * or a dead letter that says why. It never throws on bad input, so a poison record cannot stop or
 * restart-loop the job.
 */
public final class InteractionDeserializer
    implements KafkaRecordDeserializationSchema<DecodedRecord> {
  private static final long serialVersionUID = 1L;

  private final Duration maxEventTimeAhead;
  private transient AvroWireFormat<InteractionEvent> format;
  private transient EventValidator validator;

  public InteractionDeserializer(Duration maxEventTimeAhead) {
    this.maxEventTimeAhead = maxEventTimeAhead;
  }

  @Override
  public void open(
      org.apache.flink.api.common.serialization.DeserializationSchema.InitializationContext
          context) {
    init();
  }

  private void init() {
    if (format == null) {
      format = AvroWireFormat.of(InteractionEvent.class);
      validator = new EventValidator(maxEventTimeAhead);
    }
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedRecord> out) {
    init();
    out.collect(decode(record, System.currentTimeMillis()));
  }

  /** The pure decision, separated for tests. */
  DecodedRecord decode(ConsumerRecord<byte[], byte[]> record, long nowMillis) {
    InteractionEvent event;
    try {
      event = format.decode(record.value());
    } catch (DecodingException e) {
      return DecodedRecord.rejected(
          DeadLetters.ofRawRecord(
              record.key(),
              record.value(),
              record.topic(),
              record.partition(),
              record.offset(),
              e.reason(),
              e.getMessage(),
              null,
              nowMillis));
    }
    Optional<String> problem = validator.problem(event, nowMillis);
    if (problem.isPresent()) {
      return DecodedRecord.rejected(
          DeadLetters.ofRawRecord(
              record.key(),
              record.value(),
              record.topic(),
              record.partition(),
              record.offset(),
              DeadLetterReason.INVALID_EVENT,
              problem.get(),
              event,
              nowMillis));
    }
    return DecodedRecord.valid(
        new IngestedEvent(event, record.topic(), record.partition(), record.offset(), nowMillis));
  }

  @Override
  public TypeInformation<DecodedRecord> getProducedType() {
    return TypeInformation.of(DecodedRecord.class);
  }
}
