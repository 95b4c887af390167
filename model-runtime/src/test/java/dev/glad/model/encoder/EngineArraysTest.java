package dev.glad.model.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Arrays made from Java values keep their values after their Java wrapper is gone: autograd's saved
 * tensors and views read engine memory, not a Java buffer that the garbage collector freed and the
 * next allocation overwrote (RESULTS §7.7).
 */
class EngineArraysTest {
  /** 64 KiB: a freed buffer of this size is handed out again by the next allocation of its size. */
  static final int N = 16_384;

  static final float FACTOR = 0.125f;

  @Test
  void createdFactorSurvivesItsWrapperUntilTheBackwardPass() {
    float[] gradient =
        gradientAfterCollection(
            (manager, x) -> x.mul(EngineArrays.create(manager, filled(N, FACTOR), new Shape(N))));
    assertArrayEquals(filled(N, FACTOR), gradient);
  }

  @Test
  void scalarSurvivesItsWrapperUntilTheBackwardPass() {
    float[] gradient =
        gradientAfterCollection(
            (manager, x) -> {
              try (NDArray scale = EngineArrays.scalar(x, FACTOR)) {
                return x.mul(scale); // as DJL's x.mul(Number) does with its own scalar
              }
            });
    assertArrayEquals(filled(N, FACTOR), gradient);
  }

  @Test
  void copyIntoOverwritesTheArraysOwnMemory() {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      NDArray target = EngineArrays.create(manager, new float[] {1, 2, 3, 4}, new Shape(2, 2));
      NDArray view = target.reshape(4); // shares target's memory
      EngineArrays.copyInto(target, new float[] {5, 6, 7, 8});
      assertArrayEquals(new float[] {5, 6, 7, 8}, target.toFloatArray());
      // set(Buffer) would have given target new (Java) memory and left the view on the old one
      assertArrayEquals(new float[] {5, 6, 7, 8}, view.toFloatArray());
      NDArray vector = EngineArrays.create(manager, new float[] {1, 2});
      EngineArrays.copyInto(vector, EngineArrays.create(manager, new float[] {3, 4}));
      assertArrayEquals(new float[] {3, 4}, vector.toFloatArray());
      assertThrows(
          IllegalArgumentException.class,
          () -> EngineArrays.copyInto(target, EngineArrays.create(manager, new float[] {1, 2})));
    }
  }

  @Test
  void copyIntoWritesAParameterThatRecordsGradientsOnAnyThread() throws Exception {
    // a loaded model's parameters require gradients, and PyTorch's grad mode is per thread: DJL
    // switches it off on the thread that loads the engine, not on a Flink task thread that opens a
    // model later, where an in-place write on the parameter itself fails ("a view of a leaf
    // Variable that requires grad is being used in an in-place operation")
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      NDArray parameter = EngineArrays.create(manager, new float[] {1, 2, 3});
      parameter.setRequiresGradient(true);
      java.util.concurrent.atomic.AtomicReference<Throwable> failure =
          new java.util.concurrent.atomic.AtomicReference<>();
      Thread other =
          new Thread(
              () -> {
                try {
                  EngineArrays.copyInto(parameter, new float[] {4, 5, 6});
                } catch (Throwable t) {
                  failure.set(t);
                }
              });
      other.start();
      other.join();
      if (failure.get() != null) {
        throw new AssertionError("copyInto failed on another thread", failure.get());
      }
      assertArrayEquals(new float[] {4, 5, 6}, parameter.toFloatArray());
      assertTrue(parameter.hasGradient(), "still records gradients");
    }
  }

  @Test
  void createKeepsValuesShapesAndTypes() {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      assertArrayEquals(
          new long[] {3, 1, 2},
          EngineArrays.create(manager, new long[] {3, 1, 2}, new Shape(3)).toLongArray());
      NDArray matrix = EngineArrays.create(manager, new float[][] {{1, 2}, {3, 4}, {5, 6}});
      assertArrayEquals(new long[] {3, 2}, matrix.getShape().getShape());
      assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, matrix.toFloatArray());
      assertArrayEquals(
          new double[] {0.5, 2.0},
          EngineArrays.create(manager, new double[] {0.5, 2.0}).toDoubleArray());
      assertArrayEquals(new float[] {FACTOR}, EngineArrays.scalar(matrix, FACTOR).toFloatArray());
    }
  }

  /**
   * x's gradient of sum({@code product}(x)) for x = ones(N), where {@code product} builds its
   * factor and returns {@code x * factor}; between the forward and the backward pass the factor's
   * wrapper is closed, collected, and its size of direct memory is allocated again and filled with
   * 7 - what a Java-backed factor would then read.
   */
  static float[] gradientAfterCollection(BiFunction<NDManager, NDArray, NDArray> product) {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      NDArray x = manager.ones(new Shape(N));
      x.setRequiresGradient(true);
      List<ByteBuffer> overwritten;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray y;
        try (NDManager factorScope = manager.newSubManager()) {
          y = product.apply(factorScope, x);
          y.attach(manager);
        } // closes the factor's wrapper; autograd still holds the factor for x's gradient
        overwritten = collectAndOverwrite();
        collector.backward(y.sum());
      }
      float[] gradient = x.getGradient().toFloatArray();
      if (overwritten.isEmpty()) {
        throw new AssertionError("nothing overwritten");
      }
      return gradient;
    }
  }

  /** Collects until direct memory was freed, then re-allocates it filled with 7. */
  static List<ByteBuffer> collectAndOverwrite() {
    BufferPoolMXBean direct =
        ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(pool -> pool.getName().equals("direct"))
            .findFirst()
            .orElseThrow();
    long used = direct.getMemoryUsed();
    for (int i = 0; i < 50 && direct.getMemoryUsed() >= used; i++) {
      System.gc();
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    List<ByteBuffer> buffers = new ArrayList<>();
    for (int size : new int[] {N * 4, 4}) {
      for (int i = 0; i < 32; i++) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
        while (buffer.remaining() >= 4) {
          buffer.putFloat(7f);
        }
        buffers.add(buffer);
      }
    }
    return buffers;
  }

  static float[] filled(int n, float value) {
    float[] a = new float[n];
    Arrays.fill(a, value);
    return a;
  }
}
