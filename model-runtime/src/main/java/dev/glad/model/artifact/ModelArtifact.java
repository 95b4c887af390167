package dev.glad.model.artifact;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.glad.model.data.ItemVocabulary;
import dev.glad.model.data.SpecialTokens;
import dev.glad.model.encoder.Bert4RecModel;
import dev.glad.model.encoder.EncoderConfig;
import dev.glad.model.encoder.SequenceEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A versioned model directory, written by the trainer and read by the evaluator, the stream and the
 * server:
 *
 * <pre>
 * config.json       format version, model version id, encoder shape, token ids, options,
 *                   training metadata, and the list of parameter groups
 * vocabulary.txt    one external item id per line; line i is vocabulary index FIRST_ITEM + i
 * &lt;group&gt;.npz       one file per named parameter group ("encoder" now; GNN, gate, centroids later)
 * checksums.sha256  sha256 of every other file, "HEX  NAME" per line
 * </pre>
 *
 * <p>Loading verifies everything before anything is used and fails with an {@link
 * ArtifactException} naming the file and the problem. Groups a reader does not know are kept and
 * ignored, so adding groups does not break older readers of the same format version.
 */
public final class ModelArtifact {
  /** The directory layout version this build writes and reads. */
  public static final int FORMAT_VERSION = 1;

  /** The encoder's parameter group. */
  public static final String ENCODER_GROUP = "encoder";

  static final String CONFIG = "config.json";
  static final String VOCABULARY = "vocabulary.txt";
  static final String CHECKSUMS = "checksums.sha256";
  private static final Gson GSON =
      new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

  private final Path directory;
  private final JsonObject config;
  private final EncoderConfig encoderConfig;
  private final ItemVocabulary vocabulary;
  private final Map<String, String> groupFiles;

  private ModelArtifact(
      Path directory,
      JsonObject config,
      EncoderConfig encoderConfig,
      ItemVocabulary vocabulary,
      Map<String, String> groupFiles) {
    this.directory = directory;
    this.config = config;
    this.encoderConfig = encoderConfig;
    this.vocabulary = vocabulary;
    this.groupFiles = groupFiles;
  }

  public Path directory() {
    return directory;
  }

  public EncoderConfig encoderConfig() {
    return encoderConfig;
  }

  public ItemVocabulary vocabulary() {
    return vocabulary;
  }

  /** The content-derived model version id (first 16 hex digits of a sha256). */
  public String modelVersion() {
    return config.get("modelVersion").getAsString();
  }

  /** A copy of the whole config.json. */
  public JsonObject config() {
    return config.deepCopy();
  }

  /** Names of the parameter groups present. */
  public Set<String> parameterGroups() {
    return groupFiles.keySet();
  }

  /** Reads a parameter group's named arrays into {@code manager}. */
  public NDList readGroup(String group, NDManager manager) {
    String file = groupFiles.get(group);
    if (file == null) {
      throw new ArtifactException(
          directory + ": no parameter group '" + group + "' (have " + groupFiles.keySet() + ")");
    }
    try (InputStream in = Files.newInputStream(directory.resolve(file))) {
      return NDList.decode(manager, in);
    } catch (IOException | RuntimeException e) {
      throw new ArtifactException(directory.resolve(file) + ": cannot decode parameters", e);
    }
  }

  /** Loads the encoder onto {@code device}; the caller closes the returned encoder. */
  public SequenceEncoder openEncoder(Device device) {
    try (NDManager staging = NDManager.newBaseManager(Device.cpu())) {
      NDList values = readGroup(ENCODER_GROUP, staging);
      try {
        return SequenceEncoder.owning(Bert4RecModel.fromParameters(encoderConfig, device, values));
      } catch (IllegalArgumentException e) {
        throw new ArtifactException(
            directory.resolve(groupFiles.get(ENCODER_GROUP))
                + ": does not match config.json: "
                + e.getMessage(),
            e);
      }
    }
  }

