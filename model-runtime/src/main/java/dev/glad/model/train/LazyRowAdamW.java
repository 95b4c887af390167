package dev.glad.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.glad.model.encoder.EngineArrays;
import java.util.Arrays;

/**
 * AdamW for a large table (the item embeddings, the output bias) of which one step touches only a
 * few rows: a step reads and updates only those rows, in plain Java, instead of a dense gradient
 * and a dense update of the whole table (54,545 x 64 on Beauty: some 40 passes over 14 MB per
 * step).
 *
 * <p>It computes what dense {@link AdamW} computes. An untouched row has a zero gradient, so dense
 * AdamW decays its moments ({@code m *= β1, v *= β2}), decays its weights ({@code w *= 1 - lr·wd})
 * and still moves it by the decaying momentum ({@code lr·m̂/(√v̂ + ε)}). Here a row is brought up
 * to date only when it is next read ({@link #gather}), from the rates and decay factors of the
 * steps it skipped: the moments and the decay exactly, the momentum steps as the closed-form sum
 * {@code m/√v · Σ_j lr_j (β1/√β2)^j √(1-β2^j)/(1-β1^j) · decay after j} — exact except that ε is
 * dropped inside the skipped steps (it matters only for |m| and √v near 1e-8) and terms older than
 * {@link #MOMENTUM_HORIZON} steps ((β1/√β2)^200 ≈ 1e-9) are left out. Unlike TensorFlow's LazyAdam,
 * which drops those momentum steps, this keeps the dense optimizer's dynamics: a rare item moves as
 * far per occurrence as under dense AdamW.
 *
 * <p>Deterministic: the state is plain arrays changed in a fixed order; {@link #state} and {@link
 * #restore} carry all of it, so a resumed run continues bit for bit.
 */
final class LazyRowAdamW {
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPSILON = 1e-8f;

  /** Skipped steps whose momentum still moves a row by more than ~1e-9 of one step. */
  static final int MOMENTUM_HORIZON = 200;

  private static final double MOMENTUM_RATIO = BETA1 / Math.sqrt(BETA2);

  private final String name;
  private final int rows;
  private final int width;
  private final float weightDecay;
  private final float[] values;
  private final float[] m;
  private final float[] v;

  /** The optimizer step through which each row's values and moments are current. */
  private final long[] currentThrough;

  /** Learning rate of step s at index s - 1. */
  private double[] rates = new double[1024];

  /** Σ_{t <= s} log(1 - lr_t·wd) at index s (index 0 = before any step). */
  private double[] decayLogs = new double[1025];

  /**
   * {@code lr_s √(1-β2^s)/(1-β1^s) · exp(-decayLogs[s])} at index s: the step-only factors of a
   * skipped step's momentum move (see {@link #momentumSum}).
   */
  private double[] momentumTerms = new double[1025];

  private long step;

  /**
   * @param name the parameter's name (the state arrays are {@code w/NAME}, {@code m/NAME}, ...)
   * @param initial the table's values, row-major, {@code rows x width}; copied
   * @param weightDecay decoupled weight decay (0 = none, e.g. for a bias)
   */
  LazyRowAdamW(String name, float[] initial, int rows, int width, float weightDecay) {
    if (initial.length != (long) rows * width) {
      throw new IllegalArgumentException(
          name + ": " + initial.length + " values for " + rows + " x " + width);
    }
    this.name = name;
    this.rows = rows;
    this.width = width;
    this.weightDecay = weightDecay;
    this.values = initial.clone();
    this.m = new float[values.length];
    this.v = new float[values.length];
    this.currentThrough = new long[rows];
  }

  int width() {
    return width;
  }

  long step() {
    return step;
  }

  /** Brings {@code ids}' rows up to date and returns their values, row-major. */
  float[] gather(int[] ids) {
    float[] out = new float[ids.length * width];
    for (int i = 0; i < ids.length; i++) {
      catchUp(ids[i]);
      System.arraycopy(values, ids[i] * width, out, i * width, width);
    }
    return out;
  }

  /** Every row's up-to-date value (for validation and export); changes no state. */
  float[] currentValues() {
    float[] out = values.clone();
    for (int r = 0; r < rows; r++) {
      long skipped = step - currentThrough[r];
      if (skipped > 0) {
        double decay = decaySince(currentThrough[r]);
        double momentum = momentumSum(currentThrough[r]);
        int from = r * width;
        for (int d = 0; d < width; d++) {
          out[from + d] = catchUpValue(values[from + d], m[from + d], v[from + d], decay, momentum);
        }
      }
    }
    return out;
  }

  /**
   * One AdamW step for the rows {@code ids} (distinct) with gradients {@code gradients} (row-major,
   * aligned with {@code ids}) times {@code gradientScale} (the clipping factor); every other row
   * only falls one step further behind.
   */
  void update(int[] ids, float[] gradients, float gradientScale, float learningRate) {
    if (gradients.length != ids.length * width) {
      throw new IllegalArgumentException(
          name + ": " + gradients.length + " gradients for " + ids.length + " rows");
    }
    for (int row : ids) {
      catchUp(row);
    }
    recordStep(learningRate);
    float correction1 = 1f - (float) Math.pow(BETA1, step);
    float correction2 = 1f - (float) Math.pow(BETA2, step);
    float decayRate = learningRate * weightDecay;
    for (int i = 0; i < ids.length; i++) {
      int from = ids[i] * width;
      for (int d = 0; d < width; d++) {
        int k = from + d;
        float g = gradients[i * width + d] * gradientScale;
        m[k] = BETA1 * m[k] + (1f - BETA1) * g;
        v[k] = BETA2 * v[k] + (1f - BETA2) * g * g;
        float change = (m[k] / correction1) / ((float) Math.sqrt(v[k] / correction2) + EPSILON);
        if (weightDecay > 0f) {
          values[k] -= values[k] * decayRate;
        }
        values[k] -= change * learningRate;
      }
      currentThrough[ids[i]] = step;
    }
  }

