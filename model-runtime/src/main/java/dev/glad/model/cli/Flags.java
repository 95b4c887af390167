package dev.glad.model.cli;

import dev.glad.model.data.InteractionFormat;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Parses {@code --name value} flags against a fixed set of names, with exact error messages. */
final class Flags {
  private final Map<String, String> values;

  private Flags(Map<String, String> values) {
    this.values = values;
  }

  /**
   * Parses {@code args}. Every flag must be in {@code known}; flags in {@code switches} take no
   * value.
   */
  static Flags parse(String[] args, int from, Set<String> known, Set<String> switches) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = from; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (!known.contains(name) && !switches.contains(name)) {
        throw new UsageException("unknown flag --" + name);
      }
      if (values.containsKey(name)) {
        throw new UsageException("flag --" + name + " given twice");
      }
      if (switches.contains(name)) {
        if (value != null) {
          throw new UsageException("flag --" + name + " takes no value");
        }
        values.put(name, "true");
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
          throw new UsageException("flag --" + name + " needs a value");
        }
        value = args[++i];
      }
      values.put(name, value);
    }
    return new Flags(values);
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  String required(String name) {
    String v = values.get(name);
    if (v == null) {
      throw new UsageException("missing required flag --" + name);
    }
    return v;
  }

  String string(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  int integer(String name, int fallback) {
    String v = values.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be an integer but was '" + v + "'");
    }
  }

  long longValue(String name, long fallback) {
    String v = values.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be an integer but was '" + v + "'");
    }
  }

  float number(String name, float fallback) {
    String v = values.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Float.parseFloat(v);
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a number but was '" + v + "'");
    }
  }

  /** The {@code --format} value, or the format implied by the data file's name. */
  InteractionFormat format(Path data) {
    return has("format")
        ? InteractionFormat.parse(required("format"))
        : InteractionFormat.fromFileName(data.getFileName().toString());
  }
}
