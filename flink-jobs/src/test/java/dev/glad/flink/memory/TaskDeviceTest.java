package dev.glad.flink.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glad.model.encoder.DeviceChoice;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskDeviceTest {
  @Test
  void autoUsesTheTaskManagersGpuWhenItDeclaresOne() {
    assertEquals("gpu:1", TaskDevice.choose("auto", List.of("1", "2"), 4).describe());
  }

  @Test
  void autoOnACpuOnlyTaskManagerIsTheCpuWithoutAWarning() {
    DeviceChoice d = TaskDevice.choose("auto", List.of(), 0);
    assertTrue(d.isCpu());
    assertTrue(d.fallbackReason().isEmpty());
  }

  @Test
  void gpuWithoutADeclaredResourceFallsBackWithTheReason() {
    DeviceChoice d = TaskDevice.choose("gpu", List.of(), 2);
    assertTrue(d.isCpu());
    assertEquals(
        "device 'gpu' requested but this TaskManager declares no external resource 'gpu'",
        d.fallbackReason().orElseThrow());
  }

  @Test
  void aDeclaredGpuTheEngineCannotSeeFallsBackToTheCpu() {
    DeviceChoice d = TaskDevice.choose("auto", List.of("0"), 0);
    assertTrue(d.isCpu());
    assertTrue(d.fallbackReason().isPresent());
  }

  @Test
  void anExplicitGpuIndexAndTheCpuAreHonoured() {
    assertEquals("gpu:3", TaskDevice.choose("gpu:3", List.of("0"), 4).describe());
    assertTrue(TaskDevice.choose("cpu", List.of("0"), 4).isCpu());
    assertThrows(IllegalArgumentException.class, () -> TaskDevice.choose("tpu", List.of(), 0));
  }
}
