package dev.glad.model.memory;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import dev.glad.model.artifact.ArtifactException;
import dev.glad.model.artifact.ModelArtifact;
import dev.glad.model.data.ItemVocabulary;
import dev.glad.model.encoder.Devices;
import dev.glad.model.encoder.EncoderConfig;
import dev.glad.model.encoder.SequenceEncoder;
import java.nio.file.Path;
import java.util.Map;

/**
 * A loaded GLAD model: encoder, vocabulary, GNN/gate weights and the cluster memory in the
 * artifact's trained state. The stream and the ranking service load one per task.
 *
 * <p>The encoder is thread-confined (one model per subtask); {@link #math()} is thread-safe. The
 * {@code initial*} arrays are shared: do not modify them.
 */
public final class GladModel implements AutoCloseable {
  private final GladConfig config;
  private final SequenceEncoder encoder;
  private final ItemVocabulary vocabulary;
  private final GraphMemoryMath math;
  private final ClusterState clusters;
  private final String modelVersion;

  private GladModel(
      GladConfig config,
      SequenceEncoder encoder,
      ItemVocabulary vocabulary,
      GraphMemoryMath math,
      ClusterState clusters,
      String modelVersion) {
    this.config = config;
    this.encoder = encoder;
    this.vocabulary = vocabulary;
    this.math = math;
    this.clusters = clusters;
    this.modelVersion = modelVersion;
  }

  /**
   * Loads and verifies an artifact (checksums, then every shape against e, c and K).
   *
   * @param device {@code auto|cpu|gpu|gpu:N} (see {@link dev.glad.model.encoder.DeviceChoice})
   * @throws ArtifactException for a corrupt or mismatched artifact, or one without GLAD memory
   */
  public static GladModel load(Path artifactDir, String device) {
    ModelArtifact artifact = ModelArtifact.load(artifactDir);
    GladConfig config = GladArtifact.readConfig(artifact);
    if (!config.variant().hasMemory()) {
      throw new ArtifactException(
          artifact.directory()
              + ": variant "
              + config.variant().flag()
              + " has no graph memory; GladModel needs G, GC or GCA");
    }
    HeadWeights head = GladArtifact.readHead(artifact, config.hiddenSize());
    ClusterState clusters = GladArtifact.readClusters(artifact, config);
    SequenceEncoder encoder = artifact.openEncoder(Devices.resolve(device));
    try {
      GraphMemoryMath math = mathFor(config.options(), head, encoder, artifact.vocabulary());
      return new GladModel(
          config, encoder, artifact.vocabulary(), math, clusters, artifact.modelVersion());
    } catch (RuntimeException e) {
      encoder.close();
      throw e;
    }
  }

  /** A model over parts already in memory (the trainer's); closing it closes {@code encoder}. */
  public static GladModel of(
      GladConfig config,
      SequenceEncoder encoder,
      ItemVocabulary vocabulary,
      HeadWeights head,
      ClusterState clusters,
      String modelVersion) {
    GraphMemoryMath math = mathFor(config.options(), head, encoder, vocabulary);
    return new GladModel(config, encoder, vocabulary, math, clusters, modelVersion);
  }

  /** The pure-Java equations with this encoder's item table. */
  public static GraphMemoryMath mathFor(
      GladOptions options, HeadWeights head, SequenceEncoder encoder, ItemVocabulary vocabulary) {
    EncoderConfig ec = encoder.config();
    float[][] table = null;
    float[] bias = null;
    for (Map.Entry<String, Parameter> p : encoder.model().parameters().entrySet()) {
      NDArray array = p.getValue().getArray();
      if (p.getKey().endsWith("tokenEmbedding")) {
        table = GladArtifact.toMatrix(array.toFloatArray(), ec.tokenCount(), ec.hiddenSize());
      } else if (p.getKey().endsWith("outputBias")) {
        bias = array.toFloatArray();
      }
    }
    if (table == null || bias == null) {
      throw new IllegalStateException("the encoder has no tokenEmbedding/outputBias parameter");
    }
    return new GraphMemoryMath(options, head, table, bias, vocabulary);
  }

  public SequenceEncoder encoder() {
    return encoder;
  }

  public ItemVocabulary vocabulary() {
    return vocabulary;
  }

  /** e, c, K, variant and options. */
  public GladConfig config() {
    return config;
  }

  /** The artifact's content-derived version id. */
  public String modelVersion() {
    return modelVersion;
  }

  /** The pure, thread-safe equations (memory updates, GNN layers, gate, score). */
  public GraphMemoryMath math() {
    return math;
  }

  /** K. */
  public int clusterCount() {
    return clusters.clusterCount();
  }

  /** The whole cluster state of the artifact. */
  public ClusterState initialClusters() {
    return clusters;
  }

  /** Centroids m_j = h_CE_j^0 (K x e). */
  public float[][] initialCentroids() {
    return clusters.centroids();
  }

  /** Chunks assigned to each cluster over the training memory. */
  public long[] initialClusterSizes() {
    return clusters.sizes();
  }

  /**
   * Per cluster, Σ over the training users of {@code w_Uj · h_U^0} (edge weight times the user's
   * h_U^0 at the end of training): the un-aggregated neighbour input of eq. 2; maintain it with
   * {@link GraphMemoryMath#clusterUserSumDelta}.
   */
  public float[][] initialClusterUserSums() {
    return clusters.userSums();
  }

  /** h_CE^1 of every cluster in the artifact state. */
  public float[][] initialClusterHidden() {
    return clusters.hidden();
  }

  /** The offline builder of user memories over the frozen artifact clusters. */
  public OfflineMemoryBuilder memoryBuilder() {
    return new OfflineMemoryBuilder(encoder, math, clusters, config);
  }

  @Override
  public void close() {
    encoder.close();
  }
}
