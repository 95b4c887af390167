package dev.glad.cli;

import dev.glad.flink.job.GladJobOptions;
import dev.glad.flink.job.GladJobSettings;
import dev.glad.flink.job.KafkaPreflight;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.tools.kafka.TopicAdmin;
import dev.glad.tools.local.LocalJob;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code ./glad job}: the streaming job on a local MiniCluster against any Kafka. Its options are
 * generated from the job's setting declarations ({@link GladJobOptions}), so the command line, its
 * {@code --help} and {@code flink run} take the same keys.
 */
@Command(
    name = "job",
    mixinStandardHelpOptions = true,
    description = {
      "The streaming job on a local MiniCluster against any Kafka. Started again with the same",
      "settings it resumes from the newest checkpoint or savepoint in its checkpoint directory",
      "(default: <repository>/.glad/job/checkpoints); Ctrl-C stops it with a savepoint.",
      "Every job setting is an option; durations take 500ms, 5s, 10m, 2h or PT5S."
    })
final class JobCommand implements Callable<Integer> {
  @CommandLine.Spec CommandSpec spec;

  @Option(
      names = "--create-topics",
      paramLabel = "PARTITIONS",
      description = "create missing GLAD topics with this many partitions first")
  Integer createTopics;

  @Option(names = "--model", paramLabel = "DIR", description = "the same as --model-dir")
  String model;

  @CommandLine.Mixin KafkaClientOptions kafka;

  @Option(
      names = "--from-savepoint",
      paramLabel = "PATH",
      description = "resume from this savepoint (or retained checkpoint) directory")
  Path fromSavepoint;

  @Option(
      names = "--fresh",
      description = "start with empty state although the checkpoint directory holds state")
  boolean fresh;

  @Option(
      names = "--metrics-port",
      defaultValue = "9249",
      description = "Prometheus metrics on http://localhost:PORT/metrics (0 = off; default: 9249)")
  int metricsPort;

  /**
   * {@code ./glad job} and the arguments it was started with (without --from-savepoint/--fresh).
   */
  private List<String> commandLine() {
    List<String> args = new java.util.ArrayList<>(List.of("./glad", "job"));
    List<String> original = spec.commandLine().getParseResult().originalArgs();
    // picocli's original arguments are the whole command line: they start with the command name
    int first = !original.isEmpty() && original.get(0).equals(spec.name()) ? 1 : 0;
    for (int i = first; i < original.size(); i++) {
      String a = original.get(i);
      if (a.equals("--fresh") || a.startsWith("--from-savepoint=")) {
        continue;
      }
      if (a.equals("--from-savepoint")) {
        i++;
        continue;
      }
      args.add(a.contains(" ") ? "'" + a + "'" : a);
    }
    return args;
  }

  /** Adds one option per setting; called when the command line is built. */
  static void addSettingOptions(CommandSpec spec) {
    SettingOptions.addTo(spec, GladJobOptions.ALL);
  }

  /** The job settings given on this command line. */
  GladJobSettings settings() {
    Map<String, String> texts = SettingOptions.given(spec, GladJobOptions.ALL);
    if (model != null) {
      if (texts.containsKey(GladJobOptions.MODEL_DIR.key())) {
        throw new IllegalArgumentException("give --model or --model-dir, not both");
      }
      texts.put(GladJobOptions.MODEL_DIR.key(), model);
    }
    texts.putAll(kafka.asSettings());
    return GladJobSettings.fromMap(texts);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    GladJobSettings settings = settings();
    String bootstrap = settings.get(GladJobOptions.BOOTSTRAP_SERVERS);
    if (bootstrap == null) {
      throw new IllegalArgumentException("--bootstrap-servers is required");
    }
    KafkaPreflight.check(settings);
    if (createTopics != null) {
      List<String> created =
          TopicAdmin.createMissing(
              bootstrap,
              settings.kafkaClient(),
              GladTopics.withPrefix(settings.get(GladJobOptions.TOPIC_PREFIX)),
              createTopics,
              (short) 1);
      out.println("created topics: " + created);
    }
    int parallelism =
        settings.get(GladJobOptions.PARALLELISM) > 0 ? settings.get(GladJobOptions.PARALLELISM) : 2;
    LocalJob.run(
        new LocalJob.Options(
            settings,
            parallelism,
            LocalCheckpoints.directory(settings),
            fromSavepoint,
            fresh,
            metricsPort,
            commandLine()),
        Streams.out(spec));
    return 0;
  }
}
