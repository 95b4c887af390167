package dev.glad.cli;

import dev.glad.flink.job.GladJob;
import dev.glad.flink.job.GladJobOptions;
import dev.glad.flink.job.GladJobSettings;
import dev.glad.flink.job.JobSetting;
import dev.glad.flink.job.KafkaIo;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.tools.kafka.TopicAdmin;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
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
      "The streaming job on a local MiniCluster against any Kafka; Ctrl-C stops it.",
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

  /** Adds one option per job setting; called when the command line is built. */
  static void addSettingOptions(CommandSpec spec) {
    for (JobSetting<?> setting : GladJobOptions.ALL) {
      spec.addOption(
          OptionSpec.builder("--" + setting.key())
              .paramLabel(label(setting))
              .type(String.class)
              .description(
                  setting.description()
                      + (setting.defaultText() == null
                          ? ""
                          : " (default: " + setting.defaultText() + ")"))
              .build());
    }
  }

  private static String label(JobSetting<?> setting) {
    Class<?> t = setting.type();
    if (t == Boolean.class) {
      return "true|false";
    }
    if (t == Integer.class) {
      return "N";
    }
    if (t == java.time.Duration.class) {
      return "DURATION";
    }
    return setting.key().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
  }

  /** The job settings given on this command line. */
  GladJobSettings settings() {
    Map<String, String> texts = new LinkedHashMap<>();
    for (JobSetting<?> setting : GladJobOptions.ALL) {
      OptionSpec option = spec.findOption("--" + setting.key());
      String value = option.getValue();
      if (value != null) {
        texts.put(setting.key(), value);
      }
    }
    if (model != null) {
      if (texts.containsKey(GladJobOptions.MODEL_DIR.key())) {
        throw new IllegalArgumentException("give --model or --model-dir, not both");
      }
      texts.put(GladJobOptions.MODEL_DIR.key(), model);
    }
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
    if (createTopics != null) {
      List<String> created =
          TopicAdmin.createMissing(
              bootstrap,
              GladTopics.withPrefix(settings.get(GladJobOptions.TOPIC_PREFIX)),
              createTopics,
              (short) 1);
      out.println("created topics: " + created);
    }
    int parallelism =
        settings.get(GladJobOptions.PARALLELISM) > 0 ? settings.get(GladJobOptions.PARALLELISM) : 2;
    StreamExecutionEnvironment env = GladJob.localEnvironment(settings, parallelism, null);
    GladJob job = KafkaIo.job(settings);
    job.addTo(env);
    out.println(
        "running the GLAD job (c = " + job.chunkSize() + ") on a local MiniCluster: " + settings);
    out.flush();
    env.execute("glad-memory");
    return 0;
  }
}
