package dev.glad.cli;

import dev.glad.flink.job.GladJobOptions;
import dev.glad.flink.memory.GladStreamingModel;
import dev.glad.flink.memory.StreamingModel;
import dev.glad.model.data.InteractionFileReader;
import dev.glad.model.data.UserSequences;
import dev.glad.tools.bootstrap.BootstrapSavepoint;
import dev.glad.tools.bootstrap.MemoryBootstrap;
import dev.glad.tools.replay.DatasetReplay;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./glad bootstrap}: the job's state after a history file, as a savepoint the job starts
 * from ({@code ./glad job --from-savepoint DIR}, {@code flink run -s DIR}).
 */
@Command(
    name = "bootstrap",
    mixinStandardHelpOptions = true,
    description =
        "Builds the memory job's state offline from a history file (open chunks, user memories,"
            + " cluster nodes) with the stream's own functions and writes it as a savepoint; a job"
            + " started from it continues with the live stream. Event times are the ones"
            + " ./glad replay gives the same file.")
final class BootstrapCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin DataFileOptions input;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "GLAD artifact")
  Path model;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "savepoint to write")
  Path savepoint;

  @Option(
      names = "--cluster-updates",
      arity = "1",
      paramLabel = "true|false",
      description = "as the job that continues runs (default: the job's default)")
  Boolean clusterUpdates;

  @Option(
      names = "--max-parallelism",
      paramLabel = "N",
      description = "the job's max-parallelism (default: the job's default)")
  Integer maxParallelism;

  @Option(
      names = "--stored-chunks",
      paramLabel = "N",
      description = "the job's stored-chunks (default: the job's default)")
  Integer storedChunks;

  @Option(
      names = "--parallelism",
      defaultValue = "1",
      description =
          "writer tasks (default 1: with 2 on a local MiniCluster the State Processor API's"
              + " writer stalled at 40,000 users, docs/OPERATIONS.md)")
  int parallelism;

  @Option(
      names = "--gap-ms",
      defaultValue = "" + DatasetReplay.DEFAULT_GAP_MS,
      description = "event-time gap between consecutive events, as ./glad replay")
  long gapMs;

  @Option(
      names = "--end-ms",
      paramLabel = "EPOCH_MS",
      description = "event time of the history's last event (default: now, as ./glad replay)")
  Long endMs;

  @Override
  public Integer call() throws Exception {
    PrintStream out = Streams.out(spec);
    if (Files.isDirectory(savepoint)) {
      try (var entries = Files.list(savepoint)) {
        if (entries.findAny().isPresent()) {
          throw new CommandLine.ParameterException(
              spec.commandLine(), "--out " + savepoint + " exists and is not empty");
        }
      }
    }
    boolean updates =
        clusterUpdates != null ? clusterUpdates : GladJobOptions.CLUSTER_UPDATES.defaultValue();
    int maxP =
        maxParallelism != null ? maxParallelism : GladJobOptions.MAX_PARALLELISM.defaultValue();
    long started = System.nanoTime();
    UserSequences data = InteractionFileReader.read(input.data, input.formatOrFromName());
    long end = endMs != null ? endMs : System.currentTimeMillis();
    long start = end - (data.interactionCount() - 1) * gapMs;
    out.printf(
        "bootstrap: %,d users, %,d interactions from %s; cluster updates %s, max-parallelism %d%n",
        data.userCount(), data.interactionCount(), input.data, updates, maxP);
    GladStreamingModel.Factory factory =
        new GladStreamingModel.Factory(
            model.toString(), "cpu", GladJobOptions.ENCODER_THREADS.defaultValue(), null);
    int c = factory.checkedChunkSize(Optional.empty());
    MemoryBootstrap.Result state;
    try (StreamingModel m = factory.openOnCpu()) {
      state =
          new MemoryBootstrap(
                  m,
                  c,
                  updates,
                  storedChunks != null ? storedChunks : GladJobOptions.STORED_CHUNKS.defaultValue())
              .run(data, start, gapMs, out);
    }
    double computed = (System.nanoTime() - started) / 1e9;
    BootstrapSavepoint.write(state, maxP, parallelism, savepoint);
    double total = (System.nanoTime() - started) / 1e9;
    out.printf(
        "wrote %s: %,d users (%,d with a memory), %,d complete chunks, %,d items in open chunks,"
            + " %,d cluster nodes; %.1f s (state %.1f s, savepoint %.1f s), %,.0f interactions/s%n",
        savepoint,
        state.users().size(),
        state.users().stream().filter(u -> u.memory != null).count(),
        state.completeChunks(),
        state.openChunkItems(),
        state.clusters().size(),
        total,
        computed,
        total - computed,
        data.interactionCount() / total);
    out.println("start the job from it: ./glad job --from-savepoint " + savepoint + " ...");
    return 0;
  }
}
