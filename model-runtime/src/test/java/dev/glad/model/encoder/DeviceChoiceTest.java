package dev.glad.model.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeviceChoiceTest {

  @Test
  void cpuIsAlwaysCpuWithoutFallback() {
    assertEquals(DeviceChoice.CPU, DeviceChoice.decide("cpu", 4));
  }

  @Test
  void autoAndGpuTakeFirstGpu() {
    assertEquals(new DeviceChoice(0, Optional.empty()), DeviceChoice.decide("auto", 2));
    assertEquals(new DeviceChoice(0, Optional.empty()), DeviceChoice.decide("GPU", 1));
    assertEquals(new DeviceChoice(1, Optional.empty()), DeviceChoice.decide("gpu:1", 2));
    assertEquals("gpu:1", DeviceChoice.decide("gpu:1", 2).describe());
  }

  @Test
  void fallsBackToCpuWithReason() {
    DeviceChoice none = DeviceChoice.decide("auto", 0);
    assertTrue(none.isCpu());
    assertEquals(
        Optional.of("device 'auto' requested but the engine reports no GPU"),
        none.fallbackReason());
    assertEquals(
        Optional.of("device 'gpu:2' requested but the engine reports only 2 GPU(s) (gpu:0..gpu:1)"),
        DeviceChoice.decide("gpu:2", 2).fallbackReason());
  }

  @Test
  void rejectsMalformedValues() {
    for (String bad : new String[] {"tpu", "gpu:", "gpu:-1", "gpu:x", ""}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> DeviceChoice.decide(bad, 1));
      assertEquals(
          "device must be auto, cpu, gpu or gpu:N (N >= 0) but was '" + bad + "'", e.getMessage());
    }
  }
}
