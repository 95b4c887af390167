package dev.glad.flink.memory;

import dev.glad.flink.chunk.ChunkOrErasure;
import dev.glad.schemas.ClusterMemory;
import dev.glad.schemas.CompletedChunk;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Encodes completed chunks in micro-batches across users — one forward pass per batch — and assigns
 * each to its nearest centroid in the same pass. Input 1: completed chunks; input 2: cluster
 * updates (broadcast), which move the centroids used for assignment.
 *
 * <p>A batch is flushed when it holds {@code batchSize} chunks, when the oldest chunk has waited
 * {@code maxWaitMillis}, before a watermark is forwarded, and at the end of input. Chunks waiting
 * in the buffer at a checkpoint are stored in operator state and flushed after a restore, so
 * nothing in flight is lost or encoded twice. An erasure flushes the batch and then passes on, so
 * it follows the user's chunks that came before it. The cluster table is checkpointed as broadcast
 * state: restored tasks assign with the centroids they had.
 *
 * <p>Metrics: {@code chunksEncoded}, {@code encoderBatchSize}, {@code encoderLatencyMs} (per
 * forward pass), {@code clusterFeedbackDelayMs} (from a cluster update to its arrival here), {@code
 * unknownItems}, {@code modelVersion}, {@code encoderDevice}.
 */
