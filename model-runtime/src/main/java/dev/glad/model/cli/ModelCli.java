package dev.glad.model.cli;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * Command line of the model runtime: {@code train} and {@code evaluate}. The repository launcher
 * ({@code ./glad train ...}) calls {@link #run}.
 *
 * <pre>
 * train    --data FILE [--format pairs|recbole] --out DIR [--dim 64] [--layers 2] [--heads 2]
 *          [--chunk 20] [--max-len 50] [--epochs 30] [--seed 42] ... (see --help)
 * evaluate --model DIR --data FILE [--format pairs|recbole] [--negatives uniform|popularity|all]
 *          [--json FILE] ...
 * </pre>
 *
 * Exit codes: 0 success, 1 failure while running, 2 bad command line.
 */
public final class ModelCli {
  static final String USAGE =
      String.join(
          "\n",
          "usage: glad <command> [flags]",
          "",
          "commands:",
          "  train     train the Bert4Rec encoder (Cloze, phase 1) and write a model artifact",
          "  evaluate  evaluate a model artifact with leave-one-out ranking metrics",
          "",
          "Run 'glad train --help' or 'glad evaluate --help' for the flags.");

  private ModelCli() {}

  /** Runs the CLI; prints usage for {@code --help}. Never exits the JVM. */
  public static int run(String[] args) {
    return run(args, System.out, System.err);
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.println("error: missing command");
      err.println(USAGE);
      return 2;
    }
    String command = args[0];
    boolean help = Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h");
    try {
      switch (command) {
        case "train":
          if (help) {
            out.println(
                GladTrainCommand.handles(args) ? GladTrainCommand.USAGE : TrainCommand.USAGE);
            return 0;
          }
          return TrainCommand.run(args, out);
        case "evaluate":
          if (help) {
            out.println(EvaluateCommand.USAGE);
            return 0;
          }
          return EvaluateCommand.run(args, out);
        case "--help":
        case "-h":
        case "help":
          out.println(USAGE);
          return 0;
        default:
          err.println("error: unknown command '" + command + "', expected train or evaluate");
          err.println(USAGE);
          return 2;
      }
    } catch (UsageException | IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (RuntimeException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }

  /** Entry point: exits with {@link #run}'s code. */
  public static void main(String[] args) {
    System.exit(run(args));
  }
}
