package dev.glad.cli;

import dev.glad.serving.app.RankingService;
import dev.glad.serving.config.RankingServiceOptions;
import dev.glad.serving.config.RankingServiceSettings;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
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

  /** Adds one option per setting; called when the command line is built. */
  static void addSettingOptions(CommandSpec spec) {
    SettingOptions.addTo(spec, RankingServiceOptions.ALL);
  }

  /** The settings given on this command line (exact messages for anything wrong). */
  RankingServiceSettings settings() {
    Map<String, String> texts = SettingOptions.given(spec, RankingServiceOptions.ALL);
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
