package dev.glad.flink.job;

import static dev.glad.flink.job.GladJobOptions.ALLOWED_LATENESS;
import static dev.glad.flink.job.GladJobOptions.CHECKPOINT_INTERVAL;
import static dev.glad.flink.job.GladJobOptions.DEDUPE_WINDOW;
import static dev.glad.flink.job.GladJobOptions.TRANSACTION_TIMEOUT;

import dev.glad.schemas.kafka.KafkaClientConfig;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The values of the job's settings ({@link GladJobOptions}), validated: each value keeps its
 * setting's rule, and the rules between settings hold. Immutable and serializable, so it travels
 * with the job graph. Read a value with {@link #get}; a setting that was not set has its default.
 */
public final class GladJobSettings implements Serializable {
  private static final long serialVersionUID = 2L;

  /** Explicitly set values by key, in the order they were set. */
  private final Map<String, Object> values;

  private final KafkaClientConfig kafkaClient;

  private GladJobSettings(Map<String, Object> values, KafkaClientConfig kafkaClient) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    this.kafkaClient = kafkaClient;
  }

  public static Builder builder() {
    return new Builder(Map.of(), KafkaClientConfig.none());
  }

  /** A builder holding these settings, to derive variants. */
  public Builder toBuilder() {
    return new Builder(values, kafkaClient);
  }

  /**
   * Settings from {@code key -> text} pairs with the keys of {@link GladJobOptions}, plus the Kafka
   * client properties ({@code kafka-properties FILE}, {@code kafka.<property>}, see {@link
   * KafkaClientConfig}); unknown keys are an error (a typo must not silently fall back to a
   * default).
   */
  public static GladJobSettings fromMap(Map<String, String> texts) {
    Builder b = builder().kafkaClient(KafkaClientConfig.fromSettings(texts));
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, String> e : texts.entrySet()) {
      if (KafkaClientConfig.isClientSetting(e.getKey())) {
        continue;
      }
      Optional<JobSetting<?>> setting = GladJobOptions.byKey(e.getKey());
      if (setting.isEmpty()) {
        unknown.add(e.getKey());
      } else {
        b.setText(setting.get(), e.getValue());
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown setting(s) " + unknown + "; known: " + String.join(", ", keys()));
    }
    return b.build();
  }

  /** The keys {@link #fromMap} understands, in documentation order. */
  public static List<String> keys() {
    return GladJobOptions.ALL.stream().map(JobSetting::key).toList();
  }

  /** The value, or the setting's default (null for a setting without one) when it was not set. */
  public <T> T get(JobSetting<T> setting) {
    Object v = values.get(setting.key());
    return v == null ? setting.defaultValue() : setting.type().cast(v);
  }

  /** The value when it was set explicitly. */
  public <T> Optional<T> explicit(JobSetting<T> setting) {
    return Optional.ofNullable(values.get(setting.key())).map(setting.type()::cast);
  }

  /** The Kafka client properties every source, sink and client of the job receives. */
  public KafkaClientConfig kafkaClient() {
    return kafkaClient;
  }

  /**
   * The explicitly set values as {@code --key value} arguments, e.g. to print a command. Kafka
   * client properties are not among them: they may hold secrets.
   */
  public List<String> asArguments() {
    List<String> args = new ArrayList<>();
    values.forEach(
        (key, value) -> {
          args.add("--" + key);
          args.add(
              value instanceof Duration d ? JobSetting.formatDuration(d) : String.valueOf(value));
        });
    return args;
  }

  /** The values, and the Kafka client properties with every secret hidden. */
  @Override
  public String toString() {
    return "GladJobSettings"
        + values
        + (kafkaClient.isEmpty() ? "" : " kafka client " + kafkaClient.redacted());
  }

  /** Builder; {@link #build()} validates everything. */
  public static final class Builder {
    private final Map<String, Object> values;
    private KafkaClientConfig kafkaClient;

    private Builder(Map<String, Object> values, KafkaClientConfig kafkaClient) {
      this.values = new LinkedHashMap<>(values);
      this.kafkaClient = kafkaClient;
    }

    /** The Kafka client properties (security and others) for every client of the job. */
    public Builder kafkaClient(KafkaClientConfig kafkaClient) {
      this.kafkaClient = kafkaClient;
      return this;
    }

    /** Sets a value ({@code null} unsets it: the default applies). */
    public <T> Builder set(JobSetting<T> setting, T value) {
      if (value == null) {
        values.remove(setting.key());
      } else {
        values.put(setting.key(), value);
      }
      return this;
    }

    /** Sets a value from its text form. */
    public <T> Builder setText(JobSetting<T> setting, String text) {
      return set(setting, setting.parse(text));
    }

    /**
     * @throws IllegalArgumentException naming the first invalid setting and the rule it breaks
     */
    public GladJobSettings build() {
      GladJobSettings s = new GladJobSettings(values, kafkaClient);
      for (JobSetting<?> setting : GladJobOptions.ALL) {
        checkValue(s, setting);
      }
      Duration lateness = s.get(ALLOWED_LATENESS);
      Duration dedupe = s.get(DEDUPE_WINDOW);
      if (dedupe.compareTo(lateness) <= 0) {
        throw new IllegalArgumentException(
            DEDUPE_WINDOW.key()
                + " ("
                + dedupe
                + ") must be longer than "
                + ALLOWED_LATENESS.key()
                + " ("
                + lateness
                + "), so that a duplicate is either detected or too late");
      }
      Duration timeout = s.get(TRANSACTION_TIMEOUT);
      Duration interval = s.get(CHECKPOINT_INTERVAL);
      if (timeout.compareTo(interval) <= 0) {
        throw new IllegalArgumentException(
            TRANSACTION_TIMEOUT.key()
                + " ("
                + timeout
                + ") must be longer than "
                + CHECKPOINT_INTERVAL.key()
                + " ("
                + interval
                + "): transactions stay open from one checkpoint to the next");
      }
      return s;
    }

    private static <T> void checkValue(GladJobSettings s, JobSetting<T> setting) {
      T value = s.get(setting);
      if (value != null) {
        setting.check(value);
      }
    }
  }
}
