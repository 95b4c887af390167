package dev.glad.model.encoder;

import ai.djl.pytorch.jni.JniUtils;

/**
 * A section of one thread in which PyTorch records no autograd graph; closing it restores the
 * thread's previous mode.
 *
 * <p>Why: PyTorch's grad mode belongs to a thread, and DJL turns it off only on the thread that
 * loaded the engine. On every other thread (a Flink task, a request thread, a benchmark) an
 * inference pass over parameters that require gradients records the graph and keeps its
 * intermediate arrays for a backward pass that never comes: 4–12 % of an encoder call at e = 64
 * (docs/BENCHMARKS.md).
 */
final class NoGradient implements AutoCloseable {
  private final boolean previous;

  private NoGradient(boolean previous) {
    this.previous = previous;
  }

  /** Turns recording off on the calling thread until {@link #close()}. */
  static NoGradient enter() {
    boolean previous = JniUtils.isGradMode();
    if (previous) {
      JniUtils.setGradMode(false);
    }
    return new NoGradient(previous);
  }

  @Override
  public void close() {
    if (previous) {
      JniUtils.setGradMode(true);
    }
  }
}
