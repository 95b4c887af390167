package dev.glad.schemas.settings;

import java.time.Duration;

/**
 * How every setting of the project writes a duration, on command lines, in printed settings and in
 * the generated settings tables: {@code 500ms}, {@code 5s}, {@code 10m}, {@code 2h}, {@code 1d}, or
 * ISO-8601 ({@code PT5S}). One place, so the job, the ranking service and the tools read and print
 * durations alike.
 */
public final class DurationText {
  private DurationText() {}

  /**
   * @param key the setting's key, for the message
   * @throws IllegalArgumentException {@code KEY: cannot parse duration 'VALUE' (...)}
   */
  public static Duration parse(String key, String value) {
    String v = value.strip();
    try {
      if (v.startsWith("P") || v.startsWith("p") || v.startsWith("-P")) {
        return Duration.parse(v);
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      switch (v.charAt(v.length() - 1)) {
        case 's':
          return Duration.ofSeconds(n);
        case 'm':
          return Duration.ofMinutes(n);
        case 'h':
          return Duration.ofHours(n);
        case 'd':
          return Duration.ofDays(n);
        default:
          break;
      }
    } catch (RuntimeException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException(
        key + ": cannot parse duration '" + value + "' (use e.g. 500ms, 5s, 10m, 2h or PT5S)");
  }

  /**
   * The shortest of {@code 50ms}, {@code 5s}, {@code 10m}, {@code 2h}, {@code 1d} that is exact.
   */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms != 0 && ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms != 0 && ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms != 0 && ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
