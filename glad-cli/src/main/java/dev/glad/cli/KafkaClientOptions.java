package dev.glad.cli;

import dev.glad.schemas.kafka.KafkaClientConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The Kafka client properties of a command ({@link KafkaClientConfig}): {@code --kafka-properties
 * FILE} and {@code --kafka.<property> VALUE} (on the command line as on {@code flink run}; {@link
 * #normalize} turns the latter into picocli's {@code --kafka-property KEY=VALUE}).
 */
final class KafkaClientOptions {
  @Option(
      names = "--kafka-properties",
      paramLabel = "FILE",
      description =
          "Kafka client properties (security: security.protocol, sasl.*, ssl.*); where"
              + " secrets belong")
  Path propertiesFile;

  @Option(
      names = "--kafka-property",
      paramLabel = "KEY=VALUE",
      description =
          "a Kafka client property, also written --kafka.KEY VALUE; ${env:NAME} takes"
              + " the value from the environment")
  Map<String, String> properties = new LinkedHashMap<>();

  /** The client properties given. */
  KafkaClientConfig config() {
    return KafkaClientConfig.fromSettings(asSettings());
  }

  /** As settings entries ({@code kafka-properties}, {@code kafka.KEY}), e.g. for the job. */
  Map<String, String> asSettings() {
    Map<String, String> settings = new LinkedHashMap<>();
    if (propertiesFile != null) {
      settings.put(KafkaClientConfig.PROPERTIES_FILE, propertiesFile.toString());
    }
    properties.forEach((k, v) -> settings.put(KafkaClientConfig.PREFIX + k, v));
    return settings;
  }

  /**
   * Rewrites {@code --kafka.KEY VALUE} and {@code --kafka.KEY=VALUE} to {@code --kafka-property}.
   */
  static String[] normalize(String[] args) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.startsWith("--" + KafkaClientConfig.PREFIX) && a.length() > 8) {
        String rest = a.substring(2 + KafkaClientConfig.PREFIX.length());
        int eq = rest.indexOf('=');
        out.add("--kafka-property");
        if (eq >= 0) {
          out.add(rest);
        } else if (i + 1 < args.length) {
          out.add(rest + "=" + args[++i]);
        } else {
          out.add(rest);
        }
      } else {
        out.add(a);
      }
    }
    return out.toArray(String[]::new);
  }
}
