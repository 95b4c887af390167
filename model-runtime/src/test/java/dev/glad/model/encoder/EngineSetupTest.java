package dev.glad.model.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Test;

class EngineSetupTest {

  @Test
  void intraOpThreadsChangeAfterTheEngineHasLoaded() {
    Engine.getEngine("PyTorch"); // loaded first, as by another operator of the TaskManager
    int before = JniUtils.getNumThreads();
    String property = System.getProperty(EngineSetup.NUM_THREADS);
    try {
      int other = before == 1 ? 2 : 1;
      assertEquals(other, EngineSetup.useIntraOpThreads(other));
      assertEquals(other, JniUtils.getNumThreads());
      assertEquals(before, EngineSetup.useIntraOpThreads(before));
    } finally {
      JniUtils.setNumThreads(before);
      if (property == null) {
        System.clearProperty(EngineSetup.NUM_THREADS);
      } else {
        System.setProperty(EngineSetup.NUM_THREADS, property);
      }
    }
  }

  @Test
  void refusesFewerThanOneThread() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> EngineSetup.useIntraOpThreads(0));
    assertEquals("intra-op threads must be >= 1, got 0", e.getMessage());
  }
}
