package dev.glad.flink.job;

import static dev.glad.flink.job.GladJobOptions.ALLOWED_LATENESS;
import static dev.glad.flink.job.GladJobOptions.CHECKPOINT_INTERVAL;
import static dev.glad.flink.job.GladJobOptions.DEDUPE_WINDOW;
import static dev.glad.flink.job.GladJobOptions.TRANSACTION_TIMEOUT;

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

  private GladJobSettings(Map<String, Object> values) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public static Builder builder() {
    return new Builder(Map.of());
  }

  /** A builder holding these settings, to derive variants. */
  public Builder toBuilder() {
    return new Builder(values);
  }

  /**
   * Settings from {@code key -> text} pairs with the keys of {@link GladJobOptions}; unknown keys
   * are an error (a typo must not silently fall back to a default).
   */
  public static GladJobSettings fromMap(Map<String, String> texts) {
    Builder b = builder();
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, String> e : texts.entrySet()) {
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

  /** The explicitly set values as {@code --key value} arguments, e.g. to print a command. */
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

  @Override
  public String toString() {
    return "GladJobSettings" + values;
  }

  /** Builder; {@link #build()} validates everything. */
  public static final class Builder {
    private final Map<String, Object> values;

    private Builder(Map<String, Object> values) {
      this.values = new LinkedHashMap<>(values);
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
      GladJobSettings s = new GladJobSettings(values);
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
