package dev.glad.cli;

import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.eval.NegativeProtocol;
import dev.glad.model.workflow.Evaluation;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./glad evaluate}: parses flags and calls {@link Evaluation}. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Leave-one-out ranking metrics (HR@k, NDCG@k, MRR) of a model artifact on a data set.",
      "A GLAD artifact is scored with its memory as the stream holds it at the test moment, next",
      "to its own short-term vector alone."
    })
final class EvaluateCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "the artifact")
  Path model;

  @CommandLine.Mixin DataFileOptions input;

  @Option(
      names = "--negatives",
      paramLabel = "uniform|popularity|all",
      converter = Converters.Negatives.class,
      description = "protocol (default: all three)")
  NegativeProtocol negatives;

  @Option(
      names = "--split",
      paramLabel = "test|validation",
      defaultValue = "test",
      converter = Converters.Split.class,
      description = "which held-out item (default: ${DEFAULT-VALUE})")
  LeaveOneOutSplit.Target split;

  @Option(names = "--baselines", description = "also the random and popularity baselines")
  boolean baselines;

  @Option(names = "--json", paramLabel = "FILE", description = "write every number as JSON")
  Path json;

  @Option(
      names = "--seed",
      defaultValue = "" + Evaluation.DEFAULT_SEED,
      description = "seed of negative sampling and tie-breaks (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--batch",
      defaultValue = "" + Evaluation.DEFAULT_BATCH,
      description = "users per forward pass (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(
      names = "--max-users",
      defaultValue = "0",
      description = "evaluate a seeded random subset of N users (0 = all)")
  int maxUsers;

  @Option(names = "--device", defaultValue = "auto", description = "auto|cpu|gpu|gpu:N")
  String device;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "PyTorch intra-op threads (0 = all cores)")
  int threads;

  @Option(
      names = "--compare",
      paramLabel = "DIR",
      description = "GLAD: also this phase-1 artifact on its full window")
  Path compare;

  @Option(names = "--segments", description = "GLAD: gains by history-length segment (Table 2)")
  boolean segments;

  @Option(names = "--footprint", description = "GLAD: memory size at the test moment (eq. 8-9)")
  boolean footprint;

  @Option(
      names = "--gate-png",
      paramLabel = "FILE",
      description = "GLAD: histogram of the gate values (Fig. 3a)")
  Path gatePng;

  @Option(
      names = "--ranks-csv",
      paramLabel = "FILE",
      description = "write every user's rank of the target per model and protocol as CSV")
  Path ranksCsv;

  @Option(
      names = "--leak-target",
      description = {
        "GLAD, ANALYSIS ONLY: the memory also holds a node whose centroid is the target's item",
        "embedding (sampled protocols): can the memory path carry information at all?"
      })
  boolean leakTarget;

  @Override
  public Integer call() {
    Evaluation.run(
        new Evaluation.Request(
            model,
            input.data,
            input.format,
            negatives != null ? List.of(negatives) : List.of(NegativeProtocol.values()),
            split,
            seed,
            batch,
            device,
            threads,
            maxUsers,
            baselines,
            compare,
            segments,
            footprint,
            gatePng,
            json,
            ranksCsv,
            leakTarget),
        Streams.out(spec));
    return 0;
  }
}
