package dev.glad.model.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.glad.model.encoder.Devices;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The machine's fp32 matmul throughput through the same engine (DJL PyTorch, same thread count): an
 * n x n by n x n product is 2n^3 flops. The largest n approximates the physical peak that the
 * encoder's efficiency is compared against.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Dai.djl.offline=true",
      "-Dai.djl.pytorch.num_threads=2",
      "-Dai.djl.pytorch.num_interop_threads=1"
    })
public class MatmulPeakBenchmark {
  @Param({"256", "1024", "2048"})
  public int n;

  /** {@code cpu} or {@code gpu:N} (a device that is not there fails the run). */
  @Param({"cpu"})
  public String device;

  private NDManager manager;
  private NDArray a;
  private NDArray b;

  @Setup(Level.Trial)
  public void setUp() {
    manager = NDManager.newBaseManager(Devices.require(device));
    a = manager.randomUniform(-1f, 1f, new Shape(n, n));
    b = manager.randomUniform(-1f, 1f, new Shape(n, n));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    manager.close();
  }

  @Benchmark
  public float matmul() {
    try (NDArray c = a.matMul(b)) {
      // Read one element so the product is materialised and not elided.
      return c.getFloat(0, 0);
    }
  }
}
