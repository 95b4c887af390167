package dev.glad.model.encoder;

/** PyTorch settings that must be in place before the engine loads. */
public final class EngineSetup {
  static final String NUM_THREADS = "ai.djl.pytorch.num_threads";
  static final String NUM_INTEROP_THREADS = "ai.djl.pytorch.num_interop_threads";

  private EngineSetup() {}

  /**
   * Sets the intra-op thread count (unless already set by a -D flag) and one inter-op thread, and
   * forbids downloads. Returns the effective intra-op thread count.
   */
  public static int configure(int requestedThreads) {
    if (requestedThreads > 0) {
      System.setProperty(NUM_THREADS, Integer.toString(requestedThreads));
    } else if (System.getProperty(NUM_THREADS) == null) {
      System.setProperty(NUM_THREADS, Integer.toString(Runtime.getRuntime().availableProcessors()));
    }
    if (System.getProperty(NUM_INTEROP_THREADS) == null) {
      System.setProperty(NUM_INTEROP_THREADS, "1");
    }
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    return Integer.parseInt(System.getProperty(NUM_THREADS));
  }
}
