package dev.glad.model.encoder;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Resolves a configured device value against the loaded engine. */
public final class Devices {
  private static final Logger LOG = LoggerFactory.getLogger(Devices.class);

  private Devices() {}

  /**
   * Decides the device for {@code requested} with {@link DeviceChoice#decide} and the engine's GPU
   * count; a fallback to the CPU is logged once, with its reason.
   */
  public static Device resolve(String requested) {
    DeviceChoice choice = decide(requested);
    choice.fallbackReason().ifPresent(reason -> LOG.info("Using the CPU: {}", reason));
    return device(choice);
  }

  /**
   * The device {@code requested} names, or an exception with the reason where {@link #resolve}
   * would fall back to the CPU: for measurements and checks that must not run on the CPU unnoticed.
   *
   * @throws IllegalStateException when the requested GPU is not there
   */
  public static Device require(String requested) {
    DeviceChoice choice = decide(requested);
    if (choice.fallbackReason().isPresent()) {
      throw new IllegalStateException(choice.fallbackReason().get());
    }
    return device(choice);
  }

  private static DeviceChoice decide(String requested) {
    return DeviceChoice.decide(requested, Engine.getInstance().getGpuCount());
  }

  private static Device device(DeviceChoice choice) {
    return choice.isCpu() ? Device.cpu() : Device.gpu(choice.gpuIndex());
  }
}
