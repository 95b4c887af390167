package dev.glad.it;

import dev.glad.tools.demo.DemoModel;
import dev.glad.tools.generator.SyntheticInteractions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A small GLAD model trained once per test JVM with the real trainer on the synthetic generator's
 * history (planted interests), kept under {@code target/} so a rerun reuses it.
 */
final class TestModels {
  static final DemoModel TINY =
      new DemoModel(
          120, 6_000, 16, 5, 3, 1, 1_500, 7, SyntheticInteractions.Settings.DEFAULT_ITEMS);

  /** The same shapes trained from another seed: the model a test upgrades to. */
  static final DemoModel TINY_OTHER_SEED =
      new DemoModel(
          120, 6_000, 16, 5, 3, 1, 1_500, 8, SyntheticInteractions.Settings.DEFAULT_ITEMS);

  private static Path trained;
  private static Path trainedOtherSeed;

  private TestModels() {}

  static synchronized Path tiny() {
    if (trained == null) {
      trained = train(TINY);
    }
    return trained;
  }

  /** {@link #TINY_OTHER_SEED}, trained once per test JVM. */
  static synchronized Path tinyOtherSeed() {
    if (trainedOtherSeed == null) {
      trainedOtherSeed = train(TINY_OTHER_SEED);
    }
    return trainedOtherSeed;
  }

  private static Path train(DemoModel model) {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try {
      return model.trainOrReuse(
          Path.of("target", "it-models").toAbsolutePath(),
          new PrintStream(log, true, StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "training the test model failed:\n" + log.toString(StandardCharsets.UTF_8), e);
    }
  }
}
