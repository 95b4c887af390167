package dev.glad.flink.memory;

import dev.glad.flink.state.ClusterState;
import dev.glad.schemas.ClusterAssignment;
import dev.glad.schemas.ClusterMemory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * The cluster nodes of the graph memory, keyed by cluster id. Every delta is applied in order as it
 * arrives: sequential k-means on the centroid when a chunk joins, the user-side sum moved by the
 * user-sum delta. What leaves is coalesced: a changed cluster is published as one {@link
 * ClusterMemory} record per {@code publishIntervalMillis} (0: after every delta), so the records
 * written to the compacted cluster-memory topic and broadcast back to every encoder and user-memory
 * subtask grow with the number of clusters that change, not with the event rate.
 *
 * <p>Keyed state {@code cluster-memory} ({@link ClusterState}, Avro), initialised from the artifact
 * on a cluster's first delta; no TTL: there are K clusters. The subtask works on its clusters in
 * memory ({@link ClusterNodeState}: plain arrays, read from the state once) and writes the ones
 * that changed back to the keyed state when a checkpoint is taken: a delta used to cost an Avro
 * read, a deep copy and an Avro write of two e-vectors of boxed floats, the largest share of the
 * job's CPU in the profile of docs/BENCHMARKS.md. What a checkpoint holds is the same. Every chunk
 * that joins a cluster is reported on {@link #ASSIGNMENTS} (audit: the order of the k-means steps).
 *
 * <p>Runs: records carry the job run's id ({@code runId}); the cluster tables downstream apply only
 * their own run's records. A run restored from a checkpoint or savepoint therefore republishes
 * every cluster node it holds under its own id at start, so its tables and the compacted topic
 * agree with its restored state (and records an abandoned run committed after that checkpoint are
 * superseded, not applied).
 *
 * <p>Dirty clusters not yet published live only in memory: after a failure the restored run
 * republishes every node anyway. At the end of a bounded input every dirty cluster is published.
 *
 * <p>Metrics: {@code clusterUpdates} (deltas applied), {@code clusterRecordsPublished}, {@code
 * clusterFeedbackLag} (k-means steps of the assigned cluster that the assignment did not see).
 */
public final class ClusterMemoryOperator extends AbstractStreamOperator<ClusterMemory>
    implements OneInputStreamOperator<ClusterDelta, ClusterMemory>, BoundedOneInput {
  private static final long serialVersionUID = 1L;

  public static final OutputTag<ClusterAssignment> ASSIGNMENTS =
      new OutputTag<>("cluster-assignments") {};

  static final ValueStateDescriptor<ClusterState> STATE = stateDescriptor();

  /** A cluster node: the descriptor savepoint readers use too. */
  public static ValueStateDescriptor<ClusterState> stateDescriptor() {
    return new ValueStateDescriptor<>("cluster-memory", new AvroTypeInfo<>(ClusterState.class));
  }

  private final StreamingModel.Factory modelFactory;
  private final String runId;
  private final long publishIntervalMillis;

  private transient StreamingModel model;
  private transient ValueState<ClusterState> state;

  /** The clusters this subtask has touched since it started, by id. */
  private transient Map<Integer, ClusterNodeState> nodes;

  /** Clusters changed since the last checkpoint: written to the keyed state in snapshotState. */
  private transient Set<Integer> unsaved;

  /** Clusters changed since the last publication. */
  private transient Set<Integer> dirty;

  private transient boolean tickScheduled;
  private transient boolean restored;
  private transient Counter updates;
  private transient Counter published;
  private transient Histogram feedbackLag;

  /**
   * @param runId the job run's id, written into every record
   * @param publishIntervalMillis publish each changed cluster at most once per this interval (0:
   *     after every delta)
   */
  public ClusterMemoryOperator(
      StreamingModel.Factory modelFactory, String runId, long publishIntervalMillis) {
    if (publishIntervalMillis < 0) {
      throw new IllegalArgumentException(
          "publishIntervalMillis must be >= 0, got " + publishIntervalMillis);
    }
    this.modelFactory = modelFactory;
    this.runId = runId;
    this.publishIntervalMillis = publishIntervalMillis;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    restored = context.isRestored();
  }

  @Override
  public void open() throws Exception {
    super.open();
    model = modelFactory.openOnCpu();
    state = getPartitionedState(STATE);
    nodes = new HashMap<>();
    unsaved = new HashSet<>();
    dirty = new LinkedHashSet<>();
    var metrics = getRuntimeContext().getMetricGroup();
    updates = metrics.counter("clusterUpdates");
    published = metrics.counter("clusterRecordsPublished");
    feedbackLag =
        metrics.histogram("clusterFeedbackLag", new DescriptiveStatisticsHistogram(10_000));
    if (restored) {
      republishAll();
    }
  }

  /** Publishes every cluster node this subtask holds, under this run's id. */
  private void republishAll() throws Exception {
    long now = getProcessingTimeService().getCurrentProcessingTime();
    List<ClusterMemory> records = new ArrayList<>();
    getKeyedStateBackend()
        .applyToAllKeys(
            VoidNamespace.INSTANCE,
            VoidNamespaceSerializer.INSTANCE,
            STATE,
            (Object key, ValueState<ClusterState> node) -> {
              ClusterState s = node.value();
              if (s != null && s.getModelVersion().equals(model.modelVersion())) {
                ClusterNodeState restoredNode = ClusterNodeState.of(s, model, (Integer) key);
                nodes.put((Integer) key, restoredNode);
                records.add(record((Integer) key, restoredNode, now));
              }
            });
    for (ClusterMemory r : records) {
      output.collect(new StreamRecord<>(r));
      published.inc();
    }
  }

  @Override
  public void processElement(StreamRecord<ClusterDelta> element) throws Exception {
    ClusterDelta delta = element.getValue();
    int j = delta.clusterId;
    ClusterNodeState node = nodes.get(j);
    if (node == null) {
      node = ClusterNodeState.of(state.value(), model, j);
      nodes.put(j, node);
    }
    long sizeBefore = node.size();
    node.apply(model, delta);
    long now = getProcessingTimeService().getCurrentProcessingTime();
    if (delta.joinsCluster()) {
      feedbackLag.update(Math.max(0, sizeBefore - delta.clusterSizeSeen));
      output.collect(
          ASSIGNMENTS,
          new StreamRecord<>(
              ClusterAssignment.newBuilder()
                  .setClusterId(j)
                  .setModelVersion(model.modelVersion())
                  .setSizeAfter(node.size())
                  .setSizeSeenByEncoder(delta.clusterSizeSeen)
                  .setUserId(delta.userId)
                  .setSequenceNumber(delta.sequenceNumber)
                  .setChunkEmbedding(Vectors.toList(delta.chunkEmbedding))
                  .setAssignTime(Instant.ofEpochMilli(now))
                  .build()));
    }
    unsaved.add(j);
    updates.inc();
    if (publishIntervalMillis == 0) {
      output.collect(new StreamRecord<>(record(j, node, now)));
      published.inc();
    } else {
      dirty.add(j);
      scheduleTick();
    }
  }

  /**
   * The changed clusters go into the keyed state here: Flink calls this before it snapshots the
   * keyed state backend, in the task thread, so the checkpoint (or savepoint) holds them.
   */
  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    for (int j : unsaved) {
      setCurrentKey(j);
      state.update(nodes.get(j).toState(model.modelVersion()));
    }
    unsaved.clear();
    super.snapshotState(context);
  }

  private void scheduleTick() {
    if (tickScheduled) {
      return;
    }
    tickScheduled = true;
    getProcessingTimeService()
        .registerTimer(
            getProcessingTimeService().getCurrentProcessingTime() + publishIntervalMillis,
            time -> {
              tickScheduled = false;
              publishDirty();
            });
  }

  /** One record for each cluster changed since the last publication. */
  private void publishDirty() throws Exception {
    long now = getProcessingTimeService().getCurrentProcessingTime();
    for (int j : dirty) {
      output.collect(new StreamRecord<>(record(j, nodes.get(j), now)));
      published.inc();
    }
    dirty.clear();
  }

  @Override
  public void endInput() throws Exception {
    publishDirty();
  }

  private ClusterMemory record(int clusterId, ClusterNodeState node, long now) {
    return ClusterMemory.newBuilder()
        .setClusterId(clusterId)
        .setModelVersion(model.modelVersion())
        .setCentroid(Vectors.toList(node.centroid()))
        .setHCE1(Vectors.toList(model.clusterHidden(node.centroid(), node.userSum(), node.size())))
        .setSize(node.size())
        .setUpdateTime(Instant.ofEpochMilli(now))
        .setVersion(node.version())
        .setRunId(runId)
        .build();
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