  private void recordStep(float learningRate) {
    step++;
    if (step > rates.length) {
      rates = Arrays.copyOf(rates, 2 * rates.length);
      decayLogs = Arrays.copyOf(decayLogs, rates.length + 1);
      momentumTerms = Arrays.copyOf(momentumTerms, rates.length + 1);
    }
    rates[(int) step - 1] = learningRate;
    derive((int) step);
  }

  /** decayLogs[s] and momentumTerms[s] from rates[s - 1] and decayLogs[s - 1]. */
  private void derive(int s) {
    double rate = rates[s - 1];
    decayLogs[s] = decayLogs[s - 1] + (weightDecay > 0f ? Math.log1p(-rate * weightDecay) : 0);
    double correction1 = 1 - Math.pow(BETA1, s);
    double correction2 = 1 - Math.pow(BETA2, s);
    momentumTerms[s] = rate * Math.sqrt(correction2) / correction1 * Math.exp(-decayLogs[s]);
  }

  /** Applies the zero-gradient steps a row skipped since it was last current. */
  private void catchUp(int row) {
    long since = currentThrough[row];
    long skipped = step - since;
    if (skipped <= 0) {
      return;
    }
    double decay = decaySince(since);
    double momentum = momentumSum(since);
    float m1 = (float) Math.pow(BETA1, skipped);
    float m2 = (float) Math.pow(BETA2, skipped);
    int from = row * width;
    for (int d = 0; d < width; d++) {
      int k = from + d;
      values[k] = catchUpValue(values[k], m[k], v[k], decay, momentum);
      m[k] *= m1;
      v[k] *= m2;
    }
    currentThrough[row] = step;
  }

  private static float catchUpValue(
      float value, float m, float v, double decay, double momentumSum) {
    double ratio = v > 0f ? m / Math.sqrt(v) : 0;
    return (float) (value * decay - ratio * momentumSum);
  }

  /** Π over the steps after {@code since} of {@code (1 - lr·wd)}. */
  private double decaySince(long since) {
    return Math.exp(decayLogs[(int) step] - decayLogs[(int) since]);
  }

  /**
   * Σ over the skipped steps s = since + j of {@code lr_s (β1/√β2)^j √(1-β2^s)/(1-β1^s)}, each
   * times the weight decay of the steps after s: the momentum steps of a row that had moments (m,
   * v) at step {@code since}, per unit of {@code m/√v}.
   */
  private double momentumSum(long since) {
    int last = (int) Math.min(step, since + MOMENTUM_HORIZON);
    double sum = 0;
    double ratio = 1;
    for (int s = (int) since + 1; s <= last; s++) {
      ratio *= MOMENTUM_RATIO;
      sum += ratio * momentumTerms[s];
    }
    return sum * Math.exp(decayLogs[(int) step]);
  }

  /**
   * Named arrays for a checkpoint: {@code w/NAME} (values), {@code m/NAME}, {@code v/NAME}, {@code
   * through/NAME} (int64) and {@code history/NAME} ({@code [step, rate of each step...]}, float64).
   */
  NDList state(NDManager manager) {
    NDList list = new NDList();
    Shape shape = new Shape(rows, width);
    list.add(named(EngineArrays.create(manager, values, shape), "w/" + name));
    list.add(named(EngineArrays.create(manager, m, shape), "m/" + name));
    list.add(named(EngineArrays.create(manager, v, shape), "v/" + name));
    list.add(named(EngineArrays.create(manager, currentThrough), "through/" + name));
    int n = (int) step;
    double[] history = new double[1 + n];
    history[0] = n;
    System.arraycopy(rates, 0, history, 1, n);
    list.add(named(EngineArrays.create(manager, history), "history/" + name));
    return list;
  }

  /** Restores what {@link #state} wrote; arrays of other names are ignored. */
  void restore(NDList state) {
    copy(find(state, "w/" + name).toFloatArray(), values);
    copy(find(state, "m/" + name).toFloatArray(), m);
    copy(find(state, "v/" + name).toFloatArray(), v);
    long[] through = find(state, "through/" + name).toLongArray();
    double[] history = find(state, "history/" + name).toDoubleArray();
    int n = history.length == 0 ? -1 : (int) history[0];
    if (through.length != rows || n < 0 || history.length != n + 1) {
      throw new IllegalArgumentException("optimizer state of '" + name + "' is mis-shaped");
    }
    System.arraycopy(through, 0, currentThrough, 0, rows);
    step = n;
    rates = Arrays.copyOf(Arrays.copyOfRange(history, 1, 1 + n), Math.max(1024, 2 * n));
    decayLogs = new double[rates.length + 1];
    momentumTerms = new double[rates.length + 1];
    for (int s = 1; s <= n; s++) {
      derive(s);
    }
  }

  private NDArray find(NDList state, String key) {
    for (NDArray a : state) {
      if (key.equals(a.getName())) {
        return a;
      }
    }
    throw new IllegalArgumentException("optimizer state '" + key + "' is missing");
  }

  private void copy(float[] source, float[] target) {
    if (source.length != target.length) {
      throw new IllegalArgumentException("optimizer state of '" + name + "' is mis-shaped");
    }
    System.arraycopy(source, 0, target, 0, target.length);
  }

  private static NDArray named(NDArray array, String name) {
    array.setName(name);
    return array;
  }
}
