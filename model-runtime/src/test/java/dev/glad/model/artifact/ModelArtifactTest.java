package dev.glad.model.artifact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.glad.model.data.ItemVocabulary;
import dev.glad.model.encoder.Bert4RecModel;
import dev.glad.model.encoder.EncoderConfig;
import dev.glad.model.encoder.SequenceEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelArtifactTest {
  private static final ItemVocabulary VOCABULARY = vocabulary(20);
  private static final EncoderConfig CONFIG =
      EncoderConfig.builder()
          .setTokenCount(VOCABULARY.tokenCount())
          .optHiddenSize(8)
          .optLayers(1)
          .optHeads(2)
          .optMaxLength(6)
          .optChunkSize(3)
          .build();

  private static ItemVocabulary vocabulary(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add("item-" + i);
    }
    return ItemVocabulary.of(ids);
  }

  private static ModelArtifact writeModel(Path dir, long seed, Map<String, NDList> extra) {
    try (Bert4RecModel model = Bert4RecModel.create(CONFIG, Device.cpu(), seed);
        NDManager cpu = NDManager.newBaseManager(Device.cpu())) {
      JsonObject training = new JsonObject();
      training.addProperty("epochs", 3);
      Map<String, NDList> groups = new java.util.TreeMap<>(extra);
      groups.put(ModelArtifact.ENCODER_GROUP, model.copyParameters(cpu));
      return ModelArtifact.write(dir, CONFIG, VOCABULARY, groups, new JsonObject(), training);
    }
  }

  @Test
  void roundTripGivesIdenticalEncodings(@TempDir Path tmp) {
    Path dir = tmp.resolve("model");
    ModelArtifact written = writeModel(dir, 3, Map.of());
    float[] expected;
    try (SequenceEncoder original =
        SequenceEncoder.owning(Bert4RecModel.create(CONFIG, Device.cpu(), 3))) {
      expected = original.encode(new int[] {4, 5, 6});
    }
    ModelArtifact loaded = ModelArtifact.load(dir);
    assertEquals(written.modelVersion(), loaded.modelVersion());
    assertEquals(16, loaded.modelVersion().length());
    assertEquals(CONFIG, loaded.encoderConfig());
    assertEquals(VOCABULARY.itemIds(), loaded.vocabulary().itemIds());
    assertEquals(3, loaded.config().getAsJsonObject("training").get("epochs").getAsInt());
    assertEquals(1, loaded.config().get("formatVersion").getAsInt());
    try (SequenceEncoder encoder = loaded.openEncoder(Device.cpu())) {
      assertArrayEquals(expected, encoder.encode(new int[] {4, 5, 6}), 0f);
    }
  }

  @Test
  void differentParametersGiveADifferentModelVersion(@TempDir Path tmp) {
    String a = writeModel(tmp.resolve("a"), 1, Map.of()).modelVersion();
    String b = writeModel(tmp.resolve("b"), 2, Map.of()).modelVersion();
    assertTrue(!a.equals(b));
  }

  @Test
  void theSameParametersWrittenTwiceGiveTheSameModelVersion(@TempDir Path tmp) throws Exception {
    String a = writeModel(tmp.resolve("a"), 1, Map.of()).modelVersion();
    Thread.sleep(2100); // zip entries carry their write time at a 2-second resolution
    String b = writeModel(tmp.resolve("b"), 1, Map.of()).modelVersion();
    assertEquals(a, b);
  }

  @Test
  void additionalParameterGroupsAreCarriedAndReadable(@TempDir Path tmp) {
    try (NDManager cpu = NDManager.newBaseManager(Device.cpu())) {
      NDArray centroids =
          cpu.create(new float[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2));
      centroids.setName("centroids");
      writeModel(tmp.resolve("m"), 1, Map.of("clusters", new NDList(centroids)));
      ModelArtifact loaded = ModelArtifact.load(tmp.resolve("m"));
      assertEquals(java.util.Set.of("clusters", "encoder"), loaded.parameterGroups());
      NDList read = loaded.readGroup("clusters", cpu);
      assertArrayEquals(new float[] {1, 2, 3, 4}, read.get(0).toFloatArray(), 0f);
      assertEquals("centroids", read.get(0).getName());
    }
  }

  @Test
  void corruptParameterFileIsRefused(@TempDir Path tmp) throws IOException {
    Path dir = tmp.resolve("model");
    writeModel(dir, 1, Map.of());
    Path npz = dir.resolve("encoder.npz");
    byte[] bytes = Files.readAllBytes(npz);
    bytes[bytes.length / 2] ^= 0x5A;
    Files.write(npz, bytes);
    ArtifactException e = assertThrows(ArtifactException.class, () -> ModelArtifact.load(dir));
    assertTrue(
        e.getMessage().startsWith(npz.toAbsolutePath() + ": checksum mismatch (expected "),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("); the file is corrupt or was modified"));
  }

  @Test
  void missingFileIsRefused(@TempDir Path tmp) throws IOException {
    Path dir = tmp.resolve("model");
    writeModel(dir, 1, Map.of());
    Files.delete(dir.resolve("vocabulary.txt"));
    ArtifactException e = assertThrows(ArtifactException.class, () -> ModelArtifact.load(dir));
    assertEquals(
        dir.resolve("vocabulary.txt").toAbsolutePath() + ": missing (listed in checksums.sha256)",
        e.getMessage());
    Files.delete(dir.resolve("checksums.sha256"));
    e = assertThrows(ArtifactException.class, () -> ModelArtifact.load(dir));
    assertEquals(dir.resolve("checksums.sha256").toAbsolutePath() + ": missing", e.getMessage());
  }

  /** Rewrites a file and its checksum line, as a careless edit or another writer would. */
  private static void replaceConsistently(Path dir, String file, String content)
      throws IOException {
    Files.writeString(dir.resolve(file), content, StandardCharsets.UTF_8);
    List<String> lines = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("checksums.sha256"))) {
      lines.add(line.endsWith("  " + file) ? Sha256.ofFile(dir.resolve(file)) + "  " + file : line);
    }
    Files.write(dir.resolve("checksums.sha256"), lines);
  }

  @Test
  void wrongFormatVersionIsRefused(@TempDir Path tmp) throws IOException {
    Path dir = tmp.resolve("model");
    writeModel(dir, 1, Map.of());
    String config = Files.readString(dir.resolve("config.json"));
    replaceConsistently(
        dir, "config.json", config.replace("\"formatVersion\": 1", "\"formatVersion\": 7"));
    ArtifactException e = assertThrows(ArtifactException.class, () -> ModelArtifact.load(dir));
    assertEquals(
        dir.resolve("config.json").toAbsolutePath()
            + ": format version 7 is not supported (this build reads version 1)",
        e.getMessage());
  }

  @Test
  void vocabularyThatDoesNotMatchTheConfigIsRefused(@TempDir Path tmp) throws IOException {
    Path dir = tmp.resolve("model");
    writeModel(dir, 1, Map.of());
    replaceConsistently(dir, "vocabulary.txt", String.join("\n", vocabulary(19).itemIds()) + "\n");
    ArtifactException e = assertThrows(ArtifactException.class, () -> ModelArtifact.load(dir));
    assertEquals(
        dir.resolve("vocabulary.txt").toAbsolutePath()
            + ": has 19 items but config.json says vocabularySize 20",
        e.getMessage());
  }

  @Test
  void parametersOfAnotherShapeAreRefused(@TempDir Path tmp) throws IOException {
    Path dir = tmp.resolve("model");
    writeModel(dir, 1, Map.of());
    // Config claims one vocabulary size more than the parameters were trained with.
    String config = Files.readString(dir.resolve("config.json"));
    replaceConsistently(
        dir,
        "config.json",
        config
            .replace("\"tokenCount\": 23", "\"tokenCount\": 24")
            .replace("\"vocabularySize\": 20", "\"vocabularySize\": 21"));
    replaceConsistently(dir, "vocabulary.txt", String.join("\n", vocabulary(21).itemIds()) + "\n");
    ModelArtifact loaded = ModelArtifact.load(dir);
    ArtifactException e =
        assertThrows(ArtifactException.class, () -> loaded.openEncoder(Device.cpu()));
    assertEquals(
        dir.resolve("encoder.npz").toAbsolutePath()
            + ": does not match config.json: parameter 'tokenEmbedding' has shape (23, 8) but the"
            + " config requires (24, 8)",
        e.getMessage());
  }
}
