package dev.glad.model.encoder;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

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

  /**
   * Runs this process's PyTorch operators with {@code threads} intra-op threads, whether or not the
   * engine is loaded yet, and returns the count in effect. A TaskManager's engine is shared by its
   * slots and may already have been loaded (by the user-memory operator, another job, or the client
   * in a local cluster) with PyTorch's default of one thread per core; every encoder thread then
   * forks a team that size, and with an encoder per slot the teams overbook the cores.
   */
  public static int useIntraOpThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("intra-op threads must be >= 1, got " + threads);
    }
    configure(threads); // read by the engine if this call loads it
    Engine.getEngine("PyTorch");
    if (JniUtils.getNumThreads() != threads) {
      JniUtils.setNumThreads(threads);
    }
    return JniUtils.getNumThreads();
  }
}
