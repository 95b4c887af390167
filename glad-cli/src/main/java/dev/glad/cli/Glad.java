package dev.glad.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ./glad} command line: one picocli command with a subcommand per workflow. Every
 * command prints its usage with {@code --help} and exits 0; a bad command line exits 2 with an
 * exact message; a failure while running exits 1 (a bad value found while running: 2).
 */
@Command(
    name = "glad",
    mixinStandardHelpOptions = true,
    versionProvider = Glad.Version.class,
    description = "GLAD streaming memory: the job, its tools, training and evaluation.",
    subcommands = {
      DemoCommand.class,
      KafkaCommand.class,
      JobCommand.class,
      SavepointCommand.Take.class,
      SavepointCommand.Stop.class,
      ServeCommand.class,
      ReplayCommand.class,
      BootstrapCommand.class,
      DeadLettersCommand.class,
      EraseUserCommand.class,
      BenchCommand.class,
      StateBenchCommand.class,
      ServeBenchCommand.class,
      TrainCommand.class,
      EvaluateCommand.class,
      GenerateCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Glad implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Without a subcommand: the usage, as a bad command line. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs one command line; returns the process exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return commandLine(out, err).execute(KafkaClientOptions.normalize(args));
  }

  /** The command line with its output streams and error handling set up. */
  static CommandLine commandLine(PrintStream out, PrintStream err) {
    CommandLine cli = new CommandLine(new Glad());
    JobCommand.addSettingOptions(cli.getSubcommands().get("job").getCommandSpec());
    ServeCommand.addSettingOptions(cli.getSubcommands().get("serve").getCommandSpec());
    cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter w = commandLine.getErr();
          if (e instanceof IllegalArgumentException) {
            w.println("error: " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
          }
          w.println("error: " + e);
          e.printStackTrace(w);
          return CommandLine.ExitCode.SOFTWARE;
        });
    cli.setParameterExceptionHandler(
        (e, args) -> {
          CommandLine c = e.getCommandLine();
          c.getErr().println("error: " + e.getMessage());
          c.getErr().println("(" + c.getCommandSpec().qualifiedName() + " --help shows the usage)");
          return CommandLine.ExitCode.USAGE;
        });
    return cli;
  }

  /** {@code <repository>/.glad/models}: the launcher passes the repository as {@code glad.home}. */
  static Path defaultModelCache() {
    return Path.of(System.getProperty("glad.home", "."), ".glad", "models").toAbsolutePath();
  }

  /** The version printed by {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Glad.class.getPackage().getImplementationVersion();
      return new String[] {"glad " + (v == null ? "(development build)" : v)};
    }
  }
}
