package dev.glad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glad.flink.job.GladJobOptions;
import dev.glad.flink.job.GladJobSettings;
import dev.glad.flink.job.JobSetting;
import dev.glad.serving.config.RankingServiceOptions;
import dev.glad.serving.config.RankingServiceSettings;
import dev.glad.serving.config.ServiceSetting;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** The command line: usage, help, exit codes and exact messages of every command. */
class GladCommandTest {
  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

  private int run(String... args) {
    return Glad.run(
        args,
        new PrintStream(outBytes, true, StandardCharsets.UTF_8),
        new PrintStream(errBytes, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  /** Every command of ./glad. */
  static String[] commands() {
    return new String[] {
      "demo",
      "kafka",
      "job",
      "savepoint",
      "stop",
      "serve",
      "replay",
      "bootstrap",
      "dead-letters",
      "erase-user",
      "bench",
      "state-bench",
      "serve-bench",
      "train",
      "evaluate",
      "generate"
    };
  }

  @ParameterizedTest
  @MethodSource("commands")
  void everyCommandPrintsItsUsageWithHelpAndSucceeds(String command) {
    assertEquals(0, run(command, "--help"), err());
    assertTrue(out().startsWith("Usage: glad " + command), out());
  }

  @Test
  void theTopLevelHelpListsEveryCommand() {
    assertEquals(0, run("--help"));
    for (String c : commands()) {
      assertTrue(out().contains("  " + c + " "), c + " missing in\n" + out());
    }
  }

  @Test
  void generateWritesTheFileAndSaysHowMuchTheRecentItemsReveal(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("histories.txt");
    assertEquals(
        0,
        run(
            "generate",
            "--out",
            file.toString(),
            "--users",
            "30",
            "--min-length",
            "20",
            "--max-length",
            "40"),
        err());
    assertEquals("u0", Files.readAllLines(file).get(0).split(" ")[0]);
    assertTrue(
        out().contains("The last item's topic is among the last 10 items' topics for "), out());
    // the returning tail puts every last item on a planted interest
    assertTrue(out().contains("a planted interest for 100.0 %"), out());
  }

  @Test
  void noCommandOrAnUnknownOneIsABadCommandLine() {
    assertEquals(2, run());
    assertTrue(err().startsWith("error: missing command"), err());
    errBytes.reset();
    assertEquals(2, run("jbo"));
    assertTrue(err().startsWith("error: Unmatched argument at index 0: 'jbo'"), err());
  }

  @Test
  void jobHelpListsEverySettingWithItsDefault() {
    assertEquals(0, run("job", "--help"));
    for (JobSetting<?> setting : GladJobOptions.ALL) {
      assertTrue(out().contains("--" + setting.key() + "="), setting.key());
    }
    assertTrue(out().contains("(default: 10s)"), out());
  }

  @Test
  void serveHelpListsEveryServiceSettingWithItsDefault() {
    assertEquals(0, run("serve", "--help"));
    for (ServiceSetting<?> setting : RankingServiceOptions.ALL) {
      assertTrue(out().contains("--" + setting.key() + "="), setting.key());
    }
    assertTrue(out().contains("(default: 10000)"), out());
    assertTrue(out().contains("--kafka-properties=FILE"), out());
  }

  @Test
  void serveOptionsAreTheServiceSettingsPlusKafkaClientProperties() {
    CommandLine cli = Glad.commandLine(System.out, System.err);
    CommandLine.ParseResult parsed =
        cli.parseArgs(
            KafkaClientOptions.normalize(
                new String[] {
                  "serve",
                  "--bootstrap-servers",
                  "k:9092",
                  "--model",
                  "/m",
                  "--port",
                  "9001",
                  "--kafka.security.protocol",
                  "SASL_SSL",
                  "--kafka.sasl.mechanism=PLAIN"
                }));
    ServeCommand serve = parsed.subcommand().commandSpec().commandLine().getCommand();
    RankingServiceSettings settings = serve.settings();
    assertEquals("k:9092", settings.get(RankingServiceOptions.BOOTSTRAP_SERVERS));
    assertEquals("/m", settings.get(RankingServiceOptions.MODEL_DIR));
    assertEquals(9001, settings.get(RankingServiceOptions.PORT));
    assertEquals("SASL_SSL", settings.kafka().asMap().get("security.protocol"));
    assertEquals("PLAIN", settings.kafka().asMap().get("sasl.mechanism"));
  }

  @Test
  void aBadServeCommandLineIsRefusedWithItsMessage() {
    assertEquals(2, run("serve", "--bootstrap-servers", "k:1", "--model", "m", "--port", "-1"));
    assertEquals("error: port must be between 0 and 65535, got -1\n", err());
    errBytes.reset();
    assertEquals(2, run("serve", "--model", "m"));
    assertEquals("error: bootstrap-servers is required\n", err());
    errBytes.reset();
    assertEquals(2, run("serve", "--bootstrap-servers", "k:1", "--model", "m", "--colour", "red"));
    assertTrue(err().startsWith("error: Unknown options: '--colour', 'red'"), err());
  }

  @Test
  void jobOptionsAreTheJobSettingsAndModelIsTheShortSpellingOfModelDir() {
    CommandLine cli = Glad.commandLine(System.out, System.err);
    CommandLine.ParseResult parsed =
        cli.parseArgs(
            "job", "--bootstrap-servers", "k:9092", "--model", "/m", "--checkpoint-interval", "2s");
    JobCommand job = parsed.subcommand().commandSpec().commandLine().getCommand();
    GladJobSettings settings = job.settings();
    assertEquals("k:9092", settings.get(GladJobOptions.BOOTSTRAP_SERVERS));
    assertEquals("/m", settings.get(GladJobOptions.MODEL_DIR));
    assertEquals(Duration.ofSeconds(2), settings.get(GladJobOptions.CHECKPOINT_INTERVAL));
  }

  @Test
  void aJobSettingBreakingItsRuleIsRefusedWithItsMessage() {
    assertEquals(2, run("job", "--bootstrap-servers", "k:1", "--encoder-batch-size", "0"));
    assertEquals("error: encoder-batch-size must be between 1 and 4096, got 0\n", err());
  }

  @Test
  void trainAndEvaluateRefuseBadCommandLinesWithExactMessages() {
    assertEquals(2, run("train", "--data", "x.txt", "--out", "m", "--colour", "red"));
    assertTrue(err().startsWith("error: Unknown options: '--colour', 'red'"), err());
    errBytes.reset();
    assertEquals(2, run("train", "--out", "m"));
    assertTrue(err().startsWith("error: Missing required option: '--data=FILE'"), err());
    errBytes.reset();
    assertEquals(2, run("train", "--data", "x.txt", "--out", "m", "--epochs", "many"));
    assertTrue(
        err().startsWith("error: Invalid value for option '--epochs': 'many' is not an int"),
        err());
    errBytes.reset();
    assertEquals(2, run("train", "--data", "x.txt", "--out", "m", "--softmax", "fast"));
    assertTrue(
        err()
            .startsWith(
                "error: Invalid value for option '--softmax': softmax must be full, sampled or"
                    + " mixed but was 'fast'"),
        err());
    errBytes.reset();
    assertEquals(2, run("evaluate", "--model", "m", "--data", "x", "--negatives", "some"));
    assertTrue(
        err()
            .startsWith(
                "error: Invalid value for option '--negatives': negatives must be uniform,"
                    + " popularity or all but was 'some'"),
        err());
    errBytes.reset();
    assertEquals(2, run("evaluate", "--model"));
    assertTrue(err().startsWith("error: Missing required parameter for option '--model'"), err());
  }

  @Test
  void gladVariantsNeedAPhaseOneEncoderAndRefusePhaseOneFlags() {
    assertEquals(2, run("train", "--variant", "GCA", "--data", "x.txt", "--out", "y"));
    assertTrue(err().startsWith("error: Missing required option: '--encoder=DIR'"), err());
    errBytes.reset();
    assertEquals(
        2,
        run(
            "train",
            "--variant",
            "GCA",
            "--encoder",
            "e",
            "--data",
            "x",
            "--out",
            "y",
            "--softmax",
            "full"));
    assertTrue(err().startsWith("error: [--softmax] apply to --variant bert4rec only"), err());
    errBytes.reset();
    assertEquals(2, run("train", "--data", "x", "--out", "y", "--clustering-factor", "5"));
    assertTrue(err().startsWith("error: [--clustering-factor] apply to GLAD variants"), err());
  }

  @Test
  void anUnknownVariantIsRejectedWithTheAcceptedNames() {
    assertEquals(2, run("train", "--variant", "GX", "--data", "x.txt", "--out", "y"));
    assertTrue(
        err()
            .startsWith(
                "error: Invalid value for option '--variant': variant must be bert4rec, S, G, GC"
                    + " or GCA but was 'GX'"),
        err());
  }

  @Test
  void trainHelpShowsBothPhasesWithTheLibraryDefaults() {
    assertEquals(0, run("train", "--help"));
    assertTrue(out().contains("--clustering-factor=F"), out());
    assertTrue(out().contains("--softmax=full|sampled|mixed"), out());
    assertTrue(out().contains("epochs (bert4rec 30, GLAD 10)"), out());
  }
}
