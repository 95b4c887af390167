package dev.glad.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.glad.model.encoder.Bert4RecModel;
import dev.glad.model.encoder.EngineArrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The encoder's token table E and output bias b trained row-sparsely: a step builds small tables of
 * only the rows it uses ({@link StepRows}), the forward pass and the loss read those (so the
 * backward pass yields gradients for those rows only, never a dense 54,545 x 64 gradient), and
 * {@link LazyRowAdamW} updates just those rows. The model's own parameters are refreshed from here
 * by {@link #writeTo} before anything reads them (validation, checkpoints, export).
 */
final class SparseTokenTable {
  static final String TABLE = "tokenEmbedding";
  static final String BIAS = "outputBias";

  private final LazyRowAdamW table;
  private final LazyRowAdamW bias;
  private final String tableName;
  private final String biasName;

  /** Starts from the model's current table and bias; {@code weightDecay} applies to E only. */
  SparseTokenTable(Bert4RecModel model, float weightDecay) {
    int tokens = model.config().tokenCount();
    int e = model.config().hiddenSize();
    this.tableName = nameEndingWith(model, TABLE);
    this.biasName = nameEndingWith(model, BIAS);
    Map<String, Parameter> parameters = model.parameters();
    this.table =
        new LazyRowAdamW(
            tableName,
            parameters.get(tableName).getArray().toFloatArray(),
            tokens,
            e,
            AdamW.decays(tableName) ? weightDecay : 0f);
    this.bias =
        new LazyRowAdamW(
            biasName,
            parameters.get(biasName).getArray().toFloatArray(),
            tokens,
            1,
            AdamW.decays(biasName) ? weightDecay : 0f);
  }

  /** The model's parameters without E and b: what the dense optimizer trains. */
  static Map<String, Parameter> denseParameters(Bert4RecModel model) {
    Map<String, Parameter> dense = new LinkedHashMap<>();
    for (var entry : model.parameters().entrySet()) {
      if (!entry.getKey().endsWith(TABLE) && !entry.getKey().endsWith(BIAS)) {
        dense.put(entry.getKey(), entry.getValue());
      }
    }
    return dense;
  }

  /** One step's small table (R,e) and bias (R), both recording gradients. */
  record Step(StepRows rows, NDArray table, NDArray bias) {
    /** Squared L2 norm of the step's table and bias gradients (part of the global norm). */
    double squaredGradientNorm() {
      return squaredNorm(table.getGradient().toFloatArray())
          + squaredNorm(bias.getGradient().toFloatArray());
    }
  }

  /** The current rows of {@code rows}, on {@code manager}, ready for a forward pass. */
  Step begin(StepRows rows, NDManager manager) {
    int e = table.width();
    NDArray t = EngineArrays.create(manager, table.gather(rows.ids()), new Shape(rows.size(), e));
    NDArray b = EngineArrays.create(manager, bias.gather(rows.ids()), new Shape(rows.size()));
    t.setRequiresGradient(true);
    b.setRequiresGradient(true);
    return new Step(rows, t, b);
  }

  /** Applies the step's gradients (times the clip {@code scale}) at {@code learningRate}. */
  void update(Step step, float scale, float learningRate) {
    table.update(step.rows().ids(), step.table().getGradient().toFloatArray(), scale, learningRate);
    bias.update(step.rows().ids(), step.bias().getGradient().toFloatArray(), scale, learningRate);
  }

  /** Steps taken (equals the dense optimizer's). */
  long step() {
    return table.step();
  }

  /** Copies the current E and b into the model's parameters. */
  void writeTo(Bert4RecModel model) {
    Map<String, Parameter> parameters = model.parameters();
    EngineArrays.copyInto(parameters.get(tableName).getArray(), table.currentValues());
    EngineArrays.copyInto(parameters.get(biasName).getArray(), bias.currentValues());
  }

  /** The optimizer state of E and b for a checkpoint. */
  NDList state(NDManager manager) {
    NDList list = new NDList();
    list.addAll(table.state(manager));
    list.addAll(bias.state(manager));
    return list;
  }

  /** Restores {@link #state}. */
  void restore(NDList state) {
    table.restore(state);
    bias.restore(state);
  }

  private static String nameEndingWith(Bert4RecModel model, String suffix) {
    for (String name : model.parameters().keySet()) {
      if (name.endsWith(suffix)) {
        return name;
      }
    }
    throw new IllegalStateException("the encoder has no parameter named *" + suffix);
  }

  static double squaredNorm(float[] values) {
    double s = 0;
    for (float x : values) {
      s += (double) x * x;
    }
    return s;
  }
}
