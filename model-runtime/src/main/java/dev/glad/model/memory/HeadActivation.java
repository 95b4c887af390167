package dev.glad.model.memory;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import java.util.Locale;

/**
 * The non-linearity σ of the GraphSAGE layers (eq. 1–2). The paper writes σ without saying which;
 * the gate (eq. 3) is always the sigmoid.
 */
public enum HeadActivation {
  SIGMOID,
  TANH,
  RELU,
  IDENTITY;

  /** The scalar function, used by the pure-Java math. */
  public float apply(float x) {
    return switch (this) {
      case SIGMOID -> sigmoid(x);
      case TANH -> (float) Math.tanh(x);
      case RELU -> Math.max(0f, x);
      case IDENTITY -> x;
    };
  }

  /** The same function on an NDArray, used by training. */
  public NDArray apply(NDArray x) {
    return switch (this) {
      case SIGMOID -> Activation.sigmoid(x);
      case TANH -> x.tanh();
      case RELU -> Activation.relu(x);
      case IDENTITY -> x;
    };
  }

  /** The logistic function, computed without overflow. */
  public static float sigmoid(float x) {
    return x >= 0 ? 1f / (1f + (float) Math.exp(-x)) : (float) (Math.exp(x) / (1 + Math.exp(x)));
  }

  /** Parses {@code sigmoid|tanh|relu|identity}. */
  public static HeadActivation parse(String value) {
    try {
      return valueOf(value.strip().toUpperCase(Locale.ROOT));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "activation must be sigmoid, tanh, relu or identity but was '" + value + "'");
    }
  }
}
