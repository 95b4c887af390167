package dev.glad.cli;

import dev.glad.model.data.InteractionFormat;
import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.eval.NegativeProtocol;
import dev.glad.model.memory.GladOptions;
import dev.glad.model.memory.GladVariant;
import dev.glad.model.memory.HeadActivation;
import dev.glad.model.train.SoftmaxMode;
import java.util.Locale;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * Option values read with the model's own parsers, so the command line's messages are the library's
 * (e.g. {@code softmax must be full, sampled or mixed but was 'fast'}).
 */
final class Converters {
  private Converters() {}

  private abstract static class Parsing<T> implements CommandLine.ITypeConverter<T> {
    private final Function<String, T> parser;

    Parsing(Function<String, T> parser) {
      this.parser = parser;
    }

    @Override
    public T convert(String value) {
      try {
        return parser.apply(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** A duration written as the job's settings write it ({@code 500ms}, {@code 10s}, {@code 2m}). */
  static final class JobDuration extends Parsing<java.time.Duration> {
    JobDuration() {
      super(v -> dev.glad.schemas.settings.DurationText.parse("value", v));
    }
  }

  static final class Format extends Parsing<InteractionFormat> {
    Format() {
      super(InteractionFormat::parse);
    }
  }

  static final class Softmax extends Parsing<SoftmaxMode> {
    Softmax() {
      super(SoftmaxMode::parse);
    }
  }

  static final class Negatives extends Parsing<NegativeProtocol> {
    Negatives() {
      super(NegativeProtocol::parse);
    }
  }

  static final class TrainingNegatives extends Parsing<dev.glad.model.train.TrainingNegatives> {
    TrainingNegatives() {
      super(dev.glad.model.train.TrainingNegatives::parse);
    }
  }

  static final class Variant extends Parsing<GladVariant> {
    Variant() {
      super(GladVariant::parse);
    }
  }

  static final class Activation extends Parsing<HeadActivation> {
    Activation() {
      super(HeadActivation::parse);
    }
  }

  static final class Aggregation extends Parsing<GladOptions.Aggregation> {
    Aggregation() {
      super(GladOptions.Aggregation::parse);
    }
  }

  static final class Attention extends Parsing<GladOptions.AttentionNormalisation> {
    Attention() {
      super(GladOptions.AttentionNormalisation::parse);
    }
  }

  static final class AttentiveLayer extends Parsing<GladOptions.AttentiveLayer> {
    AttentiveLayer() {
      super(GladOptions.AttentiveLayer::parse);
    }
  }

  static final class Split extends Parsing<LeaveOneOutSplit.Target> {
    Split() {
      super(
          value ->
              switch (value.toLowerCase(Locale.ROOT)) {
                case "test" -> LeaveOneOutSplit.Target.TEST;
                case "validation", "valid" -> LeaveOneOutSplit.Target.VALIDATION;
                default ->
                    throw new IllegalArgumentException(
                        "split must be test or validation but was '" + value + "'");
              });
    }
  }
}
