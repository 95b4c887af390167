package dev.glad.flink.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --key value} and {@code --flag} command-line arguments. Unknown keys are reported with the
 * known ones, so a typo never silently falls back to a default.
 */
public final class Args {
  private final Map<String, String> values;

  private Args(Map<String, String> values) {
    this.values = values;
  }

  /**
   * @param booleanFlags keys that take no value ({@code --flag} means true)
   * @throws IllegalArgumentException on a stray value or a missing value
   */
  public static Args parse(List<String> args, Set<String> booleanFlags) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (!a.startsWith("--") || a.length() == 2) {
        throw new IllegalArgumentException(
            "unexpected argument '" + a + "' (flags look like --name value)");
      }
      String key = a.substring(2);
      String value;
      int eq = key.indexOf('=');
      if (eq >= 0) {
        value = key.substring(eq + 1);
        key = key.substring(0, eq);
      } else if (booleanFlags.contains(key)) {
        value = "true";
      } else {
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException("--" + key + " needs a value");
        }
        value = args.get(++i);
      }
      values.put(key, value);
    }
    return new Args(values);
  }

  /** Fails naming the unknown keys when any key is not in {@code known}. */
  public Args requireOnly(Set<String> known) {
    List<String> unknown = values.keySet().stream().filter(k -> !known.contains(k)).toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown option(s) "
              + unknown.stream().map(k -> "--" + k).toList()
              + "; known: "
              + known.stream().sorted().map(k -> "--" + k).toList());
    }
    return this;
  }

  public boolean has(String key) {
    return values.containsKey(key);
  }

  public String string(String key, String fallback) {
    return values.getOrDefault(key, fallback);
  }

  public int integer(String key, int fallback) {
    String v = values.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.replace("_", "").replace(",", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + key + " expects a whole number, got '" + v + "'");
    }
  }

  public long longValue(String key, long fallback) {
    String v = values.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      return Long.parseLong(v.replace("_", "").replace(",", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + key + " expects a whole number, got '" + v + "'");
    }
  }

  public boolean flag(String key) {
    return Boolean.parseBoolean(values.getOrDefault(key, "false"));
  }

  /** The pairs whose keys are in {@code keys}, e.g. to hand job settings to their parser. */
  public Map<String, String> subset(Set<String> keys) {
    Map<String, String> out = new LinkedHashMap<>();
    values.forEach(
        (k, v) -> {
          if (keys.contains(k)) {
            out.put(k, v);
          }
        });
    return out;
  }
}
