package dev.glad.cli;

import dev.glad.schemas.settings.DeclaredSetting;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Settings declared once (the job's, the ranking service's) offered as {@code --key value} options:
 * added to a command when its command line is built, read back as {@code key -> text} for the
 * settings' own validating parser.
 */
final class SettingOptions {
  private SettingOptions() {}

  /** Adds one option per setting, with its description and default. */
  static void addTo(CommandSpec spec, List<? extends DeclaredSetting> settings) {
    for (DeclaredSetting setting : settings) {
      spec.addOption(
          OptionSpec.builder("--" + setting.key())
              .paramLabel(label(setting))
              .type(String.class)
              .description(
                  setting.description()
                      + (setting.defaultText() == null
                          ? ""
                          : " (default: " + setting.defaultText() + ")"))
              .build());
    }
  }

  /** The settings given on the command line, as written. */
  static Map<String, String> given(CommandSpec spec, List<? extends DeclaredSetting> settings) {
    Map<String, String> texts = new LinkedHashMap<>();
    for (DeclaredSetting setting : settings) {
      String value = spec.findOption("--" + setting.key()).getValue();
      if (value != null) {
        texts.put(setting.key(), value);
      }
    }
    return texts;
  }

  private static String label(DeclaredSetting setting) {
    Class<?> t = setting.type();
    if (t == Boolean.class) {
      return "true|false";
    }
    if (t == Integer.class) {
      return "N";
    }
    if (t == Duration.class) {
      return "DURATION";
    }
    if (t.isEnum()) {
      StringBuilder sb = new StringBuilder();
      for (Object v : t.getEnumConstants()) {
        sb.append(sb.length() > 0 ? "|" : "").append(v.toString().toLowerCase(Locale.ROOT));
      }
      return sb.toString();
    }
    return setting.key().toUpperCase(Locale.ROOT).replace('-', '_');
  }
}
