package dev.glad.model.bench;

import dev.glad.model.encoder.Bert4RecModel;
import dev.glad.model.encoder.Devices;
import dev.glad.model.encoder.EncoderConfig;
import dev.glad.model.encoder.SequenceEncoder;
import java.util.SplittableRandom;
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
 * Batched chunk encoding, the stream's hot path: {@code encodeBatch} of {@code batch} chunks of
 * c=20 items (plus the appended MASK, 21 tokens) with a Beauty-sized vocabulary. Time per call;
 * chunks/s = batch / time. Run (see docs/BENCHMARKS.md):
 *
 * <pre>
 * java -cp model-runtime/target/test-classes:model-runtime/target/classes:$(cat /tmp/mr.cp) \
 *   org.openjdk.jmh.Main ChunkEncodingBenchmark
 * </pre>
 *
 * <p>{@code scripts/encoder-efficiency.py} turns the JSON of a run of this and {@link
 * MatmulPeakBenchmark} into chunks/s and the share of the matmul peak (the FLOP counts live there).
 *
 * <p>{@code -p device=gpu:0} measures on a GPU (a -Pcuda build, scripts/gpu-check.sh); a device
 * that is not there fails the run instead of measuring the CPU.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Dai.djl.offline=true",
      "-Dai.djl.pytorch.num_threads=2",
      "-Dai.djl.pytorch.num_interop_threads=1"
    })
public class ChunkEncodingBenchmark {
  /** Beauty's 54,542 items plus 3 special tokens. */
  static final int TOKENS = 54_545;

  static final int CHUNK = 20;

  @Param({"64", "256"})
  public int dim;

  @Param({"1", "8", "32", "128", "512"})
  public int batch;

  /** {@code cpu} or {@code gpu:N}. */
  @Param({"cpu"})
  public String device;

  private SequenceEncoder encoder;
  private int[][] chunks;

  @Setup(Level.Trial)
  public void setUp() {
    EncoderConfig config =
        EncoderConfig.builder()
            .setTokenCount(TOKENS)
            .optHiddenSize(dim)
            .optLayers(2)
            .optHeads(2)
            .optMaxLength(50)
            .optChunkSize(CHUNK)
            .build();
    encoder = SequenceEncoder.owning(Bert4RecModel.create(config, Devices.require(device), 1));
    SplittableRandom random = new SplittableRandom(2);
    chunks = new int[batch][CHUNK];
    for (int[] chunk : chunks) {
      for (int i = 0; i < CHUNK; i++) {
        chunk[i] = 3 + random.nextInt(TOKENS - 3);
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    encoder.close();
  }

  @Benchmark
  public float[][] encodeBatch() {
    return encoder.encodeBatch(chunks);
  }
}
