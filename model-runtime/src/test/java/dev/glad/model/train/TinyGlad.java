package dev.glad.model.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.glad.model.data.ItemVocabulary;
import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.data.UserSequences;
import dev.glad.model.encoder.Bert4RecModel;
import dev.glad.model.encoder.EncoderConfig;
import dev.glad.model.encoder.SequenceEncoder;
import dev.glad.model.head.GladHead;
import dev.glad.model.memory.GladConfig;
import dev.glad.model.memory.GladOptions;
import dev.glad.model.memory.GladVariant;
import dev.glad.model.memory.GraphMemoryMath;
import dev.glad.model.memory.HeadWeights;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** A tiny random-initialised encoder and data set for the memory tests (c = 3, e = 8). */
final class TinyGlad {
  static final int C = 3;

  final UserSequences data;
  final ItemVocabulary vocabulary;
  final LeaveOneOutSplit split;
  final SequenceEncoder encoder;
  final GladOptions options = GladOptions.builder().optClusteringFactor(2).build();

  TinyGlad(int users, int items, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> userIds = new ArrayList<>();
    List<List<String>> sequences = new ArrayList<>();
    List<String> all = new ArrayList<>();
    for (int i = 0; i < items; i++) {
      all.add("i" + i);
    }
    for (int u = 0; u < users; u++) {
      userIds.add("u" + u);
      List<String> s = new ArrayList<>();
      int length = 5 + random.nextInt(12);
      for (int k = 0; k < length; k++) {
        s.add("i" + random.nextInt(items));
      }
      sequences.add(s);
    }
    data = new UserSequences(userIds, sequences);
    vocabulary = ItemVocabulary.of(all);
    split = LeaveOneOutSplit.of(data, vocabulary);
    EncoderConfig config =
        EncoderConfig.builder()
            .setTokenCount(vocabulary.tokenCount())
            .optHiddenSize(8)
            .optHeads(2)
            .optLayers(1)
            .optMaxLength(8)
            .optChunkSize(C)
            .build();
    encoder = SequenceEncoder.owning(Bert4RecModel.create(config, Device.cpu(), seed));
  }

  GladConfig config(GladVariant variant, int clusters) {
    return new GladConfig(encoder.config(), variant, clusters, options);
  }

  HeadWeights randomHead(GladConfig config) {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      return GladHead.create(config, manager, 5).toWeights();
    }
  }

  /** A phase-2 trainer on this data set and encoder that prints nothing. */
  GladTrainer trainer(GladVariant variant, GladTrainingConfig config) {
    return new GladTrainer(
        encoder.model(),
        C,
        variant,
        options,
        config,
        split,
        vocabulary,
        new PrintStream(OutputStream.nullOutputStream()),
        1e9);
  }

  GraphMemoryMath math(HeadWeights head) {
    return GraphMemoryMath.of(options, head, encoder, vocabulary);
  }
}
