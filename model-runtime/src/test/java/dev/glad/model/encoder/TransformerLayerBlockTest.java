package dev.glad.model.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransformerLayerBlockTest {
  /**
   * A garbage collection between the forward and the backward pass does not change the encoder's
   * gradients. It did while the attention scores were scaled by a {@code Number}: DJL made the
   * scale a tensor over Java memory, closed it, and the backward pass read that memory after the
   * collection had freed it (RESULTS §7.7; the query and key rows of layer 0's qkvWeight were the
   * ones hit in training).
   */
  @Test
  void gradientsDoNotDependOnAGarbageCollectionBeforeTheBackwardPass() {
    EncoderConfig config =
        EncoderConfig.builder()
            .setTokenCount(40)
            .optHiddenSize(16)
            .optHeads(2)
            .optLayers(2)
            .optMaxLength(8)
            .optChunkSize(4)
            .build();
    try (Bert4RecModel model = Bert4RecModel.create(config, Device.cpu(), 5)) {
      float[] clean = qkvGradients(model, false);
      float[] collected = qkvGradients(model, true);
      assertArrayEquals(clean, collected);
    }
  }

  /** Both layers' qkvWeight gradients of sum(hidden²) for a fixed batch (no dropout). */
  private static float[] qkvGradients(Bert4RecModel model, boolean collectBeforeBackward) {
    Map<String, Parameter> parameters = model.parameters();
    for (Parameter p : parameters.values()) {
      p.getArray().getGradient().set(new NDIndex(":"), 0f);
    }
    try (NDManager step = model.manager().newSubManager()) {
      long[] tokens = new long[16];
      for (int i = 0; i < tokens.length; i++) {
        tokens[i] = i % 8 == 0 ? 0 : 4 + (i * 7) % 30; // one PAD per row
      }
      NDArray input = EngineArrays.create(step, tokens, new Shape(2, 8));
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray hidden =
            model
                .block()
                .forward(
                    model.parameterStore(),
                    input,
                    model.block().tokenEmbeddings(model.parameterStore(), input),
                    false);
        if (collectBeforeBackward) {
          EngineArraysTest.collectAndOverwrite();
        }
        collector.backward(hidden.square().sum());
      }
    }
    float[] first = gradient(parameters, "layer0_qkvWeight");
    float[] second = gradient(parameters, "layer1_qkvWeight");
    float[] both = java.util.Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    return both;
  }

  private static float[] gradient(Map<String, Parameter> parameters, String suffix) {
    for (var entry : parameters.entrySet()) {
      if (entry.getKey().endsWith(suffix)) {
        return entry.getValue().getArray().getGradient().toFloatArray();
      }
    }
    throw new IllegalStateException("no parameter *" + suffix + " in " + parameters.keySet());
  }
}
