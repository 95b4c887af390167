package dev.glad.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GladTrainingConfigTest {
  @Test
  void memoryGradientChunksIsOffByDefault() {
    assertEquals(0, GladTrainingConfig.builder().build().memoryGradientChunks());
  }

  @Test
  void buildRefusesANegativeMemoryGradientChunkCount() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> GladTrainingConfig.builder().optMemoryGradientChunks(-1).build());
    assertEquals("memoryGradientChunks must be >= 0 but was -1", e.getMessage());
  }

  @Test
  void buildRefusesMemoryGradientsWithTheTargetLeak() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                GladTrainingConfig.builder()
                    .optMemoryGradientChunks(2)
                    .optLeakTarget(true)
                    .build());
    assertEquals("memoryGradientChunks cannot be combined with leakTarget", e.getMessage());
  }
}
