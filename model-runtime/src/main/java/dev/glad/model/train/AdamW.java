package dev.glad.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.glad.model.encoder.EngineArrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter): Adam moments with bias correction and weight decay applied to the
 * weights directly rather than through the gradient. The moments live here, not inside DJL, so a
 * checkpoint can save and restore them exactly.
 */
public final class AdamW implements AutoCloseable {
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPSILON = 1e-8f;

  private final NDManager manager;
  private final float weightDecay;
  private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
  private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
  private long step;

  /** Zero moments for every parameter in {@code parameters}. */
  public AdamW(NDManager parent, Map<String, Parameter> parameters, float weightDecay) {
    this.manager = parent.newSubManager();
    this.weightDecay = weightDecay;
    for (Map.Entry<String, Parameter> entry : parameters.entrySet()) {
      NDArray weights = entry.getValue().getArray();
      firstMoments.put(entry.getKey(), manager.zeros(weights.getShape()));
      secondMoments.put(entry.getKey(), manager.zeros(weights.getShape()));
    }
  }

  /** Whether a parameter is decayed: biases and layer-norm gains/offsets are not (BERT). */
  static boolean decays(String parameterName) {
    return !(parameterName.endsWith("Bias")
        || parameterName.endsWith("Gamma")
        || parameterName.endsWith("Beta"));
  }

  /**
   * Applies one update with rate {@code learningRate} from the gradients currently held by the
   * parameters, then zeroes those gradients. Call with autograd recording off.
   */
  public void update(Map<String, Parameter> parameters, float learningRate) {
    step++;
    float correction1 = 1f - (float) Math.pow(BETA1, step);
    float correction2 = 1f - (float) Math.pow(BETA2, step);
    for (Map.Entry<String, Parameter> entry : parameters.entrySet()) {
      NDArray weights = entry.getValue().getArray();
      NDArray gradient = weights.getGradient();
      NDArray m = firstMoments.get(entry.getKey());
      NDArray v = secondMoments.get(entry.getKey());
      m.muli(BETA1).addi(gradient.mul(1f - BETA1));
      v.muli(BETA2).addi(gradient.square().muli(1f - BETA2));
      NDArray denominator = v.div(correction2).sqrt().addi(EPSILON);
      NDArray change = m.div(correction1).divi(denominator).muli(learningRate);
      if (weightDecay > 0f && decays(entry.getKey())) {
        weights.subi(weights.mul(learningRate * weightDecay));
      }
      weights.subi(change);
      gradient.subi(gradient);
    }
  }

  /** Scales all gradients so their global L2 norm is at most {@code maxNorm}; returns the norm. */
  public static float clipGradients(Map<String, Parameter> parameters, float maxNorm) {
    float norm = (float) Math.sqrt(squaredGradientNorm(parameters));
    float scale = clipScale(norm, maxNorm);
    if (scale != 1f) {
      scaleGradients(parameters, scale);
    }
    return norm;
  }

  /**
   * Σ of the squared gradients of {@code parameters}, summed in Java doubles: a float32 sum of
   * squares overflows for gradients above ~1e19, and a training run once saw an infinite float32
   * norm over gradients that were all finite.
   */
  public static double squaredGradientNorm(Map<String, Parameter> parameters) {
    double squared = 0;
    for (Parameter p : parameters.values()) {
      for (float g : p.getArray().getGradient().toFloatArray()) {
        squared += (double) g * g;
      }
    }
    return squared;
  }

  /**
   * The factor that brings a gradient of norm {@code norm} to at most {@code maxNorm} (0 = off).
   */
  public static float clipScale(float norm, float maxNorm) {
    return maxNorm > 0f && norm > maxNorm ? maxNorm / (norm + 1e-6f) : 1f;
  }

  /**
   * Sets every gradient to 0 with an indexed fill: not a multiply (NaN * 0 is NaN) and not {@code
   * set(Buffer)} (which would point the gradient at Java memory freed with the wrapper).
   */
  public static void zeroGradients(Map<String, Parameter> parameters) {
    for (Parameter p : parameters.values()) {
      p.getArray().getGradient().set(new ai.djl.ndarray.index.NDIndex(":"), 0f);
    }
  }

  /** Multiplies every gradient by {@code scale}. */
  public static void scaleGradients(Map<String, Parameter> parameters, float scale) {
    for (Parameter p : parameters.values()) {
      p.getArray().getGradient().muli(scale);
    }
  }

  public long step() {
    return step;
  }

  /** Moments as named arrays ({@code m/NAME}, {@code v/NAME}) for a checkpoint. */
  public NDList state(NDManager target) {
    NDList list = new NDList();
    for (String name : firstMoments.keySet()) {
      list.add(named(firstMoments.get(name), "m/" + name, target));
      list.add(named(secondMoments.get(name), "v/" + name, target));
    }
    return list;
  }

  /** Restores moments and the step count written by {@link #state}. */
  public void restore(NDList state, long restoredStep) {
    Map<String, NDArray> byName = new LinkedHashMap<>();
    for (NDArray a : state) {
      byName.put(a.getName(), a);
    }
    for (String name : firstMoments.keySet()) {
      copyInto(byName, "m/" + name, firstMoments.get(name));
      copyInto(byName, "v/" + name, secondMoments.get(name));
    }
    this.step = restoredStep;
  }

  private static void copyInto(Map<String, NDArray> byName, String key, NDArray target) {
    NDArray source = byName.get(key);
    if (source == null || !source.getShape().equals(target.getShape())) {
      throw new IllegalArgumentException("optimizer state '" + key + "' is missing or mis-shaped");
    }
    EngineArrays.copyInto(target, source);
  }

  private static NDArray named(NDArray array, String name, NDManager target) {
    NDArray copy = array.toDevice(ai.djl.Device.cpu(), true).duplicate();
    copy.attach(target);
    copy.setName(name);
    return copy;
  }

  @Override
  public void close() {
    manager.close();
  }
}
