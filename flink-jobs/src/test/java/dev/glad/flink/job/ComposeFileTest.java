package dev.glad.flink.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.ParameterTool;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The job arguments in {@code docker-compose.yml} are settings the job accepts: the file cannot be
 * started on this machine (no Docker engine), so a renamed or removed setting would otherwise only
 * show when someone runs {@code docker compose up}. (CI also parses the file with docker-compose.)
 * The same holds for which DJL and PyTorch jars each TaskManager runs on.
 */
class ComposeFileTest {

  @Test
  void jobArgumentsInTheComposeFileAreValidSettings() throws IOException {
    List<String> args = jobArguments(Files.readString(composeFile()));

    GladJobSettings settings =
        GladJobSettings.fromMap(ParameterTool.fromArgs(args.toArray(String[]::new)).toMap());

    assertThat(settings.explicit(GladJobOptions.MODEL_DIR)).hasValue("/models/glad");
    assertThat(settings.explicit(GladJobOptions.CHUNK_SIZE))
        .as("with a model, c is the artifact's")
        .isEmpty();
  }

  @Test
  void aMistypedSettingInTheComposeCommandIsFound() {
    String compose =
        "command:\n  - |\n    flink run -d /jobs/x-job.jar \\\n      --bootstrap-servers k:9092 --modle-dir /m\n";
    List<String> args = jobArguments(compose);

    assertThat(args).containsExactly("--bootstrap-servers", "k:9092", "--modle-dir", "/m");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                GladJobSettings.fromMap(
                    ParameterTool.fromArgs(args.toArray(String[]::new)).toMap()))
        .hasMessageStartingWith("unknown setting(s) [modle-dir]");
  }

  @Test
  @SuppressWarnings("unchecked")
  void theGpuTaskManagerRunsOnTheCudaProfilesJarsAndTheOthersOnTheDefaultBuilds()
      throws IOException {
    Map<String, Object> services =
        (Map<String, Object>)
            ((Map<String, Object>)
                    new Load(LoadSettings.builder().build())
                        .loadFromString(Files.readString(composeFile())))
                .get("services");
    Map<String, Object> gpu = (Map<String, Object>) services.get("taskmanager-gpu");
    Map<String, Object> cpu = (Map<String, Object>) services.get("taskmanager");

    // scripts/flink-lib.sh writes the default build's jars to .glad/flink-lib, the cuda profile's
    // to .glad/flink-lib-cuda with the CUDA runtime DJL's GPU detection loads in its cuda/
    assertThat((List<String>) cpu.get("volumes"))
        .contains("./.glad/flink-lib:/opt/flink/lib/djl:ro");
    assertThat((List<String>) gpu.get("volumes"))
        .contains("./.glad/flink-lib-cuda:/opt/flink/lib/djl:ro")
        .noneMatch(v -> v.startsWith("./.glad/flink-lib:"));
    assertThat(gpu.get("profiles")).isEqualTo(List.of("gpu"));
    String flinkProperties =
        (String) ((Map<String, Object>) gpu.get("environment")).get("FLINK_PROPERTIES");
    assertThat(flinkProperties)
        .contains("external-resources: gpu")
        .contains("-Djna.library.path=/opt/flink/lib/djl/cuda")
        .contains("classloader.parent-first-patterns.additional: ai.djl.;com.sun.jna.");
    assertThat(Files.readString(composeFile().resolveSibling("scripts/flink-lib.sh")))
        .contains("/.glad/flink-lib-cuda\"")
        .contains("\"$dir/cuda/libcudart.so\"");
  }

  private static Path composeFile() {
    return Path.of(System.getProperty("basedir", ".")).resolve("../docker-compose.yml").normalize();
  }

  /**
   * The arguments after the job jar of the {@code flink run} command, continuation lines joined.
   */
  static List<String> jobArguments(String compose) {
    String[] lines = compose.split("\n");
    StringBuilder command = new StringBuilder();
    boolean inCommand = false;
    for (String line : lines) {
      String text = line.strip();
      if (!inCommand && text.startsWith("flink run")) {
        inCommand = true;
      }
      if (inCommand) {
        boolean continues = text.endsWith("\\");
        command.append(' ').append(continues ? text.substring(0, text.length() - 1) : text);
        if (!continues) {
          break;
        }
      }
    }
    assertThat(command).as("a `flink run` command in the compose file").isNotEmpty();
    List<String> tokens = Arrays.asList(command.toString().strip().split("\\s+"));
    int jar = -1;
    for (int i = 0; i < tokens.size(); i++) {
      if (tokens.get(i).endsWith(".jar")) {
        jar = i;
      }
    }
    assertThat(jar).as("the job jar in `%s`", command).isNotNegative();
    return new ArrayList<>(tokens.subList(jar + 1, tokens.size()));
  }
}
