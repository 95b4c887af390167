package dev.glad.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LazyRowAdamWTest {
  private static final int ROWS = 12;
  private static final int WIDTH = 3;
  private static final int STEPS = 60;

  /** The rows a step touches (some rarely, some never) and their gradients. */
  private static int[] touched(int step, SplittableRandom random) {
    return java.util.stream.IntStream.range(0, ROWS - 1)
        .filter(r -> r < 3 || random.nextDouble() < 0.15 || (r == 8 && step == 2))
        .toArray();
  }

  private static float rate(int step) {
    return 0.01f * (1 + step % 7) / 7f;
  }

  @Test
  void equalsDenseAdamWIncludingSkippedRows() {
    SplittableRandom random = new SplittableRandom(3);
    float[] initial = new float[ROWS * WIDTH];
    for (int i = 0; i < initial.length; i++) {
      initial[i] = (float) random.nextGaussian();
    }
    LazyRowAdamW lazy = new LazyRowAdamW("table", initial, ROWS, WIDTH, 0.05f);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray weights = manager.create(initial, new Shape(ROWS, WIDTH));
      weights.setRequiresGradient(true);
      Parameter p = Parameter.builder().setName("table").setType(Parameter.Type.WEIGHT).build();
      p.setArray(weights);
      Map<String, Parameter> parameters = Map.of("table", p);
      try (AdamW dense = new AdamW(manager, parameters, 0.05f)) {
        for (int step = 0; step < STEPS; step++) {
          int[] rows = touched(step, random);
          float[] rowGradients = new float[rows.length * WIDTH];
          float[] full = new float[ROWS * WIDTH];
          for (int i = 0; i < rows.length; i++) {
            for (int d = 0; d < WIDTH; d++) {
              float g = (float) random.nextGaussian();
              rowGradients[i * WIDTH + d] = g;
              full[rows[i] * WIDTH + d] = 2 * g; // dense gets twice, scaled by 0.5 below
            }
          }
          lazy.gather(rows);
          lazy.update(rows, rowGradients, 1f, rate(step));
          try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(weights.mul(manager.create(full, weights.getShape())).sum());
          }
          AdamW.scaleGradients(parameters, 0.5f);
          dense.update(parameters, rate(step));
          assertArrayEquals(weights.toFloatArray(), lazy.currentValues(), 2e-5f, "step " + step);
        }
      }
    }
  }

  @Test
  void gatherReturnsTheCurrentValuesOfItsRows() {
    LazyRowAdamW lazy = trained(new SplittableRandom(4), 30);
    float[] all = lazy.currentValues();
    int[] rows = {7, 0, 11};
    float[] gathered = lazy.gather(rows);
    for (int i = 0; i < rows.length; i++) {
      assertArrayEquals(
          Arrays.copyOfRange(all, rows[i] * WIDTH, rows[i] * WIDTH + WIDTH),
          Arrays.copyOfRange(gathered, i * WIDTH, i * WIDTH + WIDTH),
          0f);
    }
  }

  @Test
  void restoredStateContinuesExactly() {
    LazyRowAdamW straight = trained(new SplittableRandom(5), 20);
    LazyRowAdamW restored = new LazyRowAdamW("table", new float[ROWS * WIDTH], ROWS, WIDTH, 0.05f);
    try (NDManager manager = NDManager.newBaseManager()) {
      restored.restore(straight.state(manager));
    }
    continueTraining(straight, new SplittableRandom(9), 20);
    continueTraining(restored, new SplittableRandom(9), 20);
    assertArrayEquals(straight.currentValues(), restored.currentValues(), 0f);
  }

  private static LazyRowAdamW trained(SplittableRandom random, int steps) {
    float[] initial = new float[ROWS * WIDTH];
    for (int i = 0; i < initial.length; i++) {
      initial[i] = (float) random.nextGaussian();
    }
    LazyRowAdamW lazy = new LazyRowAdamW("table", initial, ROWS, WIDTH, 0.05f);
    continueTraining(lazy, random, steps);
    return lazy;
  }

  private static void continueTraining(LazyRowAdamW lazy, SplittableRandom random, int steps) {
    for (int step = 0; step < steps; step++) {
      int[] rows = touched(step, random);
      float[] gradients = new float[rows.length * WIDTH];
      for (int i = 0; i < gradients.length; i++) {
        gradients[i] = (float) random.nextGaussian();
      }
      lazy.gather(rows);
      lazy.update(rows, gradients, 0.7f, rate(step));
    }
  }
}
