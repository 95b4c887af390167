package dev.glad.cli;

import dev.glad.tools.demo.DemoModel;
import dev.glad.tools.servebench.ServeBench;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./glad serve-bench}: latency and throughput of the ranking service. */
@Command(
    name = "serve-bench",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Closed-loop load test of the ranking service over loopback: an in-process broker with the"
          + " generator users' memories, the real server, N clients per cell; GLAD and short-term"
          + " only in the same run; p50/p99/p999 latency, requests/s (medians over rounds), a PNG"
          + " latency histogram and --json; see docs/BENCHMARKS.md."
    })
final class ServeBenchCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description = "a GLAD artifact trained on the generator's items (default: the demo's)")
  Path model;

  @Option(names = "--model-cache", paramLabel = "DIR", description = "where demo models are kept")
  Path modelCache;

  @Option(names = "--users", defaultValue = "2000", description = "generator users")
  int users;

  @Option(
      names = "--events",
      defaultValue = "100000",
      description = "generator history events the memories are built from")
  int events;

  @Option(names = "--concurrency", defaultValue = "1,8,32", split = ",")
  List<Integer> concurrencies;

  @Option(names = "--candidates", defaultValue = "100,1000", split = ",")
  List<Integer> candidates;

  @Option(names = "--duration", defaultValue = "5", description = "seconds per cell and round")
  int durationSeconds;

  @Option(names = "--rounds", defaultValue = "3", description = "rounds over all cells")
  int rounds;

  @Option(names = "--warmup", defaultValue = "10", description = "seconds of warm-up")
  int warmupSeconds;

  @Option(names = "--seed", defaultValue = "42")
  long seed;

  @Option(names = "--json", paramLabel = "FILE", description = "write the results as JSON")
  Path json;

  @Option(
      names = "--png",
      paramLabel = "FILE",
      defaultValue = "serve-bench-latency.png",
      description = "the latency histogram")
  Path png;

  @Override
  public Integer call() throws Exception {
    var out = Streams.out(spec);
    Path artifact =
        model != null
            ? model
            : DemoModel.forStream(users, events, DemoModel.DEFAULT_CHUNK_SIZE, seed)
                .trainOrReuse(modelCache != null ? modelCache : Glad.defaultModelCache(), out);
    new ServeBench(
            new ServeBench.Options(
                artifact,
                users,
                events,
                concurrencies,
                candidates,
                Duration.ofSeconds(warmupSeconds),
                Duration.ofSeconds(durationSeconds),
                rounds,
                seed,
                json,
                png),
            out)
        .run();
    return 0;
  }
}
