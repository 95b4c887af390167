package dev.glad.flink.memory;

import ai.djl.engine.Engine;
import dev.glad.model.artifact.ArtifactException;
import dev.glad.model.artifact.GladModel;
import dev.glad.model.encoder.DeviceChoice;
import dev.glad.model.encoder.EngineSetup;
import dev.glad.model.memory.ClusterNodes;
import dev.glad.model.memory.GraphMemoryMath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link StreamingModel}: model-runtime's {@link GladModel} loaded from an artifact
 * directory, so the stream runs exactly the trained and evaluated equations.
 */
public final class GladStreamingModel implements StreamingModel {
  private static final Logger LOG = LoggerFactory.getLogger(GladStreamingModel.class);

  private final GladModel model;
  private final GraphMemoryMath math;
  private final ClusterNodes clusters;
  private final String device;

  private GladStreamingModel(GladModel model, String device) {
    this.model = model;
    this.math = model.math();
    this.clusters = model.initialClusters();
    this.device = device;
  }

  @Override
  public String modelVersion() {
    return model.modelVersion();
  }

  @Override
  public String device() {
    return device;
  }

  @Override
  public int dimension() {
    return model.config().hiddenSize();
  }

  @Override
  public int clusterCount() {
    return model.clusterCount();
  }

  @Override
  public float[][] encode(List<List<String>> chunks) {
    int[][] rows = new int[chunks.size()][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = model.vocabulary().indicesOf(chunks.get(i));
    }
    return model.encoder().encodeBatch(rows);
  }

  @Override
  public long unknownItems() {
    return model.vocabulary().unknownLookups();
  }

  @Override
  public int[] nearestClusters(float[][] embeddings, float[][] centroids) {
    return math.nearestClusters(embeddings, centroids);
  }

  @Override
  public float[] userInputAfterChunk(float[] hU0, long chunksBefore, float[] chunkEmbedding) {
    return math.userInputAfterChunk(hU0, chunksBefore, chunkEmbedding);
  }

  @Override
  public float[] centroidAfterChunk(float[] centroid, long sizeBefore, float[] chunkEmbedding) {
    return math.centroidAfterChunk(centroid, sizeBefore, chunkEmbedding);
  }

  @Override
  public float[] clusterUserSumDelta(float[] oldHU0, int oldWeight, float[] newHU0, int newWeight) {
    return math.clusterUserSumDelta(oldHU0, oldWeight, newHU0, newWeight);
  }

  @Override
  public float[] clusterHidden(float[] centroid, float[] userSum, long size) {
    return math.clusterHidden(centroid, userSum, size);
  }

  @Override
  public float[] userHidden(float[] hU0, int[] clusterIds, int[] edgeWeights, float[][] centroids) {
    return math.userHidden(hU0, clusterIds, edgeWeights, centroids);
  }

  @Override
  public float[] userLongTerm(float[] hU1, int[] edgeWeights, float[][] clusterHidden) {
    return math.userLongTerm(hU1, edgeWeights, clusterHidden);
  }

  @Override
  public ClusterNode initialCluster(int id) {
    return new ClusterNode(
        clusters.centroids()[id].clone(),
        clusters.sizes()[id],
        clusters.userSums()[id].clone(),
        clusters.hidden()[id].clone());
  }

  @Override
  public void close() {
    model.close();
  }

  /** Opens the artifact at {@code directory} on each task, on the device the task gets. */
  public static final class Factory implements StreamingModel.Factory {
    private static final long serialVersionUID = 1L;

    private final String directory;
    private final String device;
    private final int encoderThreads;
    private String modelVersion;

