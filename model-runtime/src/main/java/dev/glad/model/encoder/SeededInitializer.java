package dev.glad.model.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import java.util.SplittableRandom;

/**
 * Initial parameter values drawn in Java from a seed, so that initialisation is identical on every
 * engine and device: a truncated normal (BERT's std 0.02, cut at two std) or a constant.
 */
final class SeededInitializer implements Initializer {
  private final long seed;
  private final float std;
  private final float constant;

  private SeededInitializer(long seed, float std, float constant) {
    this.seed = seed;
    this.std = std;
    this.constant = constant;
  }

  static SeededInitializer truncatedNormal(long seed, float std) {
    return new SeededInitializer(seed, std, 0f);
  }

  static SeededInitializer constant(float value) {
    return new SeededInitializer(0L, 0f, value);
  }

  @Override
  public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
    float[] values = new float[Math.toIntExact(shape.size())];
    if (std == 0f) {
      java.util.Arrays.fill(values, constant);
    } else {
      SplittableRandom random = new SplittableRandom(seed);
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) (truncatedGaussian(random) * std);
      }
    }
    return EngineArrays.create(manager, values, shape).toType(dataType, false);
  }

  /** A standard normal sample redrawn until it lies within two standard deviations. */
  static double truncatedGaussian(SplittableRandom random) {
    while (true) {
      // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
      double u1 = random.nextDouble();
      double u2 = random.nextDouble();
      double z = Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2);
      if (Math.abs(z) <= 2.0) {
        return z;
      }
    }
  }
}
