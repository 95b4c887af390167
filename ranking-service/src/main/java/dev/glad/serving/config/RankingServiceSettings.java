package dev.glad.serving.config;

import dev.glad.schemas.kafka.KafkaClientConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ranking service's validated settings: a value for every {@link RankingServiceOptions}
 * declaration (its default unless set) and the Kafka client properties ({@link KafkaClientConfig})
 * its consumers take. Immutable; {@link #toString()} hides every secret.
 */
public final class RankingServiceSettings {
  private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

  private final Map<ServiceSetting<?>, Object> values;
  private final KafkaClientConfig kafka;

  private RankingServiceSettings(Map<ServiceSetting<?>, Object> values, KafkaClientConfig kafka) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    this.kafka = kafka;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Settings from text: every declared key, plus {@code kafka-properties} and {@code kafka.*} for
   * the Kafka clients. Secrets may be {@code ${env:NAME}}.
   *
   * @throws IllegalArgumentException for an unknown key, an unparsable value or a broken rule, with
   *     the key in the message
   */
  public static RankingServiceSettings fromMap(Map<String, String> texts) {
    return fromMap(texts, System::getenv);
  }

  /** {@link #fromMap(Map)} with a given environment (tests). */
  public static RankingServiceSettings fromMap(
      Map<String, String> texts, UnaryOperator<String> environment) {
    Builder b = builder();
    Map<String, ServiceSetting<?>> byKey = new LinkedHashMap<>();
    RankingServiceOptions.ALL.forEach(s -> byKey.put(s.key(), s));
    for (Map.Entry<String, String> e : texts.entrySet()) {
      if (KafkaClientConfig.isClientSetting(e.getKey())) {
        continue;
      }
      ServiceSetting<?> setting = byKey.get(e.getKey());
      if (setting == null) {
        throw new IllegalArgumentException("unknown setting '" + e.getKey() + "'");
      }
      String text = setting.secret() ? resolve(setting, e.getValue(), environment) : e.getValue();
      b.setText(setting, text);
    }
    b.kafka(KafkaClientConfig.fromSettings(texts, environment));
    return b.build();
  }

  private static String resolve(
      ServiceSetting<?> setting, String value, UnaryOperator<String> environment) {
    Matcher m = ENV.matcher(value);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String v = environment.apply(m.group(1));
      if (v == null) {
        throw new IllegalArgumentException(
            setting.key() + ": environment variable " + m.group(1) + " is not set");
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(v));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** The value of a setting (its default when not set; null when it has none). */
  @SuppressWarnings("unchecked")
  public <T> T get(ServiceSetting<T> setting) {
    return (T) values.get(setting);
  }

  /** The Kafka client properties every consumer of the service takes (security included). */
  public KafkaClientConfig kafka() {
    return kafka;
  }

  /** Threads that score requests: {@code scoring-threads}, or one per core when it is 0. */
  public int scoringThreads() {
    int n = get(RankingServiceOptions.SCORING_THREADS);
    return n > 0 ? n : Runtime.getRuntime().availableProcessors();
  }

  /** A builder holding these values. */
  public Builder toBuilder() {
    Builder b = builder();
    b.values.putAll(values);
    b.kafka = kafka;
    return b;
  }

  /** Every setting that differs from its default, secrets hidden; Kafka properties redacted. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (ServiceSetting<?> s : RankingServiceOptions.ALL) {
      Object v = values.get(s);
      if (v != null && !v.equals(s.defaultValue())) {
        sb.append(sb.length() > 1 ? ", " : "")
            .append(s.key())
            .append('=')
            .append(
                s.secret()
                    ? "[hidden]"
                    : v instanceof Enum<?> e ? e.name().toLowerCase(java.util.Locale.ROOT) : v);
      }
    }
    if (!kafka.isEmpty()) {
      sb.append(sb.length() > 1 ? ", " : "").append(kafka);
    }
    return sb.append('}').toString();
  }

  /** Builder; {@link #build()} checks every rule. */
  public static final class Builder {
    private final Map<ServiceSetting<?>, Object> values = new LinkedHashMap<>();
    private KafkaClientConfig kafka = KafkaClientConfig.none();

    private Builder() {}

    public <T> Builder set(ServiceSetting<T> setting, T value) {
      values.put(setting, value);
      return this;
    }

    /** Sets a value from its text form. */
    public Builder setText(ServiceSetting<?> setting, String text) {
      values.put(setting, setting.parse(text));
      return this;
    }

    public Builder kafka(KafkaClientConfig config) {
      this.kafka = config;
      return this;
    }

    /**
     * Validates every value and the rules between settings.
     *
     * @throws IllegalArgumentException naming the setting and the problem
     */
    public RankingServiceSettings build() {
      Map<ServiceSetting<?>, Object> all = new LinkedHashMap<>();
      for (ServiceSetting<?> s : RankingServiceOptions.ALL) {
        Object v = values.containsKey(s) ? values.get(s) : s.defaultValue();
        if (v != null) {
          check(s, v);
        }
        all.put(s, v);
      }
      require(all, RankingServiceOptions.BOOTSTRAP_SERVERS);
      require(all, RankingServiceOptions.MODEL_DIR);
      RankingServiceOptions.Auth auth =
          (RankingServiceOptions.Auth) all.get(RankingServiceOptions.AUTH);
      boolean hasToken = all.get(RankingServiceOptions.AUTH_TOKEN) != null;
      if (auth == RankingServiceOptions.Auth.TOKEN && !hasToken) {
        throw new IllegalArgumentException("auth=token needs auth-token");
      }
      if (auth != RankingServiceOptions.Auth.TOKEN && hasToken) {
        throw new IllegalArgumentException(
            "auth-token is set but auth is " + label(auth) + ": set auth=token to require it");
      }
      boolean keystore = all.get(RankingServiceOptions.TLS_KEYSTORE) != null;
      boolean truststore = all.get(RankingServiceOptions.TLS_TRUSTSTORE) != null;
      if (auth == RankingServiceOptions.Auth.MTLS && (!keystore || !truststore)) {
        throw new IllegalArgumentException("auth=mtls needs tls-keystore and tls-truststore");
      }
      if (auth != RankingServiceOptions.Auth.MTLS && truststore) {
        throw new IllegalArgumentException(
            "tls-truststore is set but auth is " + label(auth) + ": set auth=mtls to use it");
      }
      pair(all, RankingServiceOptions.TLS_KEYSTORE, RankingServiceOptions.TLS_KEYSTORE_PASSWORD);
      pair(
          all, RankingServiceOptions.TLS_TRUSTSTORE, RankingServiceOptions.TLS_TRUSTSTORE_PASSWORD);
      return new RankingServiceSettings(all, kafka);
    }

    private static String label(RankingServiceOptions.Auth auth) {
      return auth.name().toLowerCase(java.util.Locale.ROOT);
    }

    @SuppressWarnings("unchecked")
    private static <T> void check(ServiceSetting<T> setting, Object value) {
      setting.check((T) value);
    }

    private static void require(Map<ServiceSetting<?>, Object> all, ServiceSetting<?> setting) {
      if (all.get(setting) == null) {
        throw new IllegalArgumentException(setting.key() + " is required");
      }
    }

    private static void pair(
        Map<ServiceSetting<?>, Object> all, ServiceSetting<?> store, ServiceSetting<?> password) {
      if (all.get(store) != null && all.get(password) == null) {
        throw new IllegalArgumentException(store.key() + " needs " + password.key());
      }
      if (all.get(store) == null && all.get(password) != null) {
        throw new IllegalArgumentException(password.key() + " is set without " + store.key());
      }
    }
  }
}
