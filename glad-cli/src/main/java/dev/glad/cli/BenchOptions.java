package dev.glad.cli;

import dev.glad.tools.demo.DemoModel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** What the memory-job benches share: the model, the job's shape, the seed and the JSON file. */
final class BenchOptions {
  @Option(
      names = "--model",
      paramLabel = "DIR",
      description = "a GLAD artifact trained on the generator's items (default: the bench's own)")
  Path model;

  @Option(names = "--model-cache", paramLabel = "DIR", description = "where demo models are kept")
  Path modelCache;

  @Option(names = "--parallelism", defaultValue = "2", description = "the job's parallelism")
  int parallelism;

  @Option(
      names = "--checkpoint-interval",
      defaultValue = "10s",
      converter = Converters.JobDuration.class,
      description = "the job's checkpoint-interval (default: the job's)")
  Duration checkpointInterval;

  @Option(names = "--seed", defaultValue = "42", description = "generator seed")
  long seed;

  @Option(names = "--json", paramLabel = "FILE", description = "write every number as JSON")
  Path json;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "a job setting for every run (repeatable), e.g. --set max-out-of-orderness=1s; the"
              + " settings the bench chooses itself (topics, offsets, the options above) win")
  java.util.Map<String, String> jobSettings = new java.util.LinkedHashMap<>();

  /** {@code --model}, or {@code fallback} trained or reused under the model cache. */
  Path modelOr(DemoModel fallback, PrintStream out) {
    return model != null
        ? model
        : fallback.trainOrReuse(modelCache != null ? modelCache : Glad.defaultModelCache(), out);
  }
}
