package dev.glad.serving.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of the ranking service, declared once: key, type, default, description and rule. On
 * the command line a setting is {@code --key value} ({@code ./glad serve --help} lists them); in a
 * map {@code key=value}. Durations take {@code 500ms}, {@code 5s}, {@code 10m}, {@code 2h} or
 * ISO-8601. Kafka client properties (security) are not declared here: they are the project-wide
 * {@code kafka-properties FILE} and {@code kafka.<property>} of {@link
 * dev.glad.schemas.kafka.KafkaClientConfig}, the same as the job's.
 *
 * <p>Rules that involve two settings are in {@link RankingServiceSettings.Builder#build()}.
 */
public final class RankingServiceOptions {
  private RankingServiceOptions() {}

  /** How clients authenticate. */
  public enum Auth {
    /** Anyone who reaches the port. */
    NONE,
    /** {@code Authorization: Bearer <auth-token>} on every /v1 request. */
    TOKEN,
    /** HTTPS with a client certificate signed by a CA in {@code tls-truststore}. */
    MTLS
  }

  public static final ServiceSetting<String> BOOTSTRAP_SERVERS =
      ServiceSetting.text(
          "bootstrap-servers",
          null,
          "Kafka bootstrap servers of the memory topics (required)",
          notBlank());

  public static final ServiceSetting<String> TOPIC_PREFIX =
      ServiceSetting.text(
          "topic-prefix",
          "glad.",
          "prefix of every topic name (the job's topic-prefix)",
          ServiceSetting.Rule.none());

  public static final ServiceSetting<String> MODEL_DIR =
      ServiceSetting.text(
          "model-dir",
          null,
          "the GLAD model artifact the job runs (required; the service refuses another's"
              + " memories)",
          notBlank());

  public static final ServiceSetting<String> HOST =
      ServiceSetting.text("host", "0.0.0.0", "address the HTTP server binds", notBlank());

  public static final ServiceSetting<Integer> PORT =
      ServiceSetting.integer(
          "port", 8080, "HTTP port; 0 picks a free one (printed at start)", between(0, 65_535));

  public static final ServiceSetting<String> STATE_DIR =
      ServiceSetting.text(
          "state-dir",
          null,
          "directory of the RocksDB user store; default: a temporary directory removed at exit."
              + " The store is rebuilt from the topics at every start",
          ServiceSetting.Rule.none());

  public static final ServiceSetting<Integer> MAX_CANDIDATES =
      ServiceSetting.integer(
          "max-candidates",
          10_000,
          "candidates one score request may carry; more is a 400",
          between(1, 1_000_000));

  public static final ServiceSetting<Integer> MAX_RECENT_ITEMS =
      ServiceSetting.integer(
          "max-recent-items",
          1_000,
          "recent items one request may carry (the encoder reads the last c of them); more is a"
              + " 400",
          between(1, 1_000_000));

  public static final ServiceSetting<Duration> REQUEST_TIMEOUT =
      ServiceSetting.duration(
          "request-timeout",
          Duration.ofSeconds(2),
          "a request not answered within this time (queue wait included) gets a 503",
          positive());

  public static final ServiceSetting<Integer> SCORING_THREADS =
      ServiceSetting.integer(
          "scoring-threads",
          0,
          "threads that parse, score and answer requests; 0 = one per core",
          between(0, 1024));

  public static final ServiceSetting<Integer> MAX_QUEUED_REQUESTS =
      ServiceSetting.integer(
          "max-queued-requests",
          256,
          "requests in flight beyond scoring-threads (waiting for a thread or for the encoder's"
              + " batch); further ones are answered 429 at once",
          between(1, 1_000_000));

  public static final ServiceSetting<Integer> ENCODER_BATCH_SIZE =
      ServiceSetting.integer(
          "encoder-batch-size",
          64,
          "most requests whose z_U one encoder forward pass computes (dynamic batching)",
          between(1, 4096));

  public static final ServiceSetting<Duration> ENCODER_MAX_WAIT =
      ServiceSetting.duration(
          "encoder-max-wait",
          Duration.ZERO,
          "how long a forward pass waits for more requests after the first; 0 = take what is"
              + " queued (requests queue up while the encoder runs, which is the batching)",
          nonNegative());

  public static final ServiceSetting<Integer> ENCODER_THREADS =
      ServiceSetting.integer(
          "encoder-threads",
          1,
          "PyTorch intra-op threads of the encoder (set before the engine loads)",
          between(1, 256));

  public static final ServiceSetting<Auth> AUTH =
      ServiceSetting.choice(
          "auth",
          Auth.class,
          Auth.NONE,
          "client authentication: none, token (a bearer token on /v1; the probes and /metrics"
              + " stay open) or mtls (the whole port is HTTPS and needs a client certificate)");

  public static final ServiceSetting<String> AUTH_TOKEN =
      ServiceSetting.secret(
          "auth-token",
          "the bearer token of auth=token; ${env:NAME} reads it from the environment (never"
              + " printed)",
          notBlank());

  public static final ServiceSetting<String> TLS_KEYSTORE =
      ServiceSetting.text(
          "tls-keystore",
          null,
          "PKCS12 key store with the server's key and certificate: serve HTTPS",
          notBlank());

  public static final ServiceSetting<String> TLS_KEYSTORE_PASSWORD =
      ServiceSetting.secret(
          "tls-keystore-password", "password of tls-keystore; ${env:NAME} allowed", notBlank());

  public static final ServiceSetting<String> TLS_TRUSTSTORE =
      ServiceSetting.text(
          "tls-truststore",
          null,
          "PKCS12 trust store with the CA certificates client certificates must chain to"
              + " (auth=mtls)",
          notBlank());

  public static final ServiceSetting<String> TLS_TRUSTSTORE_PASSWORD =
      ServiceSetting.secret(
          "tls-truststore-password", "password of tls-truststore; ${env:NAME} allowed", notBlank());

  /** Every setting, in documentation order. */
  public static final List<ServiceSetting<?>> ALL =
      List.of(
          BOOTSTRAP_SERVERS,
          TOPIC_PREFIX,
          MODEL_DIR,
          HOST,
          PORT,
          STATE_DIR,
          MAX_CANDIDATES,
          MAX_RECENT_ITEMS,
          REQUEST_TIMEOUT,
          SCORING_THREADS,
          MAX_QUEUED_REQUESTS,
          ENCODER_BATCH_SIZE,
          ENCODER_MAX_WAIT,
          ENCODER_THREADS,
          AUTH,
          AUTH_TOKEN,
          TLS_KEYSTORE,
          TLS_KEYSTORE_PASSWORD,
          TLS_TRUSTSTORE,
          TLS_TRUSTSTORE_PASSWORD);

  /** The settings as a Markdown table (documentation). */
  public static String markdownTable() {
    StringBuilder sb = new StringBuilder("| key | default | meaning |\n|---|---|---|\n");
    for (ServiceSetting<?> s : ALL) {
      sb.append("| `")
          .append(s.key())
          .append("` | ")
          .append(s.defaultText() == null ? "—" : "`" + s.defaultText() + "`")
          .append(" | ")
          .append(s.description())
          .append(" |\n");
    }
    return sb.toString();
  }

  private static ServiceSetting.Rule<String> notBlank() {
    return v ->
        v == null || v.isBlank() ? Optional.of("must not be blank") : Optional.<String>empty();
  }

  private static ServiceSetting.Rule<Integer> between(int min, int max) {
    return v ->
        v < min || v > max
            ? Optional.of("must be between " + min + " and " + max + ", got " + v)
            : Optional.empty();
  }

  private static ServiceSetting.Rule<Duration> positive() {
    return d ->
        d.isNegative() || d.isZero() ? Optional.of("must be > 0, got " + d) : Optional.empty();
  }

  private static ServiceSetting.Rule<Duration> nonNegative() {
    return d -> d.isNegative() ? Optional.of("must be >= 0, got " + d) : Optional.empty();
  }
}
