package dev.glad.model.encoder;

import java.util.Locale;
import java.util.Optional;

/**
 * Which device the encoder runs on, decided by {@link #decide} from the configured value ({@code
 * auto|cpu|gpu|gpu:N}) and the number of GPUs the engine reports.
 *
 * @param gpuIndex the GPU to use, or -1 for the CPU
 * @param fallbackReason why a GPU was wanted but the CPU is used (empty when nothing fell back)
 */
public record DeviceChoice(int gpuIndex, Optional<String> fallbackReason) {

  /** The CPU, chosen without a fallback. */
  public static final DeviceChoice CPU = new DeviceChoice(-1, Optional.empty());

  /** True when the choice is the CPU. */
  public boolean isCpu() {
    return gpuIndex < 0;
  }

  /** {@code cpu} or {@code gpu:N}, the notation of the configuration value. */
  public String describe() {
    return isCpu() ? "cpu" : "gpu:" + gpuIndex;
  }

  /**
   * Decides the device. {@code auto} and {@code gpu} take GPU 0 when there is one; {@code gpu:N}
   * takes GPU N when it exists. Otherwise the CPU, with the reason in {@link #fallbackReason}.
   *
   * @throws IllegalArgumentException for a value that is none of the accepted forms
   */
  public static DeviceChoice decide(String requested, int gpuCount) {
    String value = requested == null ? "" : requested.strip().toLowerCase(Locale.ROOT);
    if (value.equals("cpu")) {
      return CPU;
    }
    int wanted;
    if (value.equals("auto") || value.equals("gpu")) {
      wanted = 0;
    } else if (value.startsWith("gpu:")) {
      try {
        wanted = Integer.parseInt(value.substring(4));
      } catch (NumberFormatException e) {
        wanted = -1;
      }
      if (wanted < 0) {
        throw invalid(requested);
      }
    } else {
      throw invalid(requested);
    }
    if (gpuCount == 0) {
      return new DeviceChoice(
          -1, Optional.of("device '" + value + "' requested but the engine reports no GPU"));
    }
    if (wanted >= gpuCount) {
      return new DeviceChoice(
          -1,
          Optional.of(
              "device '"
                  + value
                  + "' requested but the engine reports only "
                  + gpuCount
                  + " GPU(s) (gpu:0..gpu:"
                  + (gpuCount - 1)
                  + ")"));
    }
    return new DeviceChoice(wanted, Optional.empty());
  }

  private static IllegalArgumentException invalid(String requested) {
    return new IllegalArgumentException(
        "device must be auto, cpu, gpu or gpu:N (N >= 0) but was '" + requested + "'");
  }
}
