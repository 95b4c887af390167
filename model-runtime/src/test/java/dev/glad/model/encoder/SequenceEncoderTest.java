package dev.glad.model.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SequenceEncoderTest {
  private static final float TOLERANCE = 1e-5f;
  private static final EncoderConfig CONFIG =
      EncoderConfig.builder()
          .setTokenCount(40)
          .optHiddenSize(16)
          .optLayers(2)
          .optHeads(2)
          .optMaxLength(9)
          .optChunkSize(4)
          .build();
  private static SequenceEncoder encoder;

  @BeforeAll
  static void open() {
    encoder = SequenceEncoder.owning(Bert4RecModel.create(CONFIG, Device.cpu(), 7));
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  @Test
  void encodeBatchReturnsOneRowOfWidthEPerChunk() {
    float[][] out = encoder.encodeBatch(new int[][] {{3, 4, 5, 6}, {7, 8, 9, 10}, {11}});
    assertEquals(3, out.length);
    for (float[] row : out) {
      assertEquals(16, row.length);
    }
    assertEquals(0, encoder.encodeBatch(new int[0][]).length);
  }

  @Test
  void paddingDoesNotChangeTheEncoding() {
    // Row 2 is padded to the width of row 1 in the batch; alone it is not padded at all.
    float[][] batch = encoder.encodeBatch(new int[][] {{3, 4, 5, 6, 7, 8, 9}, {12, 13}});
    assertArrayEquals(encoder.encode(new int[] {12, 13}), batch[1], TOLERANCE);
    assertArrayEquals(encoder.encode(new int[] {3, 4, 5, 6, 7, 8, 9}), batch[0], TOLERANCE);
  }

  @Test
  void encodingDependsOnEveryItemAndOrder() {
    float[] base = encoder.encode(new int[] {3, 4, 5, 6});
    float[] changedFirst = encoder.encode(new int[] {20, 4, 5, 6});
    float[] swapped = encoder.encode(new int[] {4, 3, 5, 6});
    assertTrue(maxAbsDiff(base, changedFirst) > 1e-4, "bidirectional attention sees item 1");
    assertTrue(maxAbsDiff(base, swapped) > 1e-4, "learned positions make order matter");
  }

  @Test
  void longInputsKeepTheirLastItems() {
    float[] tooLong = encoder.encode(new int[] {30, 31, 3, 4, 5, 6, 7, 8, 9, 10});
    float[] lastEight = encoder.encode(new int[] {3, 4, 5, 6, 7, 8, 9, 10});
    assertArrayEquals(lastEight, tooLong, TOLERANCE);
  }

  @Test
  void candidateScoresAreColumnsOfFullScores() {
    int[][] rows = {{3, 4, 5}, {6, 7}};
    float[][] all = encoder.scoreAllTokens(rows);
    assertEquals(40, all[0].length);
    float[][] some = encoder.scoreCandidates(rows, new int[][] {{10, 3, 39}, {5, 6, 7}});
    assertEquals(all[0][10], some[0][0], TOLERANCE);
    assertEquals(all[0][39], some[0][2], TOLERANCE);
    assertEquals(all[1][7], some[1][2], TOLERANCE);
  }

  @Test
  void scoresAreEncodingTimesEmbeddingPlusBias() {
    // With freshly initialised (zero) output bias the score is the dot product with E[item].
    float[] h = encoder.encode(new int[] {3, 4, 5});
    float[] table =
        encoder.model().block().getParameters().get("tokenEmbedding").getArray().toFloatArray();
    float expected = 0;
    for (int k = 0; k < 16; k++) {
      expected += h[k] * table[12 * 16 + k];
    }
    float[][] scored = encoder.scoreCandidates(new int[][] {{3, 4, 5}}, new int[][] {{12}});
    assertEquals(expected, scored[0][0], 1e-4f);
  }

  @Test
  void mismatchedCandidateListsAreRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> encoder.scoreCandidates(new int[][] {{3}, {4}}, new int[][] {{5, 6}, {7}}));
    assertEquals("candidate list 1 has 1 items, expected 2", e.getMessage());
  }

  @Test
  void initialisationIsDeterministicUnderASeed() {
    try (Bert4RecModel a = Bert4RecModel.create(CONFIG, Device.cpu(), 11);
        Bert4RecModel b = Bert4RecModel.create(CONFIG, Device.cpu(), 11);
        Bert4RecModel c = Bert4RecModel.create(CONFIG, Device.cpu(), 12)) {
      float[] wa = a.parameters().get("01layer0_qkvWeight").getArray().toFloatArray();
      float[] wb = b.parameters().get("01layer0_qkvWeight").getArray().toFloatArray();
      float[] wc = c.parameters().get("01layer0_qkvWeight").getArray().toFloatArray();
      assertArrayEquals(wa, wb, 0f);
      assertTrue(maxAbsDiff(wa, wc) > 1e-3);
    }
  }

  @Test
  void lastPositionStatesEqualTheFullForwardPassAtTheLastColumn() {
    // Rows of different lengths, so the batch carries PAD keys; 1, 2 and 3 layers, so the top layer
    // is the first one, follows one, and follows two.
    int[][] rows = {{3, 4, 5, 6, 7, 8, 9}, {12, 13}, {20}, {30, 31, 32, 33}};
    int width = TokenBatch.width(rows, true, CONFIG.maxLength());
    long[] tokens = TokenBatch.rightAligned(rows, width, true);
    for (int layers = 1; layers <= 3; layers++) {
      EncoderConfig config =
          EncoderConfig.builder()
              .setTokenCount(40)
              .optHiddenSize(16)
              .optLayers(layers)
              .optHeads(2)
              .optMaxLength(9)
              .optChunkSize(4)
              .build();
      try (Bert4RecModel model = Bert4RecModel.create(config, Device.cpu(), 3 + layers);
          NDManager scope = model.manager().newSubManager()) {
        NDArray input =
            EngineArrays.create(scope, tokens, Bert4RecModel.tokenShape(rows.length, width));
        float[] full =
            model
                .block()
                .forward(model.parameterStore(), new NDList(input), false)
                .head()
                .get(new NDIndex(":, -1, :"))
                .toFloatArray();
        float[] last =
            model.block().lastPositionStates(model.parameterStore(), input).toFloatArray();
        assertArrayEquals(full, last, TOLERANCE, layers + " layers");
      }
    }
  }

  @Test
  void inferenceLeavesTheThreadsGradientModeAsItFoundIt() throws Exception {
    // A new thread records gradients (PyTorch's mode is per thread); encoding turns that off only
    // for its own pass.
    boolean[] modes = new boolean[2];
    Thread thread =
        new Thread(
            () -> {
              modes[0] = JniUtils.isGradMode();
              encoder.encodeBatch(new int[][] {{3, 4}});
              modes[1] = JniUtils.isGradMode();
            });
    thread.start();
    thread.join();
    assertTrue(modes[0], "a new thread records gradients");
    assertTrue(modes[1], "and still does after an encoding");
  }

  static double maxAbsDiff(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
