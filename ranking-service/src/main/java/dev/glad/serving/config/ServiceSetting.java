package dev.glad.serving.config;

import dev.glad.schemas.settings.DeclaredSetting;
import dev.glad.schemas.settings.DurationText;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * One setting of the ranking service, declared once (in {@link RankingServiceOptions}): key, type,
 * default, description, how it is read from text and the rule its value must keep. The command
 * line, its {@code --help}, the documentation table and {@link RankingServiceSettings} are derived
 * from these declarations. The same shape as the job's {@code JobSetting}, without Flink.
 *
 * @param <T> the value type
 */
public final class ServiceSetting<T> implements DeclaredSetting {
  /** A rule on a value: the problem as the end of "KEY ...", or empty when the value is fine. */
  @FunctionalInterface
  public interface Rule<T> {
    Optional<String> problem(T value);

    static <T> Rule<T> none() {
      return value -> Optional.empty();
    }
  }

  private final String key;
  private final Class<T> type;
  private final Function<String, T> parser;
  private final Rule<T> rule;
  private final T defaultValue;
  private final String defaultText;
  private final String description;
  private final boolean secret;

  private ServiceSetting(
      String key,
      Class<T> type,
      Function<String, T> parser,
      Rule<T> rule,
      T defaultValue,
      String defaultText,
      String description,
      boolean secret) {
    this.key = key;
    this.type = type;
    this.parser = parser;
    this.rule = rule;
    this.defaultValue = defaultValue;
    this.defaultText = defaultText;
    this.description = description;
    this.secret = secret;
  }

  static ServiceSetting<String> text(
      String key, String defaultValue, String description, Rule<String> rule) {
    return new ServiceSetting<>(
        key, String.class, v -> v, rule, defaultValue, defaultValue, description, false);
  }

  /** A text whose value is never printed (tokens, passwords). */
  static ServiceSetting<String> secret(String key, String description, Rule<String> rule) {
    return new ServiceSetting<>(key, String.class, v -> v, rule, null, null, description, true);
  }

  static ServiceSetting<Integer> integer(
      String key, Integer defaultValue, String description, Rule<Integer> rule) {
    return new ServiceSetting<>(
        key,
        Integer.class,
        v -> Integer.parseInt(v.replace("_", "")),
        rule,
        defaultValue,
        defaultValue == null ? null : defaultValue.toString(),
        description,
        false);
  }

  static ServiceSetting<Duration> duration(
      String key, Duration defaultValue, String description, Rule<Duration> rule) {
    return new ServiceSetting<>(
        key,
        Duration.class,
        v -> DurationText.parse(key, v),
        rule,
        defaultValue,
        DurationText.format(defaultValue),
        description,
        false);
  }

  static <E extends Enum<E>> ServiceSetting<E> choice(
      String key, Class<E> type, E defaultValue, String description) {
    return new ServiceSetting<>(
        key,
        type,
        v -> {
          try {
            return Enum.valueOf(type, v.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                key + ": must be one of " + choices(type) + ", got '" + v + "'");
          }
        },
        Rule.none(),
        defaultValue,
        defaultValue.name().toLowerCase(Locale.ROOT),
        description,
        false);
  }

  private static <E extends Enum<E>> String choices(Class<E> type) {
    StringBuilder sb = new StringBuilder();
    E[] values = type.getEnumConstants();
    for (int i = 0; i < values.length; i++) {
      sb.append(i == 0 ? "" : i == values.length - 1 ? " or " : ", ");
      sb.append(values[i].name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    return sb.toString();
  }

  /** The key, e.g. {@code max-candidates}; on the command line {@code --max-candidates}. */
  @Override
  public String key() {
    return key;
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
    return defaultValue;
  }

  /** Whether the value is a secret: never printed, never logged. */
  public boolean secret() {
    return secret;
  }

  /**
   * Reads a value from text.
   *
   * @throws IllegalArgumentException {@code KEY: cannot parse 'TEXT'} (a secret's text is not
   *     repeated)
   */
  public T parse(String text) {
    try {
      return parser.apply(text.strip());
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(key + ":")) {
        throw e;
      }
      throw new IllegalArgumentException(
          key + ": cannot parse '" + (secret ? "[hidden]" : text) + "'", e);
    }
  }

  /**
   * @throws IllegalArgumentException {@code KEY PROBLEM} when the value breaks the rule
   */
  public void check(T value) {
    rule.problem(value)
        .ifPresent(
            problem -> {
              throw new IllegalArgumentException(key + " " + problem);
            });
  }

  @Override
  public String toString() {
    return key;
  }
}
