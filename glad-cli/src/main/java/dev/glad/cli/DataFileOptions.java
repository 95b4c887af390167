package dev.glad.cli;

import dev.glad.model.data.InteractionFormat;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --data FILE [--format pairs|recbole]}: the interaction file of train, evaluate, replay.
 */
final class DataFileOptions {
  @Option(names = "--data", required = true, paramLabel = "FILE", description = "interactions")
  Path data;

  @Option(
      names = "--format",
      paramLabel = "pairs|recbole",
      converter = Converters.Format.class,
      description = "file format (default: recbole for *.inter, else pairs)")
  InteractionFormat format;

  /** The given format, or the one the file name implies. */
  InteractionFormat formatOrFromName() {
    return format != null ? format : InteractionFormat.fromFileName(data.getFileName().toString());
  }
}
