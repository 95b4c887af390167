package dev.glad.cli;

import dev.glad.tools.bench.StreamBench;
import dev.glad.tools.demo.DemoModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./glad bench}: steady-state throughput of the memory job against its ceilings. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description =
        "Steady-state throughput of the memory job in three modes alternated in one run (chunking"
            + " only; the whole job with a no-op encoder; the whole job), medians of the rounds,"
            + " cluster records per chunk, broadcast rate, checkpoint size; then the latency from"
            + " an event to its committed memory at a fraction of the measured rate (--json, PNG);"
            + " see docs/BENCHMARKS.md.")
final class BenchCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin BenchOptions bench;

  @Option(names = "--users", defaultValue = "10000", description = "distinct users of the stream")
  int users;

  @Option(
      names = "--items",
      defaultValue = "55000",
      description = "catalogue of the stream (use the model's: its vocabulary)")
  int items;

  @Option(names = "--events", defaultValue = "5000000", description = "events per run")
  int events;

  @Option(
      names = "--modes",
      defaultValue = "CHUNKING,NOOP,FULL",
      split = ",",
      description = "modes to alternate: ${COMPLETION-CANDIDATES}")
  List<StreamBench.Mode> modes;

  @Option(names = "--repeats", defaultValue = "3", description = "rounds (medians over them)")
  int repeats;

  @Option(
      names = "--warmup",
      defaultValue = "20s",
      converter = Converters.JobDuration.class,
      description = "left out of the measurement: job start, model load, first checkpoints")
  Duration warmup;

  @Option(
      names = "--window",
      defaultValue = "60s",
      converter = Converters.JobDuration.class,
      description = "measured window (ends earlier after 10^6 events)")
  Duration window;

  @Option(
      names = "--cluster-publish-interval",
      defaultValue = "1s",
      converter = Converters.JobDuration.class,
      description = "the job's cluster-publish-interval (default: the job's)")
  Duration clusterPublishInterval;

  @Option(
      names = "--latency-load",
      defaultValue = "0.5",
      description =
          "the latency phase feeds the full job at this fraction of its measured rate (0: no"
              + " latency phase)")
  double latencyLoad;

  @Option(
      names = "--latency-duration",
      defaultValue = "60s",
      converter = Converters.JobDuration.class)
  Duration latencyDuration;

  @Option(
      names = "--png",
      paramLabel = "FILE",
      defaultValue = "bench-latency.png",
      description = "the latency histogram")
  Path png;

  @Override
  public Integer call() throws Exception {
    var out = Streams.out(spec);
    Path artifact = bench.modelOr(DemoModel.forBench(users, bench.seed), out);
    new StreamBench(
            new StreamBench.Options(
                artifact,
                users,
                items,
                events,
                modes,
                repeats,
                bench.parallelism,
                warmup,
                window,
                bench.checkpointInterval,
                clusterPublishInterval,
                latencyLoad,
                latencyDuration,
                bench.seed,
                bench.jobSettings,
                bench.json,
                png),
            out)
        .run();
    return 0;
  }
}
