package dev.glad.schemas.kafka;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Kafka client properties that every client the project creates receives (the job's sources and
 * sinks, replay, the demo's tools, the ranking service): security ({@code security.protocol},
 * {@code sasl.*}, {@code ssl.*}) and any other client setting.
 *
 * <p>Where they come from, in this order (later wins):
 *
 * <ol>
 *   <li>a properties file ({@code kafka-properties FILE}): where secrets belong, protected by the
 *       file's permissions;
 *   <li>inline settings with the {@code kafka.} prefix ({@code --kafka.security.protocol
 *       SASL_SSL}); a value {@code ${env:NAME}} is the environment variable NAME, so a secret can
 *       come from the environment instead of the command line.
 * </ol>
 *
 * Kafka's own config providers ({@code config.providers}) also work: their references are resolved
 * by each client where it is created.
 *
 * <p>Secrets never reach a log, a printed setting or an exception: {@link #toString()} and {@link
 * #redacted()} hide every value Kafka declares as a password ({@code sasl.jaas.config}, {@code
 * ssl.keystore.password}, ...) and every key that names a secret.
 */
public final class KafkaClientConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The prefix of inline client properties in job and tool settings. */
  public static final String PREFIX = "kafka.";

  /** The setting naming a client properties file. */
  public static final String PROPERTIES_FILE = "kafka-properties";

  private static final String HIDDEN = "[hidden]";
  private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

  private final Map<String, String> properties;

  private KafkaClientConfig(Map<String, String> properties) {
    this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
  }

  /** No extra properties (a plaintext local broker). */
  public static KafkaClientConfig none() {
    return new KafkaClientConfig(Map.of());
  }

  /** Exactly these client properties (already resolved). */
  public static KafkaClientConfig of(Map<String, String> properties) {
    return new KafkaClientConfig(properties);
  }

  /**
   * The client properties in {@code settings}: the file named by {@link #PROPERTIES_FILE} if any,
   * then every {@code kafka.}-prefixed entry (prefix removed, {@code ${env:NAME}} resolved).
   * Entries of other keys are ignored.
   *
   * @throws IllegalArgumentException when the file cannot be read or a variable is not set (the
   *     message names the key or file, never a value)
   */
  public static KafkaClientConfig fromSettings(Map<String, String> settings) {
    return fromSettings(settings, System::getenv);
  }

  /** {@link #fromSettings(Map)} with a given environment (tests). */
  public static KafkaClientConfig fromSettings(
      Map<String, String> settings, UnaryOperator<String> environment) {
    Map<String, String> out = new LinkedHashMap<>();
    String file = settings.get(PROPERTIES_FILE);
    if (file != null) {
      out.putAll(readFile(Path.of(file)));
    }
    for (Map.Entry<String, String> e : settings.entrySet()) {
      if (e.getKey().startsWith(PREFIX) && e.getKey().length() > PREFIX.length()) {
        String key = e.getKey().substring(PREFIX.length());
        out.put(key, resolve(key, e.getValue(), environment));
      }
    }
    return new KafkaClientConfig(out);
  }

  /** Whether a settings key belongs to the Kafka client properties. */
  public static boolean isClientSetting(String key) {
    return key.equals(PROPERTIES_FILE)
        || (key.startsWith(PREFIX) && key.length() > PREFIX.length());
  }

  private static Map<String, String> readFile(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          PROPERTIES_FILE + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : p.stringPropertyNames()) {
      out.put(name, p.getProperty(name));
    }
    return out;
  }

  private static String resolve(String key, String value, UnaryOperator<String> environment) {
    Matcher m = ENV.matcher(value);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String v = environment.apply(m.group(1));
      if (v == null) {
        throw new IllegalArgumentException(
            PREFIX + key + ": environment variable " + m.group(1) + " is not set");
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(v));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** The properties, resolved; for handing to a client builder. */
  public Map<String, String> asMap() {
    return properties;
  }

  /** A client configuration: these properties and the bootstrap servers. */
  public Properties properties(String bootstrapServers) {
    Properties p = addTo(new Properties());
    p.put("bootstrap.servers", bootstrapServers);
    return p;
  }

  /** Adds the properties to {@code target} (they win over what is there) and returns it. */
  public Properties addTo(Properties target) {
    target.putAll(properties);
    return target;
  }

  public boolean isEmpty() {
    return properties.isEmpty();
  }

  /** The properties with every secret value replaced by {@code [hidden]}: safe to print. */
  public Map<String, String> redacted() {
    Map<String, String> out = new LinkedHashMap<>();
    properties.forEach((k, v) -> out.put(k, isSecret(k) ? HIDDEN : v));
    return out;
  }

  /**
   * Whether a client property holds a secret: Kafka declares it as a password (in the producer's,
   * consumer's or admin client's definitions), or its name says so.
   */
  public static boolean isSecret(String key) {
    for (ConfigDef def :
        new ConfigDef[] {
          ProducerConfig.configDef(), ConsumerConfig.configDef(), AdminClientConfig.configDef()
        }) {
      ConfigDef.ConfigKey k = def.configKeys().get(key);
      if (k != null && k.type == ConfigDef.Type.PASSWORD) {
        return true;
      }
    }
    String lower = key.toLowerCase(Locale.ROOT);
    return lower.contains("password")
        || lower.contains("secret")
        || lower.contains("jaas")
        || lower.contains("token")
        || lower.contains("credential");
  }

  @Override
  public String toString() {
    return "KafkaClientConfig" + redacted();
  }
}
