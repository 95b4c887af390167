package dev.glad.flink.erasure;

import dev.glad.schemas.DeletionAudit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Valid deletion requests go on to the stages that hold the user; the audit records of rejected
 * ones leave through {@link #AUDITS}. Counts both.
 */
public final class SplitDeletions extends ProcessFunction<DecodedDeletion, Erasure> {
  private static final long serialVersionUID = 1L;

  /** Audit records of deletion requests, from every stage that completes or rejects one. */
  public static final OutputTag<DeletionAudit> AUDITS =
      new OutputTag<>("deletion-audits", new AvroTypeInfo<>(DeletionAudit.class));

  private transient Counter requests;
  private transient Counter rejected;

  @Override
  public void open(OpenContext openContext) {
    var metrics = getRuntimeContext().getMetricGroup();
    requests = metrics.counter("deletionRequests");
    rejected = metrics.counter("deletionRequestsRejected");
  }

  @Override
  public void processElement(DecodedDeletion record, Context ctx, Collector<Erasure> out) {
    requests.inc();
    if (record.isValid()) {
      out.collect(record.erasure);
    } else {
      rejected.inc();
      ctx.output(AUDITS, record.rejected);
    }
  }
}
