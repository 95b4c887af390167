package dev.glad.model.workflow;

import dev.glad.model.data.InteractionFormat;
import java.nio.file.Path;

/** What the workflows share about their inputs. */
final class Inputs {
  private Inputs() {}

  /** The given format, or the one the data file's name implies. */
  static InteractionFormat format(Path data, InteractionFormat given) {
    return given != null ? given : InteractionFormat.fromFileName(data.getFileName().toString());
  }
}
