package dev.glad.schemas.kafka;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.avro.Schema;

/**
 * Every released version of each topic schema, kept as {@code schema-history/<Type>/v<N>.avsc} on
 * the classpath with an {@code index} file listing the versions in order.
 *
 * <p>A schema change is released by adding its new version here; {@code SchemaCompatibilityTest}
 * fails the build when the current schema is not the newest listed version or cannot read every
 * earlier one.
 */
public final class SchemaHistory {
  private static final String ROOT = "schema-history/";

  private SchemaHistory() {}

  /** The versions of a record type, oldest first; empty when none were released. */
  public static List<Schema> versionsOf(String typeName) {
    List<Schema> versions = new ArrayList<>();
    for (String file : indexOf(typeName)) {
      String path = ROOT + typeName + "/" + file;
      try (InputStream in = AvroWireFormat.historyStream(path)) {
        if (in == null) {
          throw new IllegalStateException("schema history index names a missing file: " + path);
        }
        // each file is parsed on its own so that named types may be redefined across versions
        versions.add(new Schema.Parser().parse(in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + path, e);
      }
    }
    return versions;
  }

  /** The version file names listed in {@code schema-history/<Type>/index}. */
  public static List<String> indexOf(String typeName) {
    String path = ROOT + typeName + "/index";
    try (InputStream in = AvroWireFormat.historyStream(path)) {
      if (in == null) {
        return List.of();
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      return reader
          .lines()
          .map(String::strip)
          .filter(line -> !line.isEmpty() && !line.startsWith("#"))
          .collect(Collectors.toUnmodifiableList());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }
}
