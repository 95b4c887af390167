package dev.glad.serving;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.glad.model.artifact.GladArtifact;
import dev.glad.model.data.ItemVocabulary;
import dev.glad.model.encoder.Bert4RecModel;
import dev.glad.model.encoder.EncoderConfig;
import dev.glad.model.encoder.SequenceEncoder;
import dev.glad.model.head.GladHead;
import dev.glad.model.memory.ClusterNodes;
import dev.glad.model.memory.GladConfig;
import dev.glad.model.memory.GladOptions;
import dev.glad.model.memory.GladVariant;
import dev.glad.model.memory.GraphMemoryMath;
import dev.glad.model.memory.HeadWeights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A tiny GCA artifact with random weights (e = 8, c = 3, K = 4, items i0..i39), written with the
 * model's own artifact writer: what the unit tests serve. Scores of random weights mean nothing,
 * but they are the model's numbers, which is what the service must reproduce.
 */
public final class TestArtifacts {
  public static final int ITEMS = 40;
  public static final int CLUSTERS = 4;

  private TestArtifacts() {}

  public static Path randomGca(Path directory, long seed) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      ids.add("i" + i);
    }
    ItemVocabulary vocabulary = ItemVocabulary.of(ids);
    EncoderConfig encoderConfig =
        EncoderConfig.builder()
            .setTokenCount(vocabulary.tokenCount())
            .optHiddenSize(8)
            .optHeads(2)
            .optLayers(1)
            .optMaxLength(8)
            .optChunkSize(3)
            .build();
    GladConfig config =
        new GladConfig(encoderConfig, GladVariant.GCA, CLUSTERS, GladOptions.builder().build());
    try (NDManager manager = NDManager.newBaseManager(Device.cpu());
        SequenceEncoder encoder =
            SequenceEncoder.owning(Bert4RecModel.create(encoderConfig, Device.cpu(), seed))) {
      HeadWeights head = GladHead.create(config, manager, seed).toWeights();
      GraphMemoryMath math = GraphMemoryMath.of(config.options(), head, encoder, vocabulary);
      SplittableRandom random = new SplittableRandom(seed);
      int e = encoderConfig.hiddenSize();
      float[][] centroids = new float[CLUSTERS][];
      float[][] userSums = new float[CLUSTERS][];
      float[][] hidden = new float[CLUSTERS][];
      long[] sizes = new long[CLUSTERS];
      for (int j = 0; j < CLUSTERS; j++) {
        centroids[j] = gaussian(random, e);
        userSums[j] = gaussian(random, e);
        sizes[j] = 1 + random.nextInt(20);
        hidden[j] = math.clusterHidden(centroids[j], userSums[j], sizes[j]);
      }
      GladArtifact.write(
          directory,
          config,
          vocabulary,
          encoder.model().copyParameters(manager),
          head,
          new ClusterNodes(centroids, sizes, userSums, hidden, null),
          new JsonObject());
    }
    return directory;
  }

  private static float[] gaussian(SplittableRandom random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }
}
