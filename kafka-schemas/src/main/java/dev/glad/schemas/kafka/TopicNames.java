package dev.glad.schemas.kafka;

import java.util.regex.Pattern;

/** Kafka's own rule for legal topic names, checked early with a clear message. */
final class TopicNames {
  private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  private TopicNames() {}

  static String requireValid(String name) {
    if (!LEGAL.matcher(name).matches() || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException(
          "illegal Kafka topic name '"
              + name
              + "': use 1 to 249 characters from [a-zA-Z0-9._-], not '.' or '..'");
    }
    return name;
  }
}
