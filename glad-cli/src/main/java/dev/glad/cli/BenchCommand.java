package dev.glad.cli;

import dev.glad.tools.bench.StreamBench;
import dev.glad.tools.demo.DemoModel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./glad bench}: throughput of the whole memory job. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description =
        "Throughput of the whole memory job per encoder batch size (bounded runs on a"
            + " MiniCluster, pre-filled topics, medians); see docs/BENCHMARKS.md.")
final class BenchCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description = "a GLAD artifact (default: the demo's)")
  Path model;

  @Option(names = "--model-cache", paramLabel = "DIR", description = "where demo models are kept")
  Path modelCache;

  @Option(
      names = "--chunk-size",
      defaultValue = "" + DemoModel.DEFAULT_CHUNK_SIZE,
      description = "c of the demo model trained when --model is not given")
  int chunkSize;

  @Option(names = "--users", defaultValue = "2000")
  int users;

  @Option(names = "--events", defaultValue = "100000")
  int events;

  @Option(names = "--batch-sizes", defaultValue = "1,16,64", split = ",")
  List<Integer> batchSizes;

  @Option(names = "--repeats", defaultValue = "3")
  int repeats;

  @Option(names = "--parallelism", defaultValue = "2")
  int parallelism;

  @Option(names = "--seed", defaultValue = "42")
  long seed;

  @Override
  public Integer call() throws Exception {
    var out = Streams.out(spec);
    Path artifact =
        model != null
            ? model
            : DemoModel.forStream(users, events, chunkSize, seed)
                .trainOrReuse(modelCache != null ? modelCache : Glad.defaultModelCache(), out);
    new StreamBench(
            new StreamBench.Options(
                artifact, chunkSize, users, events, batchSizes, repeats, parallelism, seed),
            out)
        .run();
    return 0;
  }
}
