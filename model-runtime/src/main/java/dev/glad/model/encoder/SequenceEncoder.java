package dev.glad.model.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;

/**
 * Batched inference with a {@link Bert4RecModel}: {@code encode(items)} is the final hidden state
 * at a MASK appended after the items (GLAD paper §2.5). Many chunks go through one forward pass.
 *
 * <p>Thread-confined: open one per task or thread and close it when done. Inputs are vocabulary
 * indices (see {@link dev.glad.model.data.ItemVocabulary}); sequences longer than {@code maxLength
 * - 1} keep their last items.
 */
public final class SequenceEncoder implements AutoCloseable {
  private final Bert4RecModel model;
  private final boolean ownsModel;

  private SequenceEncoder(Bert4RecModel model, boolean ownsModel) {
    this.model = model;
    this.ownsModel = ownsModel;
  }

  /** An encoder that owns {@code model} and closes it in {@link #close()}. */
  public static SequenceEncoder owning(Bert4RecModel model) {
    return new SequenceEncoder(model, true);
  }

  /** An encoder over a model someone else owns (the trainer evaluating its live model). */
  public static SequenceEncoder borrowing(Bert4RecModel model) {
    return new SequenceEncoder(model, false);
  }

  public EncoderConfig config() {
    return model.config();
  }

  public Bert4RecModel model() {
    return model;
  }

  /** Encodes one sequence; see {@link #encodeBatch}. */
  public float[] encode(int[] items) {
    return encodeBatch(new int[][] {items})[0];
  }

  /**
   * Encodes every row in one forward pass: row {@code i} of the result is {@code encode(rows[i])},
   * {@code e} floats.
   */
  public float[][] encodeBatch(int[][] rows) {
    if (rows.length == 0) {
      return new float[0][];
    }
    int e = model.config().hiddenSize();
    try (NDScope arrays = new NDScope();
        NDManager scope = model.manager().newSubManager();
        NoGradient inference = NoGradient.enter()) {
      arrays.suppressNotUsedWarning();
      NDArray hidden = maskStates(scope, rows);
      return split(hidden.toFloatArray(), rows.length, e);
    }
  }

  /**
   * Scores of every token for each row (output logits {@code encode(row) · E^T + b}), shape {@code
   * rows.length x tokenCount}; columns are vocabulary indices.
   */
  public float[][] scoreAllTokens(int[][] rows) {
    try (NDScope arrays = new NDScope();
        NDManager scope = model.manager().newSubManager();
        NoGradient inference = NoGradient.enter()) {
      arrays.suppressNotUsedWarning();
      NDArray hidden = maskStates(scope, rows);
      NDArray logits = model.block().logits(model.parameterStore(), hidden);
      return split(logits.toFloatArray(), rows.length, model.config().tokenCount());
    }
  }

  /**
   * Scores of the given candidate indices per row: {@code encode(rows[i]) · E[c] + b[c]}. All
   * candidate rows must have the same length.
   */
  public float[][] scoreCandidates(int[][] rows, int[][] candidates) {
    if (rows.length != candidates.length) {
      throw new IllegalArgumentException(
          rows.length + " rows but " + candidates.length + " candidate lists");
    }
    int count = candidates.length == 0 ? 0 : candidates[0].length;
    long[] flat = new long[rows.length * count];
    for (int r = 0; r < rows.length; r++) {
      if (candidates[r].length != count) {
        throw new IllegalArgumentException(
            "candidate list " + r + " has " + candidates[r].length + " items, expected " + count);
      }
      for (int j = 0; j < count; j++) {
        flat[r * count + j] = candidates[r][j];
      }
    }
    try (NDScope arrays = new NDScope();
        NDManager scope = model.manager().newSubManager();
        NoGradient inference = NoGradient.enter()) {
      arrays.suppressNotUsedWarning();
      NDArray hidden = maskStates(scope, rows); // (B, e)
      NDArray ids = EngineArrays.create(scope, flat, Bert4RecModel.tokenShape(rows.length, count));
      NDArray table = model.block().tokenEmbeddings(model.parameterStore(), hidden);
      NDArray bias = model.block().outputBias(model.parameterStore(), hidden).reshape(-1, 1);
      NDArray vectors = Embedding.embedding(ids, table, SparseFormat.DENSE).head(); // (B, C, e)
      NDArray biases = Embedding.embedding(ids, bias, SparseFormat.DENSE).head(); // (B, C, 1)
      NDArray scores = vectors.matMul(hidden.expandDims(2)).add(biases); // (B, C, 1)
      return split(scores.toFloatArray(), rows.length, count);
    }
  }

  /** Hidden states at the appended MASK, shape (B, e), in {@code scope}. */
  private NDArray maskStates(NDManager scope, int[][] rows) {
    int width = TokenBatch.width(rows, true, model.config().maxLength());
    long[] tokens = TokenBatch.rightAligned(rows, width, true);
    NDArray input =
        EngineArrays.create(scope, tokens, Bert4RecModel.tokenShape(rows.length, width));
    return model.block().lastPositionStates(model.parameterStore(), input);
  }

  static float[][] split(float[] flat, int rows, int columns) {
    float[][] out = new float[rows][columns];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(flat, r * columns, out[r], 0, columns);
    }
    return out;
  }

  @Override
  public void close() {
    if (ownsModel) {
      model.close();
    }
  }
}
