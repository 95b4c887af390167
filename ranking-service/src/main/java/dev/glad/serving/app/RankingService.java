package dev.glad.serving.app;

import dev.glad.model.artifact.ArtifactException;
import dev.glad.model.artifact.GladModel;
import dev.glad.model.encoder.EngineSetup;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.serving.GladRanker;
import dev.glad.serving.config.RankingServiceOptions;
import dev.glad.serving.config.RankingServiceSettings;
import dev.glad.serving.http.RankingServer;
import dev.glad.serving.memory.ClusterTable;
import dev.glad.serving.memory.MemoryMaterializer;
import dev.glad.serving.memory.UserStore;
import dev.glad.serving.metrics.ServingMetrics;
import dev.glad.serving.scoring.ShortTermEncoder;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The whole ranking service of one process: the model, the memory (RocksDB users, in-memory
 * clusters, the reader that keeps them up to date), the batched encoder, the {@link GladRanker} and
 * its HTTP server. {@code ./glad serve}, the demo, the bench and the tests start it the same way.
 */
public final class RankingService implements AutoCloseable {
  private final RankingServiceSettings settings;
  private final GladModel model;
  private final UserStore users;
  private final ServingMetrics metrics;
  private final MemoryMaterializer materializer;
  private final ShortTermEncoder encoder;
  private final GladRanker ranker;
  private final RankingServer server;

  private RankingService(
      RankingServiceSettings settings,
      GladModel model,
      UserStore users,
      ServingMetrics metrics,
      MemoryMaterializer materializer,
      ShortTermEncoder encoder,
      GladRanker ranker,
      RankingServer server) {
    this.settings = settings;
    this.model = model;
    this.users = users;
    this.metrics = metrics;
    this.materializer = materializer;
    this.encoder = encoder;
    this.ranker = ranker;
    this.server = server;
  }

  /**
   * Loads the model, starts reading the memory topics and starts the HTTP server (which answers /v1
   * once the topics are read: {@link #awaitReady}).
   *
   * @throws IllegalArgumentException when the model artifact is missing, corrupt or not a GLAD
   *     memory model (the message names the directory and the problem)
   */
  public static RankingService start(RankingServiceSettings settings) {
    EngineSetup.configure(settings.get(RankingServiceOptions.ENCODER_THREADS));
    Path modelDir = Path.of(settings.get(RankingServiceOptions.MODEL_DIR));
    GladModel model;
    try {
      model = GladModel.load(modelDir, "cpu");
    } catch (ArtifactException e) {
      throw new IllegalArgumentException(
          "cannot serve the model artifact " + modelDir + ": " + e.getMessage(), e);
    }
    UserStore users = null;
    MemoryMaterializer materializer = null;
    ShortTermEncoder encoder = null;
    try {
      ServingMetrics metrics = new ServingMetrics();
      String dir = settings.get(RankingServiceOptions.STATE_DIR);
      users = UserStore.open(dir == null ? null : Path.of(dir));
      ClusterTable clusters = new ClusterTable(model.modelVersion(), model.initialClusters());
      GladTopics topics = GladTopics.withPrefix(settings.get(RankingServiceOptions.TOPIC_PREFIX));
      materializer =
          new MemoryMaterializer(
              settings.get(RankingServiceOptions.BOOTSTRAP_SERVERS),
              settings.kafka(),
              topics,
              model.modelVersion(),
              users,
              clusters,
              metrics);
      encoder =
          new ShortTermEncoder(
              model.encoder(),
              settings.get(RankingServiceOptions.ENCODER_BATCH_SIZE),
              settings.get(RankingServiceOptions.ENCODER_MAX_WAIT),
              metrics);
      GladRanker ranker =
          new GladRanker(model, users, clusters, encoder, metrics, System::currentTimeMillis);
      registerGauges(metrics, materializer, users, clusters, model.modelVersion());
      RankingServer server = new RankingServer(settings, ranker, materializer, metrics).start();
      return new RankingService(
          settings, model, users, metrics, materializer, encoder, ranker, server);
    } catch (RuntimeException e) {
      if (encoder != null) {
        encoder.close();
      }
      if (materializer != null) {
        materializer.close();
      }
      if (users != null) {
        users.close();
      }
      model.close();
      throw e;
    }
  }

  private static void registerGauges(
      ServingMetrics metrics,
      MemoryMaterializer materializer,
      UserStore users,
      ClusterTable clusters,
      String modelVersion) {
    metrics.gauge(
        "glad_serving_ready",
        "1 once the memory topics were read to their end at start",
        () -> materializer.ready() ? 1 : 0);
    metrics.gauge(
        "glad_serving_consumer_lag_records",
        "records of a memory topic not read yet",
        "topic",
        new String[] {"user-memory", "cluster-memory"},
        new java.util.function.DoubleSupplier[] {materializer::userLag, materializer::clusterLag});
    metrics.gauge(
        "glad_serving_newest_user_update_age_seconds",
        "now minus the newest job update time among the user records read: grows when the job"
            + " stops publishing",
        () -> {
          long newest = materializer.newestUserUpdateMs();
          return newest == 0 ? Double.NaN : (System.currentTimeMillis() - newest) / 1000.0;
        });
    metrics.gauge(
        "glad_serving_users",
        "users in the store (RocksDB's estimate, which counts overwritten users until"
            + " compaction)",
        users::estimatedUsers);
    metrics.gauge(
        "glad_serving_clusters_updated",
        "clusters whose state came from the topic rather than the artifact",
        clusters::updatedClusters);
    metrics.gauge(
        "glad_serving_model_info",
        "1, labelled with the served model version",
        "model_version",
        new String[] {modelVersion},
        new java.util.function.DoubleSupplier[] {() -> 1});
  }

  /** Waits until the memory topics were read to their end. */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    return materializer.awaitReady(timeout);
  }

  public boolean ready() {
    return materializer.ready();
  }

  /** The library under the server, for in-process callers. */
  public GladRanker ranker() {
    return ranker;
  }

  public ServingMetrics metrics() {
    return metrics;
  }

  public MemoryMaterializer materializer() {
    return materializer;
  }

  /** {@code http(s)://host:port}. */
  public String baseUrl() {
    return server.baseUrl();
  }

  public int port() {
    return server.port();
  }

  public RankingServiceSettings settings() {
    return settings;
  }

  @Override
  public void close() {
    server.close();
    materializer.close();
    encoder.close();
    users.close();
    model.close();
  }
}