public final class ChunkEncoderOperator extends AbstractStreamOperator<EncodedOrErasure>
    implements TwoInputStreamOperator<ChunkOrErasure, ClusterMemory, EncodedOrErasure>,
        BoundedMultiInput {
  private static final long serialVersionUID = 1L;

  /** Broadcast state of the cluster updates this task has seen. */
  static final MapStateDescriptor<Integer, ClusterMemory> CLUSTER_UPDATES =
      new MapStateDescriptor<>(
          "encoder-cluster-updates", Types.INT, new AvroTypeInfo<>(ClusterMemory.class));

  private final StreamingModel.Factory modelFactory;
  private final String runId;
  private final int batchSize;
  private final long maxWaitMillis;

  private transient StreamingModel model;
  private transient ClusterTable clusters;
  private transient List<CompletedChunk> buffer;
  private transient ListState<CompletedChunk> bufferState;
  private transient BroadcastState<Integer, ClusterMemory> clusterUpdates;
  private transient boolean flushScheduled;

  private transient Counter chunksEncoded;
  private transient Histogram batchSizes;
  private transient Histogram latencies;
  private transient Histogram feedbackDelays;

  /**
   * @param runId the job run's id: the cluster table applies only this run's updates
   */
  public ChunkEncoderOperator(
      StreamingModel.Factory modelFactory, String runId, int batchSize, long maxWaitMillis) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    if (maxWaitMillis < 0) {
      throw new IllegalArgumentException("maxWaitMillis must be >= 0, got " + maxWaitMillis);
    }
    this.modelFactory = modelFactory;
    this.runId = runId;
    this.batchSize = batchSize;
    this.maxWaitMillis = maxWaitMillis;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    bufferState =
        context
            .getOperatorStateStore()
            .getListState(
                new ListStateDescriptor<>(
                    "encoder-buffer", new AvroTypeInfo<>(CompletedChunk.class)));
    clusterUpdates = context.getOperatorStateStore().getBroadcastState(CLUSTER_UPDATES);
    buffer = new ArrayList<>();
    for (CompletedChunk chunk : bufferState.get()) {
      buffer.add(chunk);
    }
  }

  @Override
  public void open() throws Exception {
    super.open();
    List<String> gpus = new ArrayList<>();
    Set<ExternalResourceInfo> infos = getRuntimeContext().getExternalResourceInfos("gpu");
    for (ExternalResourceInfo info : infos) {
      info.getProperty("index").ifPresent(gpus::add);
    }
    model = modelFactory.open(gpus);
    clusters = new ClusterTable(model, runId);
    for (Map.Entry<Integer, ClusterMemory> e : clusterUpdates.entries()) {
      clusters.restore(e.getValue());
    }
    MetricGroup metrics = getRuntimeContext().getMetricGroup();
    chunksEncoded = metrics.counter("chunksEncoded");
    metrics.meter("chunksEncodedPerSecond", new MeterView(chunksEncoded));
    batchSizes = metrics.histogram("encoderBatchSize", new DescriptiveStatisticsHistogram(1_000));
    latencies = metrics.histogram("encoderLatencyMs", new DescriptiveStatisticsHistogram(1_000));
    feedbackDelays =
        metrics.histogram("clusterFeedbackDelayMs", new DescriptiveStatisticsHistogram(1_000));
    metrics.gauge("unknownItems", () -> model.unknownItems());
    metrics.gauge("clusterUpdatesRejected", () -> clusters.rejectedUpdates());
    metrics.gauge("clusterUpdatesOfOtherRuns", () -> clusters.otherRunUpdates());
    metrics.gauge("encoderBuffered", () -> buffer.size());
    String version = model.modelVersion();
    metrics.gauge("modelVersion", () -> version);
    String device = model.device();
    metrics.gauge("encoderDevice", () -> device);
    if (!buffer.isEmpty()) {
      scheduleFlush();
    }
  }

  @Override
  public void processElement1(StreamRecord<ChunkOrErasure> element) throws Exception {
    ChunkOrErasure in = element.getValue();
    if (!in.isChunk()) {
      flush();
      output.collect(new StreamRecord<>(EncodedOrErasure.of(in.erasure)));
      return;
    }
    buffer.add(in.chunk);
    if (buffer.size() >= batchSize) {
      flush();
    } else {
      scheduleFlush();
    }
  }

  @Override
  public void processElement2(StreamRecord<ClusterMemory> element) throws Exception {
    ClusterMemory update = element.getValue();
    if (clusters.apply(update)) {
      clusterUpdates.put(update.getClusterId(), update);
      feedbackDelays.update(
          Math.max(
              0,
              getProcessingTimeService().getCurrentProcessingTime()
                  - update.getUpdateTime().toEpochMilli()));
    }
  }

  /** Chunk watermarks pass on after the buffer, so no chunk falls behind its watermark. */
  @Override
  public void processWatermark1(Watermark mark) throws Exception {
    flush();
    output.emitWatermark(mark);
  }

  /** The cluster-update input carries no event time. */
  @Override
  public void processWatermark2(Watermark mark) {}

  @Override
  public void endInput(int inputId) throws Exception {
    if (inputId == 1) {
      flush();
    }
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    bufferState.update(buffer);
  }

  private void scheduleFlush() {
    if (flushScheduled) {
      return;
    }
    flushScheduled = true;
    long at = getProcessingTimeService().getCurrentProcessingTime() + maxWaitMillis;
    getProcessingTimeService()
        .registerTimer(
            at,
            time -> {
              flushScheduled = false;
              flush();
            });
  }

  private void flush() {
    if (buffer.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    List<List<String>> items = new ArrayList<>(buffer.size());
    for (CompletedChunk chunk : buffer) {
      items.add(chunk.getItemIds());
    }
    float[][] embeddings = model.encode(items);
    int[] nearest = model.nearestClusters(embeddings, clusters.centroids());
    latencies.update((System.nanoTime() - start) / 1_000_000);
    batchSizes.update(buffer.size());
    for (int i = 0; i < buffer.size(); i++) {
      CompletedChunk chunk = buffer.get(i);
      int j = nearest[i];
      output.collect(
          new StreamRecord<>(
              EncodedOrErasure.of(
                  new EncodedChunk(
                          chunk.getUserId(),
                          chunk.getSequenceNumber(),
                          embeddings[i],
                          j,
                          clusters.clusterSize(j),
                          chunk.getFirstEventTime().toEpochMilli(),
                          chunk.getLastEventTime().toEpochMilli(),
                          chunk.getLastIngestTime().toEpochMilli())
                      .withItemIds(chunk.getItemIds().toArray(String[]::new))),
              // event time of the chunk's newest item: the Kafka timestamp of what it produces
              chunk.getLastEventTime().toEpochMilli()));
    }
    chunksEncoded.inc(buffer.size());
    buffer.clear();
  }

  @Override
  public void close() throws Exception {
    try {
      if (model != null) {
        model.close();
      }
    } finally {
      super.close();
    }
  }
}
