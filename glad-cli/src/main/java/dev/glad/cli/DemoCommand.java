package dev.glad.cli;

import dev.glad.tools.demo.DemoModel;
import dev.glad.tools.demo.DemoRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./glad demo}: the product end to end on one machine. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "The product end to end: in-process Kafka, a Flink MiniCluster, a synthetic stream.",
      "Trains a small GLAD model on the generator's history first (or reuses it), prints progress",
      "and a summary that checks exactly-once output, dead letters and how well the memory",
      "recovered planted interests."
    })
final class DemoCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--users", defaultValue = "2000", description = "generator users")
  int users;

  @Option(names = "--events", defaultValue = "100000", description = "events to stream")
  long events;

  @Option(names = "--rate", defaultValue = "10000", description = "events per second")
  int rate;

  @Option(
      names = "--chunk-size",
      defaultValue = "" + DemoModel.DEFAULT_CHUNK_SIZE,
      description = "c of the demo's model (the job takes c from the model)")
  int chunkSize;

  @Option(names = "--seed", defaultValue = "42", description = "generator and training seed")
  long seed;

  @Option(names = "--parallelism", defaultValue = "2", description = "job parallelism")
  int parallelism;

  @Option(names = "--partitions", defaultValue = "4", description = "partitions per topic")
  int partitions;

  @Option(
      names = "--bad-every",
      defaultValue = "2000",
      description = "inject a bad record every N events (0 = none)")
  long badEvery;

  @Option(
      names = "--jitter-ms",
      defaultValue = "2000",
      description = "event-time jitter of the stream (out-of-order events)")
  long jitterMs;

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description = "a GLAD artifact to use (default: train or reuse one in --model-cache)")
  Path model;

  @Option(
      names = "--model-cache",
      paramLabel = "DIR",
      description = "where demo models are kept (default: <repository>/.glad/models)")
  Path modelCache;

  @Override
  public Integer call() throws Exception {
    DemoRunner.Options options =
        new DemoRunner.Options(
            users,
            events,
            rate,
            chunkSize,
            seed,
            parallelism,
            partitions,
            badEvery,
            Duration.ofMillis(jitterMs),
            model,
            modelCache != null ? modelCache : Glad.defaultModelCache());
    return new DemoRunner(options, Streams.out(spec)).run() ? 0 : 1;
  }
}
