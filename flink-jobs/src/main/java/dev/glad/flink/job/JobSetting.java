package dev.glad.flink.job;

import dev.glad.schemas.settings.DeclaredSetting;
import dev.glad.schemas.settings.DurationText;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * One setting of the job, declared once (in {@link GladJobOptions}): Flink's {@link ConfigOption}
 * for its key, type, default and description, plus how it is read from text and the rule its value
 * must keep. Everything else (the command line, {@code --help}, the README table, {@link
 * GladJobSettings}) is derived from these declarations.
 *
 * @param <T> the value type
 */
public final class JobSetting<T> implements DeclaredSetting {
  /** A rule on a value: the problem as the end of "KEY ...", or empty when the value is fine. */
  @FunctionalInterface
  public interface Rule<T> {
    Optional<String> problem(T value);

    /** No constraint. */
    static <T> Rule<T> none() {
      return value -> Optional.empty();
    }
  }

  private final ConfigOption<T> option;
  private final Class<T> type;
  private final Function<String, T> parser;
  private final Rule<T> rule;
  private final String defaultText;
  private final String description;

  private JobSetting(
      ConfigOption<T> option,
      Class<T> type,
      Function<String, T> parser,
      Rule<T> rule,
      String defaultText) {
    this.option = option;
    this.description = option.description().getBlocks().isEmpty() ? "" : textOf(option);
    this.type = type;
    this.parser = parser;
    this.rule = rule;
    this.defaultText = defaultText;
  }

  static JobSetting<String> text(String key, String defaultValue, String description) {
    return text(key, defaultValue, description, Rule.none());
  }

  static JobSetting<String> text(
      String key, String defaultValue, String description, Rule<String> rule) {
    var builder = ConfigOptions.key(key).stringType();
    ConfigOption<String> option =
        (defaultValue == null ? builder.noDefaultValue() : builder.defaultValue(defaultValue))
            .withDescription(description);
    return new JobSetting<>(option, String.class, v -> v, rule, defaultValue);
  }

  static JobSetting<Integer> integer(
      String key, Integer defaultValue, String description, Rule<Integer> rule) {
    var builder = ConfigOptions.key(key).intType();
    ConfigOption<Integer> option =
        (defaultValue == null ? builder.noDefaultValue() : builder.defaultValue(defaultValue))
            .withDescription(description);
    return new JobSetting<>(
        option,
        Integer.class,
        v -> Integer.parseInt(v.replace("_", "")),
        rule,
        defaultValue == null ? null : defaultValue.toString());
  }

  static JobSetting<Boolean> flag(String key, boolean defaultValue, String description) {
    ConfigOption<Boolean> option =
        ConfigOptions.key(key)
            .booleanType()
            .defaultValue(defaultValue)
            .withDescription(description);
    return new JobSetting<>(
        option,
        Boolean.class,
        JobSetting::parseBoolean,
        Rule.none(),
        Boolean.toString(defaultValue));
  }

  static JobSetting<Duration> duration(
      String key, Duration defaultValue, String description, Rule<Duration> rule) {
    ConfigOption<Duration> option =
        ConfigOptions.key(key)
            .durationType()
            .defaultValue(defaultValue)
            .withDescription(description);
    return new JobSetting<>(
        option, Duration.class, v -> parseDuration(key, v), rule, formatDuration(defaultValue));
  }

  static <E extends Enum<E>> JobSetting<E> choice(
      String key, Class<E> type, E defaultValue, String description) {
    ConfigOption<E> option =
        ConfigOptions.key(key)
            .enumType(type)
            .defaultValue(defaultValue)
            .withDescription(description);
    return new JobSetting<>(
        option,
        type,
        v -> Enum.valueOf(type, v.strip().toUpperCase(Locale.ROOT)),
        Rule.none(),
        defaultValue.name());
  }

  /** The key, e.g. {@code chunk-size}; on the command line {@code --chunk-size}. */
  @Override
  public String key() {
    return option.key();
  }

  /** Flink's declaration of this setting. */
  public ConfigOption<T> option() {
    return option;
  }

  @Override
  public Class<T> type() {
    return type;
  }

  @Override
  public String description() {
    return description;
  }

  /** The default as users write it, or null when there is none. */
  @Override
  public String defaultText() {
    return defaultText;
  }

  /** The default value, or null when there is none. */
  public T defaultValue() {
    return option.hasDefaultValue() ? option.defaultValue() : null;
  }

  /**
   * Reads a value from text.
   *
   * @throws IllegalArgumentException {@code KEY: cannot parse 'TEXT'} (durations say which forms
   *     they take)
   */
  public T parse(String text) {
    try {
      return parser.apply(text.strip());
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(key() + ":")) {
        throw e;
      }
      throw new IllegalArgumentException(key() + ": cannot parse '" + text + "'", e);
    }
  }

  /**
   * @throws IllegalArgumentException {@code KEY PROBLEM} when the value breaks the rule
   */
  public void check(T value) {
    rule.problem(value)
        .ifPresent(
            problem -> {
              throw new IllegalArgumentException(key() + " " + problem);
            });
  }

  private static String textOf(ConfigOption<?> option) {
    StringBuilder sb = new StringBuilder();
    for (var block : option.description().getBlocks()) {
      if (block instanceof org.apache.flink.configuration.description.TextElement text) {
        sb.append(String.format(text.getFormat(), text.getElements().toArray()));
      }
    }
    return sb.toString();
  }

  private static boolean parseBoolean(String value) {
    String v = value.toLowerCase(Locale.ROOT);
    if (v.equals("true") || v.equals("false")) {
      return Boolean.parseBoolean(v);
    }
    throw new IllegalArgumentException("expected true or false, got '" + value + "'");
  }

  /** {@link DurationText#parse}: the project's one duration format. */
  static Duration parseDuration(String key, String value) {
    return DurationText.parse(key, value);
  }

  /** {@link DurationText#format}. */
  static String formatDuration(Duration d) {
    return DurationText.format(d);
  }

  @Override
  public String toString() {
    return key();
  }
}
