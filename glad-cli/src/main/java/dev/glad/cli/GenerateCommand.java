package dev.glad.cli;

import dev.glad.tools.generator.LongHistories;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./glad generate}: writes the synthetic long-history data set from a seed. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Writes the synthetic long-history data set (user item pairs): users with planted,",
      "weighted long-term topics and short sessions, so that which topic comes next is known",
      "from the whole history, not from the last few items. Same settings, same file."
    })
final class GenerateCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "file to write")
  Path out;

  @Option(names = "--seed", defaultValue = "1", description = "seed of everything random")
  long seed;

  @Option(names = "--users", defaultValue = "" + LongHistories.Settings.DEFAULT_USERS)
  int users;

  @Option(names = "--items", defaultValue = "" + LongHistories.Settings.DEFAULT_ITEMS)
  int items;

  @Option(names = "--topics", defaultValue = "" + LongHistories.Settings.DEFAULT_TOPICS)
  int topics;

  @Option(
      names = "--interests",
      defaultValue = "" + LongHistories.Settings.DEFAULT_INTERESTS,
      description = "long-term topics per user")
  int interests;

  @Option(
      names = "--noise-share",
      defaultValue = "" + LongHistories.Settings.DEFAULT_NOISE_SHARE,
      description = "share of sessions on a random topic")
  double noiseShare;

  @Option(
      names = "--session-length",
      defaultValue = "" + LongHistories.Settings.DEFAULT_MEAN_SESSION_LENGTH,
      description = "mean session length")
  double sessionLength;

  @Option(names = "--min-length", defaultValue = "" + LongHistories.Settings.DEFAULT_MIN_LENGTH)
  int minLength;

  @Option(names = "--max-length", defaultValue = "" + LongHistories.Settings.DEFAULT_MAX_LENGTH)
  int maxLength;

  @Option(
      names = "--returning-tail",
      defaultValue = "" + LongHistories.Settings.DEFAULT_RETURNING_TAIL,
      description = "last items that each open a new session on a planted interest")
  int returningTail;

  @Option(
      names = "--reveal-window",
      defaultValue = "10",
      description = "recent window to report the reveal against (the benchmark's chunk size c)")
  int revealWindow;

  @Override
  public Integer call() {
    LongHistories histories =
        new LongHistories(
            new LongHistories.Settings(
                users,
                items,
                topics,
                interests,
                noiseShare,
                sessionLength,
                minLength,
                maxLength,
                returningTail,
                seed));
    histories.write(out);
    PrintStream printed = Streams.out(spec);
    printed.printf(Locale.ROOT, "Wrote %s (%s)%n", out, histories.settings());
    LongHistories.Reveal reveal = histories.reveal(revealWindow);
    printed.printf(
        Locale.ROOT,
        "The last item's topic is among the last %d items' topics for %.1f %% of users,"
            + " a planted interest for %.1f %%%n",
        reveal.window(),
        100 * reveal.recentShare(),
        100 * reveal.plantedShare());
    return 0;
  }
}
