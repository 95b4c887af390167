package dev.glad.flink.memory;

import dev.glad.schemas.ClusterMemory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link UserMemoryFunction} (Flink's keyed-broadcast operator) and adds the background model
 * upgrade: at start, every user of this subtask whose memory another model version wrote is queued,
 * and the queue is worked off {@value #USERS_PER_STEP} users per mailbox step, between the records
 * and checkpoints of the live stream. Each such user's memory is rebuilt from its stored chunks
 * under the new model and published with the next sequence number; until then consumers keep the
 * old version's record. A user whose chunk arrives first is rebuilt on that chunk.
 *
 * <p>The queue is not checkpointed: after a restore the scan finds the users still left (the
 * rebuilt ones carry the new version). The scan reads every user's state of the subtask, so it runs
 * only when it can find something: each checkpoint records, in union list state {@code
 * user-memory-model-versions}, the model version every subtask runs and a marker while its queue is
 * not empty; a restore whose record holds only this job's version skips it (a restart or a rescale
 * under the same model). A state without the record (written before it existed, or by the
 * bootstrap) is scanned. It subclasses Flink's operator because a process function cannot list the
 * keys of its state nor run work outside an element.
 *
 * <p>Metrics: {@code usersToUpgrade} (left in the queue), {@code usersToUpgradeAtStart}, {@code
 * usersScannedAtStart}, {@code usersUpgradedInBackground}; the log reports progress with rate and
 * ETA every 10 s.
 */
public final class UserMemoryOperator
    extends CoBroadcastWithKeyedOperator<
        String, EncodedOrErasure, ClusterMemory, UserMemoryOrTombstone> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(UserMemoryOperator.class);

  /** Users rebuilt per mailbox step: small, so records and barriers wait little between steps. */
  static final int USERS_PER_STEP = 16;

  private static final long LOG_EVERY_NANOS = 10_000_000_000L;

  /**
   * Model versions that this job's users may hold, one entry per subtask and version (union list:
   * every subtask sees all entries after a restore, whatever the parallelism).
   */
  static final ListStateDescriptor<String> MEMORY_VERSIONS =
      new ListStateDescriptor<>("user-memory-model-versions", Types.STRING);

  /** The entry of a subtask whose queue was not empty: users of some other version are left. */
  private static final String USERS_LEFT_TO_UPGRADE = "";

  private transient ListState<String> memoryVersions;
  private transient List<String> restoredVersions;
  private transient boolean restored;
  private transient long scanned;

  private transient ArrayDeque<String> stale;
  private transient long total;
  private transient long done;
  private transient long startedNanos;
  private transient long loggedNanos;
  private transient Counter upgradedInBackground;
  private transient TimestampedCollector<UserMemoryOrTombstone> collector;

  public UserMemoryOperator(UserMemoryFunction function) {
    super(function, List.of(UserMemoryFunction.CLUSTER_UPDATES));
  }

  private UserMemoryFunction function() {
    return (UserMemoryFunction) getUserFunction();
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    restored = context.isRestored();
    memoryVersions = context.getOperatorStateStore().getUnionListState(MEMORY_VERSIONS);
    restoredVersions = new ArrayList<>();
    memoryVersions.get().forEach(restoredVersions::add);
  }

  /** Whether the restored state may hold users of another model version than {@code version}. */
  static boolean mayHoldOtherVersions(boolean restored, List<String> recorded, String version) {
    return restored && (recorded.isEmpty() || recorded.stream().anyMatch(v -> !v.equals(version)));
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    String version = function().modelVersion();
    memoryVersions.update(
        stale.isEmpty() ? List.of(version) : List.of(version, USERS_LEFT_TO_UPGRADE));
  }

  /** Users whose state the start-up scan read (0 when it was skipped). */
  long usersScannedAtStart() {
    return scanned;
  }

  @Override
  public void open() throws Exception {
    super.open();
    collector = new TimestampedCollector<>(output);
    collector.eraseTimestamp();
    upgradedInBackground = getMetricGroup().counter("usersUpgradedInBackground");
    stale = new ArrayDeque<>();
    getMetricGroup().gauge("usersToUpgrade", () -> stale.size());
    getMetricGroup().gauge("usersToUpgradeAtStart", () -> total);
    getMetricGroup().gauge("upgradeEtaSeconds", this::etaSeconds);
    getMetricGroup().gauge("usersScannedAtStart", () -> scanned);
    if (!mayHoldOtherVersions(restored, restoredVersions, function().modelVersion())) {
      return;
    }
    List<String> keys = new ArrayList<>();
    try (Stream<Object> all =
        getKeyedStateBackend()
            .getKeys(UserMemoryFunction.userStateDescriptor().getName(), VoidNamespace.INSTANCE)) {
      all.forEach(k -> keys.add((String) k));
    }
    scanned = keys.size();
    for (String key : keys) {
      setCurrentKey(key);
      if (function().currentUserIsStale()) {
        stale.add(key);
      }
    }
    total = stale.size();
    if (total > 0) {
      LOG.info(
          "{} users of this subtask hold memories of another model version: rebuilding them in"
              + " the background",
          total);
      startedNanos = System.nanoTime();
      loggedNanos = startedNanos;
      scheduleStep();
    }
  }

  /** Seconds until the queue is empty at the rate so far (0 when it is). */
  private long etaSeconds() {
    if (stale.isEmpty() || done == 0) {
      return 0;
    }
    double rate = done / Math.max(1e-9, (System.nanoTime() - startedNanos) / 1e9);
    return Math.round(stale.size() / rate);
  }

  private void scheduleStep() {
    long now = getProcessingTimeService().getCurrentProcessingTime();
    getProcessingTimeService().registerTimer(now, time -> step());
  }

  private void step() throws Exception {
    BroadcastState<Integer, ClusterMemory> clusterUpdates =
        getOperatorStateBackend().getBroadcastState(UserMemoryFunction.CLUSTER_UPDATES);
    long now = getProcessingTimeService().getCurrentProcessingTime();
    for (int n = 0; n < USERS_PER_STEP && !stale.isEmpty(); n++) {
      String key = stale.poll();
      setCurrentKey(key);
      if (function()
          .upgradeCurrentUser(
              key,
              clusterUpdates,
              now,
              collector,
              d -> output.collect(UserMemoryFunction.CLUSTER_DELTAS, new StreamRecord<>(d)))) {
        upgradedInBackground.inc();
      }
      done++;
    }
    long nanos = System.nanoTime();
    if (stale.isEmpty() || nanos - loggedNanos > LOG_EVERY_NANOS) {
      loggedNanos = nanos;
      double seconds = Math.max(1e-9, (nanos - startedNanos) / 1e9);
      double rate = done / seconds;
      LOG.info(
          "model upgrade: {} / {} users rebuilt ({} /s, ETA {} s)",
          done,
          total,
          Math.round(rate),
          Math.round(stale.size() / Math.max(rate, 1e-9)));
    }
    if (!stale.isEmpty()) {
      scheduleStep();
    }
  }
}
