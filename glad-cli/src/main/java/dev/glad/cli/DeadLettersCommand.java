package dev.glad.cli;

import dev.glad.schemas.DeadLetter;
import dev.glad.schemas.DeadLetterReason;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.kafka.AvroWireFormat;
import dev.glad.schemas.kafka.DecodingException;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.schemas.kafka.Topic;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./glad dead-letters}: the dead-letter topic, decoded and readable: why each record was
 * refused, where it came from, and what it held (the event when it decodes, else its first bytes).
 */
@Command(
    name = "dead-letters",
    mixinStandardHelpOptions = true,
    description =
        "Prints the dead letters (read_committed, oldest first): reason, origin, detail, and the"
            + " record decoded where it can be; then a count per reason.")
final class DeadLettersCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT")
  String bootstrapServers;

  @Option(names = "--topic-prefix", defaultValue = GladTopics.DEFAULT_PREFIX)
  String topicPrefix;

  @Option(
      names = "--reason",
      paramLabel = "R",
      description = "only this reason (UNDECODABLE, TOO_LATE, KEY_MISMATCH, ...)")
  DeadLetterReason reason;

  @Option(
      names = "--limit",
      defaultValue = "100",
      description = "print at most N (default: ${DEFAULT-VALUE}; the counts cover all)")
  int limit;

  @CommandLine.Mixin KafkaClientOptions kafka;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Topic<byte[], DeadLetter> topic = GladTopics.withPrefix(topicPrefix).deadLetters();
    Properties p = kafka.config().properties(bootstrapServers);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    Map<DeadLetterReason, Integer> counts = new TreeMap<>();
    int printed = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic.name()).stream()
              .map(info -> new TopicPartition(topic.name(), info.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          DeadLetter dl = topic.deserializeValue(r.value());
          counts.merge(dl.getReason(), 1, Integer::sum);
          if ((reason == null || dl.getReason() == reason) && printed < limit) {
            out.println(describe(dl));
            printed++;
          }
        }
      }
    }
    out.println(
        (counts.isEmpty() ? "no dead letters" : "dead letters by reason: " + counts)
            + " in "
            + topic.name());
    return 0;
  }

  /** One dead letter as readable lines. */
  static String describe(DeadLetter dl) {
    StringBuilder sb = new StringBuilder();
    sb.append(dl.getDeadLetterTime())
        .append("  ")
        .append(dl.getReason())
        .append("  ")
        .append(dl.getSourceTopic())
        .append('-')
        .append(dl.getSourcePartition())
        .append('@')
        .append(dl.getSourceOffset())
        .append('\n');
    sb.append("  why:   ").append(dl.getDetail()).append('\n');
    if (dl.getUserId() != null || dl.getEventId() != null) {
      sb.append("  event: ").append(dl.getEventId()).append(" of user ").append(dl.getUserId());
      sb.append('\n');
    }
    sb.append("  key:   ").append(text(dl.getRawKey())).append('\n');
    sb.append("  value: ").append(value(dl.getRawValue()));
    return sb.toString();
  }

  private static String value(ByteBuffer raw) {
    if (raw == null) {
      return "(null: a tombstone)";
    }
    byte[] bytes = bytes(raw);
    try {
      InteractionEvent event = AvroWireFormat.of(InteractionEvent.class).decode(bytes);
      return event.toString();
    } catch (DecodingException e) {
      return bytes.length
          + " bytes: "
          + HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 32))
          + (bytes.length > 32 ? "..." : "");
    }
  }

  private static String text(ByteBuffer raw) {
    if (raw == null) {
      return "(none)";
    }
    String s = new String(bytes(raw), StandardCharsets.UTF_8);
    return s.length() > 120 ? s.substring(0, 117) + "..." : s;
  }

  private static byte[] bytes(ByteBuffer raw) {
    byte[] b = new byte[raw.remaining()];
    raw.duplicate().get(b);
    return b;
  }
}
