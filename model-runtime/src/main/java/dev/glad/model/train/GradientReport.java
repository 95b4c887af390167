package dev.glad.model.train;

import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Names the gradients that hold non-finite values, for the trainers' skipped-step lines: which
 * parameter, how many NaN and infinite values.
 */
final class GradientReport {
  private GradientReport() {}

  /** One entry per gradient with non-finite values: dense parameters, then the step's rows. */
  static List<String> nonFinite(
      Map<String, Parameter> parameters,
      Map<String, Parameter> moreParameters,
      SparseTokenTable.Step rowsOrNull) {
    List<String> lines = new ArrayList<>();
    for (Map<String, Parameter> group : List.of(parameters, moreParameters)) {
      for (var entry : group.entrySet()) {
        add(lines, entry.getKey(), entry.getValue().getArray().getGradient().toFloatArray());
      }
    }
    if (rowsOrNull != null) {
      add(lines, "tokenEmbedding rows", rowsOrNull.table().getGradient().toFloatArray());
      add(lines, "outputBias rows", rowsOrNull.bias().getGradient().toFloatArray());
    }
    if (lines.isEmpty()) {
      lines.add("every gradient value is finite");
    }
    return lines;
  }

  private static void add(List<String> lines, String name, float[] values) {
    String line = describe(name, values);
    if (line != null) {
      lines.add(line);
    }
  }

  /** E.g. {@code qkvWeight: 3 NaN, 0 infinite of 12288}; null when every value is finite. */
  static String describe(String name, float[] values) {
    long nan = 0;
    long infinite = 0;
    for (float v : values) {
      if (Float.isNaN(v)) {
        nan++;
      } else if (Float.isInfinite(v)) {
        infinite++;
      }
    }
    return nan + infinite == 0
        ? null
        : String.format(
            Locale.ROOT, "%s: %d NaN, %d infinite of %d", name, nan, infinite, values.length);
  }
}
