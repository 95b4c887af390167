package dev.glad.cli;

import dev.glad.schemas.kafka.GladTopics;
import dev.glad.tools.replay.DatasetReplay;
import dev.glad.tools.replay.ReplayProducer;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./glad replay}: publishes a dataset to the interactions topic. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description =
        "Publishes a dataset file (user item pairs, or RecBole .inter) to the interactions topic,"
            + " each user's events in order.")
final class ReplayCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin DataFileOptions input;

  @CommandLine.Mixin KafkaClientOptions kafka;

  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT")
  String bootstrapServers;

  @Option(names = "--topic-prefix", defaultValue = GladTopics.DEFAULT_PREFIX)
  String topicPrefix;

  @Option(names = "--rate", defaultValue = "20000", description = "events per second")
  int rate;

  @Option(names = "--limit", description = "publish at most this many events (default: all)")
  Long limit;

  @Option(
      names = "--gap-ms",
      defaultValue = "" + DatasetReplay.DEFAULT_GAP_MS,
      description = "event-time gap between a user's consecutive events")
  long gapMs;

  @Override
  public Integer call() {
    ReplayProducer.run(
        new ReplayProducer.Options(
            input.data,
            input.formatOrFromName(),
            bootstrapServers,
            kafka.config(),
            topicPrefix,
            rate,
            limit == null ? Long.MAX_VALUE : limit,
            gapMs),
        Streams.out(spec));
    return 0;
  }
}