    /**
     * @param encoderThreads PyTorch intra-op threads of the encoder (see {@link
     *     EngineSetup#useIntraOpThreads}); the user and cluster nodes leave them alone
     * @param modelVersion the version every TaskManager must load, or null to pin the one the
     *     client reads now (then the client must be able to read the directory)
     */
    public Factory(String directory, String device, int encoderThreads, String modelVersion) {
      if (encoderThreads < 1) {
        throw new IllegalArgumentException("encoderThreads must be >= 1, got " + encoderThreads);
      }
      this.directory = directory;
      this.device = device;
      this.encoderThreads = encoderThreads;
      this.modelVersion = modelVersion;
    }

    /**
     * Verifies the artifact on the client when the client can see it (the MiniCluster, or a shared
     * file system), pins its version for the TaskManagers and returns its c. A client that cannot
     * see it must be told c; the TaskManagers verify the artifact when they open it.
     */
    @Override
    public int checkedChunkSize(Optional<Integer> jobChunkSize) {
      Path dir = Path.of(directory);
      if (!Files.isDirectory(dir)) {
        if (jobChunkSize.isEmpty() || modelVersion == null) {
          throw new IllegalArgumentException(
              "model-dir "
                  + directory
                  + " is not readable on the client, so the job cannot take c and the version"
                  + " from it: set chunk-size (the model's c) and model-version (config.json's"
                  + " modelVersion), which every TaskManager then checks");
        }
        LOG.warn(
            "model artifact {} is not visible on the client; every TaskManager checks it is"
                + " version {}",
            directory,
            modelVersion);
        return jobChunkSize.get();
      }
      try (GladModel probe = GladModel.load(dir, "cpu")) {
        if (modelVersion != null && !modelVersion.equals(probe.modelVersion())) {
          throw new IllegalArgumentException(
              "model-version "
                  + modelVersion
                  + " differs from the artifact's "
                  + probe.modelVersion()
                  + " in "
                  + directory);
        }
        modelVersion = probe.modelVersion();
        int c = probe.config().chunkSize();
        if (jobChunkSize.isPresent() && jobChunkSize.get() != c) {
          throw new IllegalArgumentException(
              "chunk-size "
                  + jobChunkSize.get()
                  + " of the job differs from the model's c = "
                  + c
                  + " ("
                  + directory
                  + "): leave chunk-size unset to use the model's");
        }
        return c;
      }
    }

    @Override
    public StreamingModel open(List<String> gpuIndicesOfTask) {
      int threads = EngineSetup.useIntraOpThreads(encoderThreads);
      LOG.info("encoder runs with {} PyTorch intra-op thread(s)", threads);
      DeviceChoice choice =
          TaskDevice.choose(device, gpuIndicesOfTask, Engine.getInstance().getGpuCount());
      choice
          .fallbackReason()
          .ifPresent(reason -> LOG.warn("encoder falls back to the CPU: {}", reason));
      return load(choice.describe());
    }

    @Override
    public StreamingModel openOnCpu() {
      return load("cpu");
    }

    private StreamingModel load(String onDevice) {
      GladModel model;
      try {
        model = GladModel.load(Path.of(directory), onDevice);
      } catch (ArtifactException e) {
        // a broken artifact stays broken: fail the job now instead of restarting into it
        throw new SuppressRestartsException(
            new IllegalStateException("cannot load the model artifact " + directory, e));
      } catch (RuntimeException e) {
        // anything else (a device out of memory, a file system hiccup) may pass: restart
        throw new IllegalStateException(
            "cannot load the model artifact " + directory + " on " + onDevice, e);
      }
      if (modelVersion != null && !model.modelVersion().equals(modelVersion)) {
        String found = model.modelVersion();
        model.close();
        throw new SuppressRestartsException(
            new IllegalStateException(
                "model artifact "
                    + directory
                    + " is version "
                    + found
                    + " on this TaskManager, but "
                    + modelVersion
                    + " when the job was built (every TaskManager must see the same artifact)"));
      }
      LOG.info("model {} loaded from {} on {}", model.modelVersion(), directory, onDevice);
      return new GladStreamingModel(model, onDevice);
    }
  }
}
