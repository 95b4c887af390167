package dev.glad.flink.memory;

import dev.glad.schemas.ClusterMemory;
import dev.glad.schemas.kafka.AvroWireFormat;
import dev.glad.schemas.kafka.DecodingException;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the cluster-memory topic back into the job. The job itself writes that topic, so a record
 * that does not decode means someone else wrote to it: it is skipped, logged and counted ({@code
 * clusterFeedbackUndecodable}), never allowed to stop the job. Tombstones are skipped too.
 */
public final class ClusterFeedbackDeserializer
    implements KafkaRecordDeserializationSchema<ClusterMemory> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ClusterFeedbackDeserializer.class);

  private transient AvroWireFormat<ClusterMemory> format;
  private transient Counter undecodable;

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    format = AvroWireFormat.of(ClusterMemory.class);
    undecodable = context.getMetricGroup().counter("clusterFeedbackUndecodable");
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ClusterMemory> out) {
    if (record.value() == null) {
      return;
    }
    try {
      out.collect(format.decode(record.value()));
    } catch (DecodingException e) {
      undecodable.inc();
      LOG.warn(
          "skipping a record of {}-{}@{} that is not a ClusterMemory: {}: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          e.reason(),
          e.getMessage());
    }
  }

  @Override
  public TypeInformation<ClusterMemory> getProducedType() {
    return new AvroTypeInfo<>(ClusterMemory.class);
  }
}
