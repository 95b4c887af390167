package dev.glad.flink.memory;

import dev.glad.model.encoder.DeviceChoice;
import java.util.List;
import java.util.Optional;

/**
 * Which device a task's encoder uses. A TaskManager that declares Flink's external resource {@code
 * gpu} lists the GPU indices it owns; the configured {@code device} says what is wanted.
 *
 * <ul>
 *   <li>{@code cpu}: the CPU.
 *   <li>{@code auto}: the TaskManager's first GPU when it declares one, else the CPU (no warning: a
 *       CPU-only TaskManager is a normal deployment).
 *   <li>{@code gpu}: the TaskManager's first GPU; {@code gpu:N}: GPU N. Either falls back to the
 *       CPU with a reason when the TaskManager declares no GPU or the engine sees fewer GPUs.
 * </ul>
 */
public final class TaskDevice {
  private TaskDevice() {}

  /**
   * @param configured {@code auto|cpu|gpu|gpu:N}
   * @param taskGpuIndices indices from {@code getExternalResourceInfos("gpu")}
   * @param engineGpuCount GPUs the DJL engine reports
   */
  public static DeviceChoice choose(
      String configured, List<String> taskGpuIndices, int engineGpuCount) {
    String value = configured == null ? "" : configured.strip().toLowerCase(java.util.Locale.ROOT);
    if (value.equals("cpu")) {
      return DeviceChoice.CPU;
    }
    if (value.equals("auto") || value.equals("gpu")) {
      if (taskGpuIndices.isEmpty()) {
        return value.equals("auto")
            ? DeviceChoice.CPU
            : new DeviceChoice(
                -1,
                Optional.of(
                    "device 'gpu' requested but this TaskManager declares no external resource"
                        + " 'gpu'"));
      }
      return DeviceChoice.decide("gpu:" + firstIndex(taskGpuIndices), engineGpuCount);
    }
    // gpu:N or anything else: DeviceChoice validates the form and the engine's GPU count
    return DeviceChoice.decide(value, engineGpuCount);
  }

  private static int firstIndex(List<String> indices) {
    String first = indices.get(0).strip();
    try {
      return Integer.parseInt(first);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "external resource 'gpu' reported a non-numeric index '" + first + "'");
    }
  }
}