  /**
   * Writes an artifact to {@code directory} (replacing it). The files go to a temporary sibling
   * first and are moved into place at the end.
   *
   * @param groups named parameter groups; must contain {@link #ENCODER_GROUP}
   * @param options free-form model options recorded in the config
   * @param training training metadata (data set, settings, curve, timings)
   * @return the loaded, verified artifact
   */
  public static ModelArtifact write(
      Path directory,
      EncoderConfig encoderConfig,
      ItemVocabulary vocabulary,
      Map<String, NDList> groups,
      JsonObject options,
      JsonObject training) {
    if (!groups.containsKey(ENCODER_GROUP)) {
      throw new IllegalArgumentException("groups must contain '" + ENCODER_GROUP + "'");
    }
    if (vocabulary.tokenCount() != encoderConfig.tokenCount()) {
      throw new IllegalArgumentException(
          "vocabulary has "
              + vocabulary.tokenCount()
              + " tokens but the encoder "
              + encoderConfig.tokenCount());
    }
    Path absolute = directory.toAbsolutePath().normalize();
    Path tmp = absolute.resolveSibling(absolute.getFileName() + ".writing");
    try {
      Directories.deleteRecursively(tmp);
      Files.createDirectories(tmp);
      Files.write(tmp.resolve(VOCABULARY), vocabulary.itemIds(), StandardCharsets.UTF_8);
      MessageDigest version = Sha256.newDigest();
      Sha256.update(version, tmp.resolve(VOCABULARY));
      JsonObject groupsJson = new JsonObject();
      for (Map.Entry<String, NDList> group : new TreeMap<>(groups).entrySet()) {
        String file = group.getKey() + ".npz";
        try (OutputStream out = Files.newOutputStream(tmp.resolve(file))) {
          group.getValue().encode(out, NDList.Encoding.NPZ);
        }
        Sha256.update(version, group.getKey(), group.getValue());
        JsonObject groupJson = new JsonObject();
        groupJson.addProperty("file", file);
        JsonObject tensors = new JsonObject();
        for (var array : group.getValue()) {
          JsonArray shape = new JsonArray();
          for (long d : array.getShape().getShape()) {
            shape.add(d);
          }
          tensors.add(array.getName(), shape);
        }
        groupJson.add("tensors", tensors);
        groupsJson.add(group.getKey(), groupJson);
      }
      JsonObject config = new JsonObject();
      config.addProperty("formatVersion", FORMAT_VERSION);
      config.addProperty(
          "modelVersion", HexFormat.of().formatHex(version.digest()).substring(0, 16));
      config.addProperty("model", "bert4rec-encoder");
      config.add("encoder", GSON.toJsonTree(encoderConfig));
      JsonObject tokens = new JsonObject();
      tokens.addProperty("pad", SpecialTokens.PAD);
      tokens.addProperty("mask", SpecialTokens.MASK);
      tokens.addProperty("unk", SpecialTokens.UNK);
      tokens.addProperty("firstItem", SpecialTokens.FIRST_ITEM);
      config.add("tokens", tokens);
      config.addProperty("vocabularySize", vocabulary.itemCount());
      config.add("options", options == null ? new JsonObject() : options);
      config.add("training", training == null ? new JsonObject() : training);
      config.add("parameterGroups", groupsJson);
      Files.writeString(tmp.resolve(CONFIG), GSON.toJson(config), StandardCharsets.UTF_8);
      writeChecksums(tmp);
      Directories.deleteRecursively(absolute);
      Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write model artifact to " + absolute, e);
    }
    return load(absolute);
  }

