package dev.glad.model.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

class DevicesTest {

  @Test
  void requireGivesTheRequestedDeviceOrTheReasonInsteadOfTheCpu() {
    assertEquals(Device.cpu(), Devices.require("cpu"));
    int gpus = Engine.getInstance().getGpuCount();
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Devices.require("gpu:" + gpus));
    assertEquals(
        gpus == 0
            ? "device 'gpu:0' requested but the engine reports no GPU"
            : "device 'gpu:"
                + gpus
                + "' requested but the engine reports only "
                + gpus
                + " GPU(s) (gpu:0..gpu:"
                + (gpus - 1)
                + ")",
        e.getMessage());
    // the lenient form falls back where require refuses
    assertEquals(Device.cpu(), Devices.resolve("gpu:" + gpus));
  }
}
