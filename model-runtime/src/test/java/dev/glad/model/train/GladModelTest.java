package dev.glad.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.glad.model.artifact.ArtifactException;
import dev.glad.model.artifact.GladArtifact;
import dev.glad.model.artifact.GladModel;
import dev.glad.model.artifact.ModelArtifact;
import dev.glad.model.memory.ClusterNodes;
import dev.glad.model.memory.GladConfig;
import dev.glad.model.memory.GladVariant;
import dev.glad.model.memory.GraphMemoryMath;
import dev.glad.model.memory.HeadWeights;
import dev.glad.model.memory.UserGraphMemory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The artifact round trip, the refusals, and the offline memory builder against a step-by-step
 * replay with only the stream's contract functions (tolerance 1e-4).
 */
class GladModelTest {
  private static final float TOL = 1e-4f;
  private static TinyGlad tiny;
  private static GladConfig config;
  private static HeadWeights head;
  private static ClusterNodes clusters;

  @TempDir static Path dir;

  @BeforeAll
  static void trainNothingAndExport() {
    tiny = new TinyGlad(30, 20, 4);
    TrainingMemory memory =
        TrainingMemory.build(
            tiny.encoder, tiny.split, GladVariant.GCA, tiny.options, TinyGlad.C, null, 1);
    config = tiny.config(GladVariant.GCA, memory.clusterCount());
    head = tiny.randomHead(config);
    clusters = memory.clusterState(tiny.math(head));
    write(dir.resolve("gca"), clusters);
  }

  @AfterAll
  static void close() {
    tiny.encoder.close();
  }

  private static ModelArtifact write(Path where, ClusterNodes state) {
    try (NDManager cpu = NDManager.newBaseManager(Device.cpu())) {
      return GladArtifact.write(
          where,
          config,
          tiny.vocabulary,
          tiny.encoder.model().copyParameters(cpu),
          head,
          state,
          new JsonObject());
    }
  }

  @Test
  void loadsWhatWasWritten() {
    try (GladModel model = GladModel.load(dir.resolve("gca"), "cpu")) {
      assertEquals(GladVariant.GCA, model.config().variant());
      assertEquals(TinyGlad.C, model.config().chunkSize());
      assertEquals(clusters.clusterCount(), model.clusterCount());
      assertEquals(16, model.modelVersion().length());
      assertArrayEquals(clusters.sizes(), model.initialClusterSizes());
      for (int j = 0; j < model.clusterCount(); j++) {
        assertArrayEquals(clusters.centroids()[j], model.initialCentroids()[j], 0f);
        // h_CE^1 in the artifact is eq. 2 of its own centroids and user-sums
        assertArrayEquals(
            model
                .math()
                .clusterHidden(
                    model.initialCentroids()[j],
                    model.initialClusterUserSums()[j],
                    model.initialClusterSizes()[j]),
            model.initialClusterHidden()[j],
            TOL);
      }
    }
  }