  private static void writeChecksums(Path dir) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.sorted().toList()) {
        String name = file.getFileName().toString();
        if (!name.equals(CHECKSUMS)) {
          lines.add(Sha256.ofFile(file) + "  " + name);
        }
      }
    }
    Files.write(dir.resolve(CHECKSUMS), lines, StandardCharsets.UTF_8);
  }

  /**
   * Loads and verifies an artifact: checksums, format version, vocabulary size and the listed
   * files. Parameter shapes are checked when a group is opened.
   *
   * @throws ArtifactException naming the file and what is wrong
   */
  public static ModelArtifact load(Path directory) {
    Path dir = directory.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new ArtifactException(dir + ": model directory does not exist");
    }
    Map<String, String> checksums = readChecksums(dir);
    JsonObject config = readConfig(dir);
    int format = intField(config, "formatVersion", dir);
    if (format != FORMAT_VERSION) {
      throw new ArtifactException(
          dir.resolve(CONFIG)
              + ": format version "
              + format
              + " is not supported (this build reads version "
              + FORMAT_VERSION
              + ")");
    }
    for (Map.Entry<String, String> entry : checksums.entrySet()) {
      Path file = dir.resolve(entry.getKey());
      if (!Files.isRegularFile(file)) {
        throw new ArtifactException(file + ": missing (listed in " + CHECKSUMS + ")");
      }
      String actual;
      try {
        actual = Sha256.ofFile(file);
      } catch (IOException e) {
        throw new ArtifactException(file + ": cannot read", e);
      }
      if (!actual.equals(entry.getValue())) {
        throw new ArtifactException(
            file
                + ": checksum mismatch (expected "
                + entry.getValue()
                + ", found "
                + actual
                + "); the file is corrupt or was modified");
      }
    }
    Map<String, String> groupFiles = new LinkedHashMap<>();
    JsonObject groups = objectField(config, "parameterGroups", dir);
    for (Map.Entry<String, JsonElement> group : groups.entrySet()) {
      String file = group.getValue().getAsJsonObject().get("file").getAsString();
      groupFiles.put(group.getKey(), file);
    }
    if (!groupFiles.containsKey(ENCODER_GROUP)) {
      throw new ArtifactException(
          dir.resolve(CONFIG) + ": no '" + ENCODER_GROUP + "' parameter group");
    }
    List<String> required = new ArrayList<>(List.of(CONFIG, VOCABULARY));
    required.addAll(groupFiles.values());
    for (String file : required) {
      if (!Files.isRegularFile(dir.resolve(file))) {
        throw new ArtifactException(dir.resolve(file) + ": missing");
      }
      if (!checksums.containsKey(file)) {
        throw new ArtifactException(dir.resolve(file) + ": not covered by " + CHECKSUMS);
      }
    }
    EncoderConfig encoderConfig;
    try {
      encoderConfig = GSON.fromJson(objectField(config, "encoder", dir), EncoderConfig.class);
    } catch (JsonParseException | IllegalArgumentException e) {
      throw new ArtifactException(dir.resolve(CONFIG) + ": invalid encoder: " + e.getMessage(), e);
    }
    JsonObject tokens = objectField(config, "tokens", dir);
    if (intField(tokens, "pad", dir) != SpecialTokens.PAD
        || intField(tokens, "mask", dir) != SpecialTokens.MASK
        || intField(tokens, "unk", dir) != SpecialTokens.UNK
        || intField(tokens, "firstItem", dir) != SpecialTokens.FIRST_ITEM) {
      throw new ArtifactException(
          dir.resolve(CONFIG) + ": token ids " + tokens + " differ from this build's");
    }
    List<String> ids;
    try {
      ids = Files.readAllLines(dir.resolve(VOCABULARY), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ArtifactException(dir.resolve(VOCABULARY) + ": cannot read", e);
    }
    int vocabularySize = intField(config, "vocabularySize", dir);
    if (ids.size() != vocabularySize) {
      throw new ArtifactException(
          dir.resolve(VOCABULARY)
              + ": has "
              + ids.size()
              + " items but config.json says vocabularySize "
              + vocabularySize);
    }
    if (encoderConfig.tokenCount() != vocabularySize + SpecialTokens.COUNT) {
      throw new ArtifactException(
          dir.resolve(CONFIG)
              + ": encoder tokenCount "
              + encoderConfig.tokenCount()
              + " does not equal vocabularySize "
              + vocabularySize
              + " + "
              + SpecialTokens.COUNT
              + " special tokens");
    }
    ItemVocabulary vocabulary;
    try {
      vocabulary = ItemVocabulary.of(ids);
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(dir.resolve(VOCABULARY) + ": " + e.getMessage(), e);
    }
    return new ModelArtifact(dir, config, encoderConfig, vocabulary, groupFiles);
  }

  private static Map<String, String> readChecksums(Path dir) {
    Path file = dir.resolve(CHECKSUMS);
    if (!Files.isRegularFile(file)) {
      throw new ArtifactException(file + ": missing");
    }
    Map<String, String> checksums = new LinkedHashMap<>();
    try {
      int lineNumber = 0;
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        String[] parts = line.strip().split("\\s+", 2);
        if (parts.length != 2 || parts[0].length() != 64) {
          throw new ArtifactException(
              file + ", line " + lineNumber + ": expected 'SHA256  FILE' but was '" + line + "'");
        }
        checksums.put(parts[1], parts[0]);
      }
    } catch (IOException e) {
      throw new ArtifactException(file + ": cannot read", e);
    }
    return checksums;
  }

  private static JsonObject readConfig(Path dir) {
    Path file = dir.resolve(CONFIG);
    if (!Files.isRegularFile(file)) {
      throw new ArtifactException(file + ": missing");
    }
    try {
      return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8))
          .getAsJsonObject();
    } catch (IOException | RuntimeException e) {
      throw new ArtifactException(file + ": not a valid JSON object: " + e.getMessage(), e);
    }
  }

  private static int intField(JsonObject object, String name, Path dir) {
    JsonElement value = object.get(name);
    if (value == null || !value.isJsonPrimitive()) {
      throw new ArtifactException(dir.resolve(CONFIG) + ": missing number '" + name + "'");
    }
    return value.getAsInt();
  }

  private static JsonObject objectField(JsonObject object, String name, Path dir) {
    JsonElement value = object.get(name);
    if (value == null || !value.isJsonObject()) {
      throw new ArtifactException(dir.resolve(CONFIG) + ": missing object '" + name + "'");
    }
    return value.getAsJsonObject();
  }
}
