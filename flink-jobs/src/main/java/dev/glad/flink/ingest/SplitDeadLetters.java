package dev.glad.flink.ingest;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Valid events go on; dead letters leave through {@link DeadLetters#TAG}. Counts events in and
 * their rate.
 */
public final class SplitDeadLetters extends ProcessFunction<DecodedRecord, IngestedEvent> {
  private static final long serialVersionUID = 1L;

  private transient Counter eventsIn;

  @Override
  public void open(OpenContext openContext) {
    var metrics = getRuntimeContext().getMetricGroup();
    eventsIn = metrics.counter("eventsIn");
    // a per-second rate over the last minute, as Flink's own numRecordsInPerSecond
    metrics.meter("eventsPerSecond", new MeterView(eventsIn));
  }

  @Override
  public void processElement(DecodedRecord record, Context ctx, Collector<IngestedEvent> out) {
    eventsIn.inc();
    if (record.isValid()) {
      out.collect(record.event);
    } else {
      ctx.output(DeadLetters.TAG, record.deadLetter);
    }
  }
}
