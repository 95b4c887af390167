package dev.glad.cli;

import dev.glad.serving.app.RankingService;
import dev.glad.serving.config.RankingServiceOptions;
import dev.glad.serving.config.RankingServiceSettings;
import dev.glad.serving.config.ServiceSetting;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code ./glad serve}: the ranking service. Its options are generated from the service's setting
 * declarations ({@link RankingServiceOptions}); Kafka client properties (security) are {@code
 * --kafka-properties FILE} and {@code --kafka.<property> VALUE}, as for every client of the
 * project.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "The ranking service: reads the memory topics, then answers POST /v1/score and"
          + " GET /v1/users/{id}/memory over HTTP; /health, /ready, /metrics. Ctrl-C stops it.",
      "Kafka client properties: --kafka-properties FILE and --kafka.<property> VALUE"
          + " (e.g. --kafka.security.protocol SASL_SSL); ${env:NAME} reads a value from the"
          + " environment."
    })
final class ServeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandSpec spec;

  @Option(names = "--model", paramLabel = "DIR", description = "the same as --model-dir")
  String model;

  /** The same Kafka client properties as every other command's (and the job's). */
  @CommandLine.Mixin KafkaClientOptions kafka;

  /** Adds one option per service setting; called when the command line is built. */
  static void addSettingOptions(CommandSpec spec) {
    for (ServiceSetting<?> setting : RankingServiceOptions.ALL) {
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

  private static String label(ServiceSetting<?> setting) {
    Class<?> t = setting.type();
    if (t == Integer.class) {
      return "N";
    }
    if (t == Duration.class) {
      return "DURATION";
    }
    if (t.isEnum()) {
      StringBuilder sb = new StringBuilder();
      for (Object v : t.getEnumConstants()) {
        sb.append(sb.length() > 0 ? "|" : "").append(v.toString().toLowerCase(Locale.ROOT));
      }
      return sb.toString();
    }
    return setting.key().toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** The settings given on this command line (exact messages for anything wrong). */
  RankingServiceSettings settings() {
    Map<String, String> texts = new LinkedHashMap<>();
    for (ServiceSetting<?> setting : RankingServiceOptions.ALL) {
      String value = spec.findOption("--" + setting.key()).getValue();
      if (value != null) {
        texts.put(setting.key(), value);
      }
    }
    if (model != null) {
      if (texts.containsKey(RankingServiceOptions.MODEL_DIR.key())) {
        throw new IllegalArgumentException("give --model or --model-dir, not both");
      }
      texts.put(RankingServiceOptions.MODEL_DIR.key(), model);
    }
    texts.putAll(kafka.asSettings());
    return RankingServiceSettings.fromMap(texts);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    RankingServiceSettings settings = settings();
    out.println("starting the ranking service: " + settings);
    out.flush();
    RankingService service = RankingService.start(settings);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  service.close();
                  stopped.countDown();
                },
                "glad-serve-shutdown"));
    out.printf(
        "listening on %s (model %s); reading the memory topics ...%n",
        service.baseUrl(), service.ranker().modelVersion());
    out.flush();
    long started = System.nanoTime();
    while (!service.awaitReady(Duration.ofSeconds(2))) {
      if (service.materializer().failed()) {
        out.println("error: " + service.materializer().notReadyReason());
        service.close();
        return CommandLine.ExitCode.SOFTWARE;
      }
      out.printf(
          "  not ready: %s; %,d records read, lag %d user / %d cluster records%n",
          service.materializer().notReadyReason(),
          service.materializer().recordsRead(),
          service.materializer().userLag(),
          service.materializer().clusterLag());
      out.flush();
    }
    out.printf(
        "ready after %.1f s: %,d records read; serving %s/v1/score (Ctrl-C stops)%n",
        (System.nanoTime() - started) / 1e9,
        service.materializer().recordsRead(),
        service.baseUrl());
    out.flush();
    stopped.await();
    return 0;
  }
}
