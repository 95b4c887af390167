package dev.glad.flink.memory;

import dev.glad.flink.state.ClusterState;
import dev.glad.schemas.ClusterAssignment;
import dev.glad.schemas.ClusterMemory;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The cluster nodes of the graph memory, keyed by cluster id: sequential k-means on the centroid
 * when a chunk joins, the user-side sum moved by deltas, h_CE^1 recomputed, and the node emitted as
 * a {@link ClusterMemory} record (the compacted cluster-memory topic, which also feeds the encoder
 * and the user nodes back as a broadcast stream).
 *
 * <p>Keyed state {@code cluster-memory} ({@link ClusterState}, Avro), initialised from the artifact
 * on a cluster's first update; no TTL: there are K clusters. Every chunk that joins a cluster is
 * also reported on {@link #ASSIGNMENTS} (audit: the order of the k-means steps).
 *
 * <p>Metrics: {@code clusterUpdates}, {@code clusterFeedbackLag} (k-means steps of the assigned
 * cluster that the assignment did not see: the staleness of the centroids it used).
 */
public final class ClusterMemoryFunction
    extends KeyedProcessFunction<Integer, ClusterDelta, ClusterMemory> {
  private static final long serialVersionUID = 1L;

  public static final OutputTag<ClusterAssignment> ASSIGNMENTS =
      new OutputTag<>("cluster-assignments") {};

  private final StreamingModel.Factory modelFactory;

  private transient StreamingModel model;
  private transient ValueState<ClusterState> clusterState;
  private transient Counter updates;
  private transient Histogram feedbackLag;

  public ClusterMemoryFunction(StreamingModel.Factory modelFactory) {
    this.modelFactory = modelFactory;
  }

  @Override
  public void open(OpenContext openContext) {
    model = modelFactory.openOnCpu();
    clusterState =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>(
                    "cluster-memory", new AvroTypeInfo<>(ClusterState.class)));
    updates = getRuntimeContext().getMetricGroup().counter("clusterUpdates");
    feedbackLag =
        getRuntimeContext()
            .getMetricGroup()
            .histogram("clusterFeedbackLag", new DescriptiveStatisticsHistogram(10_000));
  }

  @Override
  public void processElement(ClusterDelta delta, Context ctx, Collector<ClusterMemory> out)
      throws Exception {
    int j = ctx.getCurrentKey();
    ClusterState state = clusterState.value();
    if (state == null || !state.getModelVersion().equals(model.modelVersion())) {
      StreamingModel.ClusterNode node = model.initialCluster(j);
      state =
          ClusterState.newBuilder()
              .setModelVersion(model.modelVersion())
              .setCentroid(Vectors.toList(node.centroid()))
              .setSize(node.size())
              .setUserSum(Vectors.toList(node.userSum()))
              .setVersion(0)
              .build();
    }
    float[] centroid = Vectors.toArray(state.getCentroid());
    long size = state.getSize();
    long now = ctx.timerService().currentProcessingTime();
    if (delta.joinsCluster()) {
      feedbackLag.update(Math.max(0, size - delta.clusterSizeSeen));
      centroid = model.centroidAfterChunk(centroid, size, delta.chunkEmbedding);
      size++;
      ctx.output(
          ASSIGNMENTS,
          ClusterAssignment.newBuilder()
              .setClusterId(j)
              .setModelVersion(model.modelVersion())
              .setSizeAfter(size)
              .setSizeSeenByEncoder(delta.clusterSizeSeen)
              .setUserId(delta.userId)
              .setSequenceNumber(delta.sequenceNumber)
              .setChunkEmbedding(Vectors.toList(delta.chunkEmbedding))
              .setAssignTime(Instant.ofEpochMilli(now))
              .build());
    }
    float[] userSum = Vectors.plus(Vectors.toArray(state.getUserSum()), delta.userSumDelta);
    long version = state.getVersion() + 1;
    clusterState.update(
        ClusterState.newBuilder(state)
            .setCentroid(Vectors.toList(centroid))
            .setSize(size)
            .setUserSum(Vectors.toList(userSum))
            .setVersion(version)
            .build());
    out.collect(
        ClusterMemory.newBuilder()
            .setClusterId(j)
            .setModelVersion(model.modelVersion())
            .setCentroid(Vectors.toList(centroid))
            .setHCE1(Vectors.toList(model.clusterHidden(centroid, userSum, size)))
            .setSize(size)
            .setUpdateTime(Instant.ofEpochMilli(now))
            .setVersion(version)
            .build());
    updates.inc();
  }

  @Override
  public void close() throws Exception {
    if (model != null) {
      model.close();
    }
    super.close();
  }
}
