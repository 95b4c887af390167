package dev.glad.serving.scoring;

import dev.glad.model.encoder.SequenceEncoder;
import dev.glad.serving.metrics.ServingMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * z_U = encode(recent items) with dynamic batching across concurrent requests: one thread owns the
 * (thread-confined) encoder and runs one forward pass over every request queued when it becomes
 * free, up to {@code maxBatch}. Under load requests pile up while a pass runs, so batches grow with
 * the load and a forward pass's fixed cost is shared; alone, a request is encoded at once. With
 * {@code maxWait > 0} a pass also waits that long for company after its first request.
 */
public final class ShortTermEncoder implements AutoCloseable {
  private record Job(int[] items, CompletableFuture<float[]> result) {}

  private final SequenceEncoder encoder;
  private final int maxBatch;
  private final long maxWaitNanos;
  private final ServingMetrics metrics;
  private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closing;

  public ShortTermEncoder(
      SequenceEncoder encoder, int maxBatch, Duration maxWait, ServingMetrics metrics) {
    this.encoder = encoder;
    this.maxBatch = maxBatch;
    this.maxWaitNanos = maxWait.toNanos();
    this.metrics = metrics;
    this.thread = new Thread(this::run, "glad-ranking-encoder");
    thread.setDaemon(true);
    thread.start();
  }

  /** z_U of {@code items} (vocabulary indices, the last c recent items), when its batch ran. */
  public CompletableFuture<float[]> encode(int[] items) {
    CompletableFuture<float[]> result = new CompletableFuture<>();
    if (closing) {
      result.completeExceptionally(new IllegalStateException("the encoder is closed"));
      return result;
    }
    queue.add(new Job(items, result));
    return result;
  }

  /** Requests waiting for a forward pass. */
  public int queued() {
    return queue.size();
  }

  private void run() {
    List<Job> batch = new ArrayList<>(maxBatch);
    while (!closing) {
      try {
        Job first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, maxBatch - 1);
        if (maxWaitNanos > 0) {
          long deadline = System.nanoTime() + maxWaitNanos;
          while (batch.size() < maxBatch) {
            long left = deadline - System.nanoTime();
            Job next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
            if (next == null) {
              break;
            }
            batch.add(next);
            queue.drainTo(batch, maxBatch - batch.size());
          }
        }
        runBatch(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } finally {
        batch.clear();
      }
    }
    Job left;
    while ((left = queue.poll()) != null) {
      left.result().completeExceptionally(new IllegalStateException("the encoder is closed"));
    }
  }

  private void runBatch(List<Job> batch) {
    int[][] rows = new int[batch.size()][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = batch.get(i).items();
    }
    long start = System.nanoTime();
    try {
      float[][] z = encoder.encodeBatch(rows);
      metrics.encoderBatch(rows.length, System.nanoTime() - start);
      for (int i = 0; i < rows.length; i++) {
        batch.get(i).result().complete(z[i]);
      }
    } catch (RuntimeException e) {
      for (Job job : batch) {
        job.result().completeExceptionally(e);
      }
    }
  }

  @Override
  public void close() {
    closing = true;
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
