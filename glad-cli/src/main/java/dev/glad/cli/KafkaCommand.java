package dev.glad.cli;

import dev.glad.schemas.kafka.GladTopics;
import dev.glad.tools.kafka.EmbeddedKafkaBroker;
import dev.glad.tools.kafka.TopicAdmin;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./glad kafka}: a standalone local broker with the GLAD topics. */
@Command(
    name = "kafka",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description =
        "A standalone local Kafka broker (KRaft, Kafka's own server classes, in one JVM) with the"
            + " GLAD topics; prints bootstrap.servers=...; Ctrl-C stops it.")
final class KafkaCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--port", defaultValue = "0", description = "listener port (0 = a free port)")
  int port;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "log directory, kept (default: a temporary one)")
  Path dataDir;

  @Option(names = "--partitions", defaultValue = "4", description = "partitions per topic")
  int partitions;

  @Option(
      names = "--topic-prefix",
      defaultValue = GladTopics.DEFAULT_PREFIX,
      description = "prefix of the GLAD topics")
  String topicPrefix;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder().port(port);
    if (dataDir != null) {
      builder.dataDirectory(dataDir);
    }
    EmbeddedKafkaBroker broker = builder.build();
    List<String> created =
        TopicAdmin.createMissing(
            broker.bootstrapServers(), GladTopics.withPrefix(topicPrefix), partitions, (short) 1);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  broker.close();
                  stopped.countDown();
                }));
    out.println("bootstrap.servers=" + broker.bootstrapServers());
    out.println("created topics: " + created + " (data in " + broker.dataDirectory() + ")");
    out.println("Kafka is running; Ctrl-C stops it.");
    out.flush();
    stopped.await();
    return 0;
  }
}
