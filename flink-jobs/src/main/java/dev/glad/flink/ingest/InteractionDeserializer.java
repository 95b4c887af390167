package dev.glad.flink.ingest;

import dev.glad.schemas.DeadLetterReason;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.kafka.AvroWireFormat;
import dev.glad.schemas.kafka.DecodingException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns every Kafka record of the interactions topic into a {@link DecodedRecord}: a valid event,
 * or a dead letter that says why. It never throws on bad input, so a poison record cannot stop or
 * restart-loop the job.
 *
 * <p>The key rule: producers key each event by its user id, so that a user's events stay in one
 * partition, in order. A record whose key is a different string is dead-lettered {@code
 * KEY_MISMATCH} (a producer keying by something else, or a corrupted id, would scatter a user's
 * events over partitions; the dead letter shows which). A record without a key is accepted — the
 * event's own user id keys it in the job — and counted ({@code eventsWithoutKey}): its order
 * relative to the user's other events is then only what event time restores within {@code
 * max-out-of-orderness}.
 */
public final class InteractionDeserializer
    implements KafkaRecordDeserializationSchema<DecodedRecord> {
  private static final long serialVersionUID = 2L;

  private final InputRules rules;
  private transient AvroWireFormat<InteractionEvent> format;
  private transient EventValidator validator;
  private transient Counter eventsWithoutKey;

  public InteractionDeserializer(InputRules rules) {
    this.rules = rules;
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    init();
    if (context != null) {
      eventsWithoutKey = context.getMetricGroup().counter("eventsWithoutKey");
    }
  }

  private void init() {
    if (format == null) {
      format = AvroWireFormat.of(InteractionEvent.class);
      validator = new EventValidator(rules);
      eventsWithoutKey = new SimpleCounter();
    }
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedRecord> out) {
    init();
    out.collect(decode(record, System.currentTimeMillis()));
  }

  /** Records without a key accepted so far (this task). */
  long eventsWithoutKey() {
    return eventsWithoutKey.getCount();
  }

  /** The pure decision, separated for tests. */
  DecodedRecord decode(ConsumerRecord<byte[], byte[]> record, long nowMillis) {
    InteractionEvent event;
    try {
      event = format.decode(record.value());
    } catch (DecodingException e) {
      return rejected(record, e.reason(), e.getMessage(), null, nowMillis);
    }
    Optional<EventValidator.Rejection> problem = validator.problem(event, nowMillis);
    if (problem.isPresent()) {
      return rejected(record, problem.get().reason(), problem.get().detail(), event, nowMillis);
    }
    if (record.key() == null) {
      eventsWithoutKey.inc();
    } else {
      String key = new String(record.key(), StandardCharsets.UTF_8);
      if (!key.equals(event.getUserId())) {
        return rejected(
            record,
            DeadLetterReason.KEY_MISMATCH,
            "the record key '"
                + abbreviate(key)
                + "' is not the event's userId '"
                + abbreviate(event.getUserId())
                + "' (producers key events by user id)",
            event,
            nowMillis);
      }
    }
    return DecodedRecord.valid(
        new IngestedEvent(event, record.topic(), record.partition(), record.offset(), nowMillis));
  }

  private static DecodedRecord rejected(
      ConsumerRecord<byte[], byte[]> record,
      DeadLetterReason reason,
      String detail,
      InteractionEvent decodedOrNull,
      long nowMillis) {
    return DecodedRecord.rejected(
        DeadLetters.ofRawRecord(
            record.key(),
            record.value(),
            record.topic(),
            record.partition(),
            record.offset(),
            reason,
            detail,
            decodedOrNull,
            nowMillis));
  }

  /** An id for a message: at most 80 characters. */
  public static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  @Override
  public TypeInformation<DecodedRecord> getProducedType() {
    return TypeInformation.of(DecodedRecord.class);
  }
}
