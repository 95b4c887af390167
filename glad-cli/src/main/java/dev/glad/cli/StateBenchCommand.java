package dev.glad.cli;

import dev.glad.tools.bench.StateBench;
import dev.glad.tools.demo.DemoModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./glad state-bench}: state size, restore and failover times of the memory job. */
@Command(
    name = "state-bench",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description =
        "State of the memory job at several user counts: checkpoint and savepoint size per user,"
            + " restore time from a savepoint, and the time from a TaskManager failure to the"
            + " first new committed output; see docs/BENCHMARKS.md.")
final class StateBenchCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin BenchOptions bench;

  @Option(names = "--users", defaultValue = "10000,200000", split = ",")
  List<Integer> users;

  @Option(
      names = "--events-per-user",
      defaultValue = "12",
      description = "events per user on average (synthetic history, random users)")
  int eventsPerUser;

  @Option(
      names = "--restart-delay",
      defaultValue = "5s",
      converter = Converters.JobDuration.class,
      description = "the job's restart-delay (its default)")
  Duration restartDelay;

  @Option(
      names = "--trickle-rate",
      defaultValue = "200",
      description = "live events per second during the TaskManager failure")
  int trickleRate;

  @Option(
      names = "--failovers",
      defaultValue = "3",
      description = "TaskManager failures per user count (medians over them)")
  int failovers;

  @Option(
      names = "--upgrade",
      description =
          "also time a model upgrade: restore each savepoint under a copy of the model with"
              + " another version id and wait until every memory is republished under it")
  boolean upgrade;

  @Override
  public Integer call() throws Exception {
    var out = Streams.out(spec);
    Path artifact =
        bench.modelOr(
            DemoModel.forStream(2_000, 100_000, DemoModel.DEFAULT_CHUNK_SIZE, bench.seed), out);
    new StateBench(
            new StateBench.Options(
                artifact,
                users,
                eventsPerUser,
                bench.parallelism,
                bench.checkpointInterval,
                restartDelay,
                trickleRate,
                failovers,
                bench.seed,
                upgrade,
                bench.jobSettings,
                bench.json),
            out)
        .run();
    return 0;
  }
}
