package dev.glad.tools.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.glad.model.artifact.ModelArtifact;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Copies of an artifact for benches. */
final class ModelCopies {
  private ModelCopies() {}

  /**
   * A copy of {@code model} under another version id, with the same weights: what a model upgrade
   * costs depends on the shapes, and this gives a second version without training one.
   */
  static Path reversioned(Path model, Path work) throws IOException {
    Path copy = work.resolve("model-reversioned");
    Files.createDirectories(copy);
    try (var files = Files.list(model)) {
      for (Path f : files.toList()) {
        Files.copy(
            f, copy.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Path config = copy.resolve("config.json");
    JsonObject json = JsonParser.parseString(Files.readString(config)).getAsJsonObject();
    String old = json.get("modelVersion").getAsString();
    json.addProperty("modelVersion", "up" + old.substring(2));
    Files.writeString(config, json.toString());
    Path checksums = copy.resolve("checksums.sha256");
    List<String> lines = new ArrayList<>();
    for (String line : Files.readAllLines(checksums)) {
      lines.add(line.endsWith("  config.json") ? sha256(config) + "  config.json" : line);
    }
    Files.write(checksums, lines, StandardCharsets.UTF_8);
    ModelArtifact.load(copy); // fails here, not in the job, if the copy is not a valid artifact
    return copy;
  }

  /** The version id of an artifact. */
  static String versionOf(Path model) {
    return ModelArtifact.load(model).modelVersion();
  }

  private static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
