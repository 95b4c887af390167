package dev.glad.model.artifact;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import dev.glad.model.data.ItemVocabulary;
import dev.glad.model.encoder.EncoderConfig;
import dev.glad.model.encoder.EngineArrays;
import dev.glad.model.memory.ClusterNodes;
import dev.glad.model.memory.GladConfig;
import dev.glad.model.memory.GladOptions;
import dev.glad.model.memory.GladVariant;
import dev.glad.model.memory.HeadActivation;
import dev.glad.model.memory.HeadWeights;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The GLAD additions to a {@link ModelArtifact} directory (all covered by its checksums and model
 * version):
 *
 * <pre>
 * config.json  options.glad = {variant, clusterCount, activation, aggregation, attention,
 *              clusteringFactor, kmeansIterations, decay, auxiliaryLossWeight, itemBias,
 *              attentiveLayer};
 *              encoder.chunkSize is c
 * head.npz     the GNN and gate parameters ({@link HeadWeights#NAMES})
 * memory.npz   centroids (K,e), clusterSizes (K) int64, clusterUserSums (K,e),
 *              clusterHidden (K,e), and for variant G nodeChunks (K,c) int32
 * </pre>
 */
public final class GladArtifact {
  /** The parameter group of the GNN and gate. */
  public static final String HEAD_GROUP = "head";

  /** The parameter group of the cluster memory state. */
  public static final String MEMORY_GROUP = "memory";

  /**
   * Key in config.json's options of an artifact that must never serve (its reason as the value):
   * {@link GladModel#load} refuses it, {@link GladModel#loadForAnalysis} does not.
   */
  public static final String ANALYSIS_ONLY = "analysisOnly";

  static final String CENTROIDS = "centroids";
  static final String SIZES = "clusterSizes";
  static final String USER_SUMS = "clusterUserSums";
  static final String HIDDEN = "clusterHidden";
  static final String NODE_CHUNKS = "nodeChunks";

  private GladArtifact() {}

  /**
   * Writes a GLAD artifact. For variants without memory, {@code head} and {@code clusters} may be
   * null.
   */
  public static ModelArtifact write(
      Path directory,
      GladConfig config,
      ItemVocabulary vocabulary,
      NDList encoderParameters,
      HeadWeights head,
      ClusterNodes clusters,
      JsonObject training) {
    return write(directory, config, vocabulary, encoderParameters, head, clusters, training, null);
  }

  /**
   * {@link #write(Path, GladConfig, ItemVocabulary, NDList, HeadWeights, ClusterNodes,
   * JsonObject)}, marking the artifact analysis-only with {@code analysisOnlyReason} unless null.
   */
  public static ModelArtifact write(
      Path directory,
      GladConfig config,
      ItemVocabulary vocabulary,
      NDList encoderParameters,
      HeadWeights head,
      ClusterNodes clusters,
      JsonObject training,
      String analysisOnlyReason) {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      Map<String, NDList> groups = new LinkedHashMap<>();
      groups.put(ModelArtifact.ENCODER_GROUP, encoderParameters);
      if (config.variant().hasMemory()) {
        groups.put(HEAD_GROUP, headArrays(head, manager));
        groups.put(MEMORY_GROUP, memoryArrays(clusters, manager));
      }
      JsonObject options = new JsonObject();
      options.add("glad", toJson(config));
      if (analysisOnlyReason != null) {
        options.addProperty(ANALYSIS_ONLY, analysisOnlyReason);
      }
      return ModelArtifact.write(
          directory, config.encoder(), vocabulary, groups, options, training);
    }
  }

  /** Why the artifact must not serve, or null for an artifact that may. */
  public static String analysisOnlyReason(ModelArtifact artifact) {
    JsonObject options = artifact.config().getAsJsonObject("options");
    return options != null && options.has(ANALYSIS_ONLY)
        ? options.get(ANALYSIS_ONLY).getAsString()
        : null;
  }

  /** Whether the artifact was written by {@link #write} (has options.glad). */
  public static boolean isGlad(ModelArtifact artifact) {
    JsonObject options = artifact.config().getAsJsonObject("options");
    return options != null && options.has("glad");
  }

  /** The GLAD config of an artifact; fails clearly for plain encoder artifacts. */
  public static GladConfig readConfig(ModelArtifact artifact) {
    if (!isGlad(artifact)) {
      throw new ArtifactException(
          artifact.directory()
              + ": a Bert4Rec encoder artifact without GLAD memory (no options.glad in"
              + " config.json); train one with --variant G, GC or GCA");
    }
    JsonObject glad = artifact.config().getAsJsonObject("options").getAsJsonObject("glad");
    try {
      GladOptions options =
          GladOptions.builder()
              .optActivation(HeadActivation.parse(glad.get("activation").getAsString()))
              .optAggregation(GladOptions.Aggregation.parse(glad.get("aggregation").getAsString()))
              .optAttention(
                  GladOptions.AttentionNormalisation.parse(glad.get("attention").getAsString()))
              .optClusteringFactor(glad.get("clusteringFactor").getAsDouble())
              .optKmeansIterations(glad.get("kmeansIterations").getAsInt())
              .optDecay(glad.get("decay").getAsFloat())
              .optAuxiliaryLossWeight(glad.get("auxiliaryLossWeight").getAsFloat())
              .optItemBias(glad.get("itemBias").getAsBoolean())
              // artifacts written before the option existed used the printed eq. 5
              .optAttentiveLayer(
                  glad.has("attentiveLayer")
                      ? GladOptions.AttentiveLayer.parse(glad.get("attentiveLayer").getAsString())
                      : GladOptions.AttentiveLayer.READ)
              .optLongTermLossWeight(
                  glad.has("longTermLossWeight") ? glad.get("longTermLossWeight").getAsFloat() : 0f)
              .build();
      return new GladConfig(
          artifact.encoderConfig(),
          GladVariant.parse(glad.get("variant").getAsString()),
          glad.get("clusterCount").getAsInt(),
          options);
    } catch (RuntimeException e) {
      throw new ArtifactException(
          artifact.directory() + "/config.json: invalid options.glad: " + e.getMessage(), e);
    }
  }

  static JsonObject toJson(GladConfig config) {
    GladOptions o = config.options();
    JsonObject glad = new JsonObject();
    glad.addProperty("variant", config.variant().flag());
    glad.addProperty("clusterCount", config.clusterCount());
    glad.addProperty("activation", o.activation().name().toLowerCase(Locale.ROOT));
    glad.addProperty("aggregation", o.aggregation().name().toLowerCase(Locale.ROOT));
    glad.addProperty("attention", o.attention().name().toLowerCase(Locale.ROOT));
    glad.addProperty("clusteringFactor", o.clusteringFactor());
    glad.addProperty("kmeansIterations", o.kmeansIterations());
    glad.addProperty("decay", o.decay());
    glad.addProperty("auxiliaryLossWeight", o.auxiliaryLossWeight());
    glad.addProperty("longTermLossWeight", o.longTermLossWeight());
    glad.addProperty("itemBias", o.itemBias());
    glad.addProperty("attentiveLayer", o.attentiveLayer().name().toLowerCase(Locale.ROOT));
    return glad;
  }

  /** Reads and checks head.npz against e. */
  public static HeadWeights readHead(ModelArtifact artifact, int e) {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      Map<String, NDArray> byName = byName(artifact.readGroup(HEAD_GROUP, manager));
      HeadWeights weights =
          new HeadWeights(
              matrix(byName, "userLayer1", artifact),
              vector(byName, "userLayer1Bias", artifact),
              matrix(byName, "clusterLayer1", artifact),
              vector(byName, "clusterLayer1Bias", artifact),
              matrix(byName, "userLayer2", artifact),
              vector(byName, "userLayer2Bias", artifact),
              matrix(byName, "gateShortTerm", artifact),
              matrix(byName, "gateLongTerm", artifact),
              vector(byName, "gateBias", artifact));
      try {
        return weights.requireHiddenSize(e);
      } catch (IllegalArgumentException ex) {
        throw new ArtifactException(
            artifact.directory() + "/head.npz: does not match the encoder: " + ex.getMessage(), ex);
      }
    }
  }

  /** Reads memory.npz and checks it against K, e and c. */
  public static ClusterNodes readClusters(ModelArtifact artifact, GladConfig config) {
    String file = artifact.directory() + "/memory.npz";
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      Map<String, NDArray> byName = byName(artifact.readGroup(MEMORY_GROUP, manager));
      float[][] centroids = matrix(byName, CENTROIDS, artifact);
      float[][] userSums = matrix(byName, USER_SUMS, artifact);
      float[][] hidden = matrix(byName, HIDDEN, artifact);
      NDArray sizeArray = required(byName, SIZES, artifact);
      long[] sizes = sizeArray.toType(DataType.INT64, false).toLongArray();
      int e = config.hiddenSize();
      int k = config.clusterCount();
      for (var entry :
          Map.of(CENTROIDS, centroids, USER_SUMS, userSums, HIDDEN, hidden).entrySet()) {
        float[][] m = entry.getValue();
        if (m.length != k || (k > 0 && m[0].length != e)) {
          throw new ArtifactException(
              file
                  + ": "
                  + entry.getKey()
                  + " is "
                  + m.length
                  + " x "
                  + (m.length == 0 ? 0 : m[0].length)
                  + " but config.json says K = "
                  + k
                  + " clusters of width e = "
                  + e);
        }
      }
      if (sizes.length != k) {
        throw new ArtifactException(
            file + ": " + SIZES + " has " + sizes.length + " entries but K = " + k);
      }
      int[][] nodeChunks = null;
      if (!config.variant().clustered()) {
        NDArray chunks = required(byName, NODE_CHUNKS, artifact);
        Shape shape = chunks.getShape();
        if (shape.dimension() != 2 || shape.get(0) != k || shape.get(1) != config.chunkSize()) {
          throw new ArtifactException(
              file
                  + ": "
                  + NODE_CHUNKS
                  + " has shape "
                  + shape
                  + " but K = "
                  + k
                  + ", c = "
                  + config.chunkSize());
        }
        int[] flat = chunks.toType(DataType.INT32, false).toIntArray();
        nodeChunks = new int[k][];
        for (int j = 0; j < k; j++) {
          nodeChunks[j] =
              java.util.Arrays.copyOfRange(
                  flat, j * config.chunkSize(), (j + 1) * config.chunkSize());
        }
      }
      return new ClusterNodes(centroids, sizes, userSums, hidden, nodeChunks);
    }
  }

  private static NDList headArrays(HeadWeights head, NDManager manager) {
    NDList list = new NDList();
    list.add(named(manager, head.userLayer1(), "userLayer1"));
    list.add(named(manager, head.userLayer1Bias(), "userLayer1Bias"));
    list.add(named(manager, head.clusterLayer1(), "clusterLayer1"));
    list.add(named(manager, head.clusterLayer1Bias(), "clusterLayer1Bias"));
    list.add(named(manager, head.userLayer2(), "userLayer2"));
    list.add(named(manager, head.userLayer2Bias(), "userLayer2Bias"));
    list.add(named(manager, head.gateShortTerm(), "gateShortTerm"));
    list.add(named(manager, head.gateLongTerm(), "gateLongTerm"));
    list.add(named(manager, head.gateBias(), "gateBias"));
    return list;
  }

  private static NDList memoryArrays(ClusterNodes clusters, NDManager manager) {
    NDList list = new NDList();
    list.add(named(manager, clusters.centroids(), CENTROIDS));
    NDArray sizes = EngineArrays.create(manager, clusters.sizes());
    sizes.setName(SIZES);
    list.add(sizes);
    list.add(named(manager, clusters.userSums(), USER_SUMS));
    list.add(named(manager, clusters.hidden(), HIDDEN));
    if (clusters.nodeChunks() != null) {
      NDArray chunks = EngineArrays.create(manager, clusters.nodeChunks());
      chunks.setName(NODE_CHUNKS);
      list.add(chunks);
    }
    return list;
  }

  static NDArray named(NDManager manager, float[][] matrix, String name) {
    NDArray a = EngineArrays.create(manager, matrix);
    a.setName(name);
    return a;
  }

  static NDArray named(NDManager manager, float[] vector, String name) {
    NDArray a = EngineArrays.create(manager, vector);
    a.setName(name);
    return a;
  }

  private static Map<String, NDArray> byName(NDList list) {
    Map<String, NDArray> m = new HashMap<>();
    for (NDArray a : list) {
      m.put(a.getName(), a);
    }
    return m;
  }

  private static NDArray required(Map<String, NDArray> byName, String name, ModelArtifact a) {
    NDArray array = byName.get(name);
    if (array == null) {
      throw new ArtifactException(a.directory() + ": array '" + name + "' is missing");
    }
    return array;
  }

  private static float[][] matrix(Map<String, NDArray> byName, String name, ModelArtifact a) {
    NDArray array = required(byName, name, a);
    Shape shape = array.getShape();
    if (shape.dimension() != 2) {
      throw new ArtifactException(
          a.directory() + ": array '" + name + "' has shape " + shape + ", expected a matrix");
    }
    return toMatrix(
        array.toType(DataType.FLOAT32, false).toFloatArray(),
        (int) shape.get(0),
        (int) shape.get(1));
  }

  private static float[] vector(Map<String, NDArray> byName, String name, ModelArtifact a) {
    return required(byName, name, a).toType(DataType.FLOAT32, false).toFloatArray();
  }

  /** Splits a row-major array into rows. */
  public static float[][] toMatrix(float[] flat, int rows, int columns) {
    float[][] out = new float[rows][columns];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(flat, r * columns, out[r], 0, columns);
    }
    return out;
  }

  /** The encoder config with chunk size {@code c} (c does not change any encoder parameter). */
  public static EncoderConfig withChunkSize(EncoderConfig encoder, int c) {
    return encoder.toBuilder().optChunkSize(c).build();
  }
}
