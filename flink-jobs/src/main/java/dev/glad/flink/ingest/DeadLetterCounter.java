package dev.glad.flink.ingest;

import dev.glad.schemas.DeadLetter;
import dev.glad.schemas.DeadLetterReason;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Counts dead letters on their way to the sink: {@code deadLetters} in total and {@code
 * deadLetters.reason.<REASON>} per reason. The one place these metrics are kept.
 */
public final class DeadLetterCounter extends RichMapFunction<DeadLetter, DeadLetter> {
  private static final long serialVersionUID = 1L;

  private transient Counter total;
  private transient Map<DeadLetterReason, Counter> byReason;

  @Override
  public void open(OpenContext openContext) {
    MetricGroup group = getRuntimeContext().getMetricGroup();
    total = group.counter("deadLetters");
    byReason = new EnumMap<>(DeadLetterReason.class);
    MetricGroup reasons = group.addGroup("deadLetters").addGroup("reason");
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      byReason.put(reason, reasons.counter(reason.name()));
    }
  }

  @Override
  public DeadLetter map(DeadLetter deadLetter) {
    total.inc();
    byReason.get(deadLetter.getReason()).inc();
    return deadLetter;
  }
}
