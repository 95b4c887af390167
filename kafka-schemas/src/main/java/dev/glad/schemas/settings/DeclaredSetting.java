package dev.glad.schemas.settings;

/**
 * A setting declared once (key, type, default, description): what a command line needs to offer it
 * as {@code --key value}. The job's {@code JobSetting} and the ranking service's {@code
 * ServiceSetting} are both, so one piece of the command line serves both.
 */
public interface DeclaredSetting {
  /** The key, also the command-line option without its {@code --}. */
  String key();

  /** The value's type. */
  Class<?> type();

  /** What the setting does, for help and generated tables. */
  String description();

  /** The default as it would be written on a command line; null when there is none. */
  String defaultText();
}
