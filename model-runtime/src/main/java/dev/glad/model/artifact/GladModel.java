package dev.glad.model.artifact;

import dev.glad.model.data.ItemVocabulary;
import dev.glad.model.encoder.Devices;
import dev.glad.model.encoder.SequenceEncoder;
import dev.glad.model.memory.ClusterNodes;
import dev.glad.model.memory.GladConfig;
import dev.glad.model.memory.GraphMemoryMath;
import dev.glad.model.memory.HeadWeights;
import dev.glad.model.memory.OfflineMemoryBuilder;
import java.nio.file.Path;

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
  private final ClusterNodes clusters;
  private final String modelVersion;

  private GladModel(
      GladConfig config,
      SequenceEncoder encoder,
      ItemVocabulary vocabulary,
      GraphMemoryMath math,
      ClusterNodes clusters,
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
   * @throws ArtifactException for a corrupt or mismatched artifact, one without GLAD memory, or one
   *     marked analysis-only (trained with the target leak)
   */
  public static GladModel load(Path artifactDir, String device) {
    return load(artifactDir, device, false);
  }

  /**
   * {@link #load} that also accepts artifacts marked analysis-only (the evaluator's; never the
   * stream's or a ranking service's).
   */
  public static GladModel loadForAnalysis(Path artifactDir, String device) {
    return load(artifactDir, device, true);
  }

  private static GladModel load(Path artifactDir, String device, boolean analysis) {
    ModelArtifact artifact = ModelArtifact.load(artifactDir);
    String analysisOnly = GladArtifact.analysisOnlyReason(artifact);
    if (analysisOnly != null && !analysis) {
      throw new ArtifactException(
          artifact.directory()
              + ": marked analysis-only ("
              + analysisOnly
              + "); it must not serve");
    }
    GladConfig config = GladArtifact.readConfig(artifact);
    if (!config.variant().hasMemory()) {
      throw new ArtifactException(
          artifact.directory()
              + ": variant "
              + config.variant().flag()
              + " has no graph memory; GladModel needs G, GC or GCA");
    }
    HeadWeights head = GladArtifact.readHead(artifact, config.hiddenSize());
    ClusterNodes clusters = GladArtifact.readClusters(artifact, config);
    SequenceEncoder encoder = artifact.openEncoder(Devices.resolve(device));
    try {
      GraphMemoryMath math =
          GraphMemoryMath.of(config.options(), head, encoder, artifact.vocabulary());
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
      ClusterNodes clusters,
      String modelVersion) {
    GraphMemoryMath math = GraphMemoryMath.of(config.options(), head, encoder, vocabulary);
    return new GladModel(config, encoder, vocabulary, math, clusters, modelVersion);
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
  public ClusterNodes initialClusters() {
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