  @Test
  void builderEqualsAChunkByChunkReplayWithTheContractFunctions() {
    try (GladModel model = GladModel.load(dir.resolve("gca"), "cpu")) {
      GraphMemoryMath math = model.math();
      for (int u = 0; u < tiny.split.userCount(); u++) {
        int[] items = tiny.split.fullSequence(u);
        UserGraphMemory built = model.memoryBuilder().build(items);
        // the stream: per completed chunk encode, assign, update h_U^0 and the edge
        float[] hU0 = null;
        float[] zU = null;
        TreeMap<Integer, Integer> edges = new TreeMap<>();
        long chunks = 0;
        for (int start = 0; start + TinyGlad.C <= items.length; start += TinyGlad.C) {
          float[] s = model.encoder().encode(Arrays.copyOfRange(items, start, start + TinyGlad.C));
          int j = math.nearestClusters(new float[][] {s}, model.initialCentroids())[0];
          hU0 = math.userInputAfterChunk(hU0, chunks++, s);
          edges.merge(j, 1, Integer::sum);
          zU = s;
        }
        assertEquals(chunks, built.chunkCount());
        if (chunks == 0) {
          assertTrue(!built.hasMemory());
          continue;
        }
        int[] ids = edges.keySet().stream().mapToInt(Integer::intValue).toArray();
        int[] weights = edges.values().stream().mapToInt(Integer::intValue).toArray();
        float[][] centroids = ClusterNodes.rows(model.initialCentroids(), ids);
        float[][] hidden = ClusterNodes.rows(model.initialClusterHidden(), ids);
        float[] hU1 = math.userHidden(hU0, ids, weights, centroids);
        assertArrayEquals(ids, built.clusterIds());
        assertArrayEquals(weights, built.edgeWeights());
        assertArrayEquals(hU0, built.hU0(), TOL);
        assertArrayEquals(hU1, built.hU1(), TOL);
        assertArrayEquals(math.userLongTerm(hU1, weights, hidden), built.longTerm(), TOL);
        assertArrayEquals(zU, built.zU(), TOL);
      }
    }
  }

  @Test
  void refusesACorruptArtifact() throws Exception {
    Path copy = dir.resolve("corrupt");
    write(copy, clusters);
    byte[] bytes = Files.readAllBytes(copy.resolve("memory.npz"));
    bytes[bytes.length / 2] ^= 0x55;
    Files.write(copy.resolve("memory.npz"), bytes);
    ArtifactException e = assertThrows(ArtifactException.class, () -> GladModel.load(copy, "cpu"));
    assertTrue(e.getMessage().contains("memory.npz: checksum mismatch"), e.getMessage());
  }

  @Test
  void refusesCentroidsThatDoNotMatchTheEncoderWidth() {
    int k = clusters.clusterCount();
    float[][] wide = new float[k][9];
    ClusterNodes mismatched =
        new ClusterNodes(wide, clusters.sizes(), clusters.userSums(), clusters.hidden(), null);
    Path where = dir.resolve("mismatch");
    write(where, mismatched);
    ArtifactException e = assertThrows(ArtifactException.class, () -> GladModel.load(where, "cpu"));
    assertTrue(
        e.getMessage()
            .endsWith(
                "memory.npz: centroids is "
                    + k
                    + " x 9 but config.json says K = "
                    + k
                    + " clusters of width e = 8"),
        e.getMessage());
  }

  @Test
  void theStreamRefusesAnAnalysisOnlyArtifactTheEvaluatorLoads() {
    Path where = dir.resolve("leak");
    try (NDManager cpu = NDManager.newBaseManager(Device.cpu())) {
      GladArtifact.write(
          where,
          config,
          tiny.vocabulary,
          tiny.encoder.model().copyParameters(cpu),
          head,
          clusters,
          new JsonObject(),
          "trained with the target leak");
    }
    ArtifactException e = assertThrows(ArtifactException.class, () -> GladModel.load(where, "cpu"));
    assertTrue(
        e.getMessage()
            .endsWith("marked analysis-only (trained with the target leak); it must not serve"),
        e.getMessage());
    try (GladModel model = GladModel.loadForAnalysis(where, "cpu")) {
      assertEquals(clusters.clusterCount(), model.clusterCount());
    }
  }

  @Test
  void refusesAnEncoderOnlyArtifact() {
    Path where = dir.resolve("bert4rec");
    try (NDManager cpu = NDManager.newBaseManager(Device.cpu())) {
      ModelArtifact.write(
          where,
          tiny.encoder.config(),
          tiny.vocabulary,
          Map.of(ModelArtifact.ENCODER_GROUP, tiny.encoder.model().copyParameters(cpu)),
          new JsonObject(),
          new JsonObject());
    }
    ArtifactException e = assertThrows(ArtifactException.class, () -> GladModel.load(where, "cpu"));
    assertTrue(e.getMessage().contains("without GLAD memory"), e.getMessage());
  }
}
