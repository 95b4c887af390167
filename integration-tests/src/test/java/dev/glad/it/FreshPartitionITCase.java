package dev.glad.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glad.schemas.kafka.GladTopics;
import dev.glad.tools.kafka.TopicAdmin;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fresh-partition send stall (KAFKA-15591, fixed in Kafka 4.5; our broker and clients are 4.2):
 * a broker accepts any first sequence number from an idempotent producer it has no state for. When
 * a producer's first batch to a just-created partition fails retriably (the partition's log does
 * not exist yet although metadata already names its leader) and its second batch overtakes it, the
 * second is written and the first can never be: every retry is out of order until {@code
 * delivery.timeout.ms} expires it. This reproduces the broker's half deterministically, with raw
 * produce requests sent out of order, and checks the project's fix: topics are returned only once
 * every partition answers a list-offsets request ({@link TopicAdmin}), and bulk pre-fills keep one
 * request in flight.
 */
class FreshPartitionITCase {
  @RegisterExtension static final KafkaTestBroker KAFKA = new KafkaTestBroker();

  @Test
  void theBrokerAcceptsAnyFirstSequenceSoAnOvertakenFirstBatchIsNeverWritten() throws Exception {
    // Given a new partition and a producer id the broker has no state for
    String topic = "stall-repro";
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      TopicAdmin.awaitWritable(admin, List.of(topic), java.time.Duration.ofSeconds(30));
    }
    try (RawClient raw = new RawClient(KAFKA.bootstrapServers())) {
      InitProducerIdResponse init = raw.initProducerId();
      long producerId = init.data().producerId();
      short epoch = init.data().producerEpoch();

      // When the second batch (sequences 3..4) arrives before the first (0..2)
      Errors second = raw.produce(topic, producerId, epoch, 3, "d", "e");
      Errors first = raw.produce(topic, producerId, epoch, 0, "a", "b", "c");

      // Then the broker wrote the second and refuses the first for good
      assertThat(second).isEqualTo(Errors.NONE);
      assertThat(first).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
      assertThat(raw.produce(topic, producerId, epoch, 0, "a", "b", "c"))
          .isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
    }
  }

  @Test
  void topicsFromTopicAdminTakeEverySendAtOnce() throws Exception {
    for (int round = 0; round < 3; round++) {
      // Given topics just created by the project's admin (16 partitions, so a send reaches many
      // fresh logs at once)
      GladTopics topics = GladTopics.withPrefix("fresh" + round + ".");
      TopicAdmin.createMissing(KAFKA.bootstrapServers(), topics, 16, (short) 1);

      // When an idempotent producer with five requests in flight sends to every partition at once
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
      p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
      p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
      p.put(ProducerConfig.BATCH_SIZE_CONFIG, "200");
      p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "20000");
      p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
        for (int i = 0; i < 2_000; i++) {
          acks.add(
              producer.send(
                  new ProducerRecord<>(
                      topics.interactions().name(),
                      i % 16,
                      null,
                      ("record-" + i).getBytes(StandardCharsets.UTF_8))));
        }
        // Then every record is acknowledged (a stalled partition would expire its first batch)
        for (Future<RecordMetadata> ack : acks) {
          assertThat(ack.get(30, TimeUnit.SECONDS).offset()).isNotNegative();
        }
      }
    }
  }

  private static Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    return Admin.create(p);
  }

  /** Kafka's wire protocol over a plain socket: requests go exactly in the order sent. */
  private static final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;
    private int correlationId;

    RawClient(String bootstrap) throws IOException {
      String[] hostPort = bootstrap.split(",")[0].split(":");
      socket = new Socket(hostPort[0], Integer.parseInt(hostPort[1]));
      out = new DataOutputStream(socket.getOutputStream());
      in = new DataInputStream(socket.getInputStream());
    }

    @SuppressWarnings("unchecked")
    <R extends AbstractResponse> R send(AbstractRequest request, ApiKeys api) throws IOException {
      RequestHeader header =
          new RequestHeader(api, request.version(), "glad-stall-repro", ++correlationId);
      ByteBuffer bytes = request.serializeWithHeader(header);
      out.writeInt(bytes.remaining());
      out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
      out.flush();
      byte[] response = new byte[in.readInt()];
      in.readFully(response);
      return (R) AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
    }

    /** A producer id and epoch, asked again while the broker is still loading its allocator. */
    InitProducerIdResponse initProducerId() throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        InitProducerIdResponse response =
            send(
                new InitProducerIdRequest.Builder(
                        new InitProducerIdRequestData()
                            .setTransactionalId(null)
                            .setTransactionTimeoutMs(60_000)
                            .setProducerId(-1)
                            .setProducerEpoch((short) -1))
                    .build((short) 4),
                ApiKeys.INIT_PRODUCER_ID);
        Errors error = Errors.forCode(response.data().errorCode());
        if (error == Errors.NONE) {
          return response;
        }
        if (!(error.exception() instanceof org.apache.kafka.common.errors.RetriableException)
            || System.nanoTime() > deadline) {
          throw new AssertionError("InitProducerId failed: " + error);
        }
        Thread.sleep(100);
      }
    }

    Errors produce(String topic, long producerId, short epoch, int baseSequence, String... values)
        throws IOException {
      SimpleRecord[] records = new SimpleRecord[values.length];
      for (int i = 0; i < values.length; i++) {
        records[i] = new SimpleRecord(values[i].getBytes(StandardCharsets.UTF_8));
      }
      MemoryRecords batch =
          MemoryRecords.withIdempotentRecords(
              Compression.NONE, producerId, epoch, baseSequence, records);
      ProduceRequestData data =
          new ProduceRequestData()
              .setAcks((short) -1)
              .setTimeoutMs(10_000)
              .setTopicData(
                  new ProduceRequestData.TopicProduceDataCollection(
                      List.of(
                              new ProduceRequestData.TopicProduceData()
                                  .setName(topic)
                                  .setPartitionData(
                                      List.of(
                                          new ProduceRequestData.PartitionProduceData()
                                              .setIndex(0)
                                              .setRecords(batch))))
                          .iterator()));
      ProduceResponse response =
          send(ProduceRequest.builder(data).build((short) 11), ApiKeys.PRODUCE);
      return Errors.forCode(
          response.data().responses().iterator().next().partitionResponses().get(0).errorCode());
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
