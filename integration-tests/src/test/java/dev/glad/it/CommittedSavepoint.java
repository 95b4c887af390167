package dev.glad.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glad.flink.job.GladJob;
import dev.glad.flink.memory.StoredChunks;
import dev.glad.flink.memory.UserMemoryFunction;
import dev.glad.flink.state.UserState;
import dev.glad.it.MemoryRuns.Mode;
import dev.glad.it.MemoryRuns.Output;
import dev.glad.schemas.ClusterEdge;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.UserMemory;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.tools.kafka.TopicAdmin;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.util.Collector;

/**
 * The savepoint committed under {@code src/test/resources/savepoint-v1}: taken by this version of
 * the job mid-stream (frozen clusters, parallelism 2) on the first half of {@link MemoryRuns}'
 * events with the first event at {@link #FIRST_EVENT}, with the model it ran (copied beside it).
 * {@link SavepointFixture} writes it; {@link CommittedSavepointITCase} and {@link
 * StateEvolutionITCase} restore it. Regenerate it only for a deliberate, documented break of state
 * compatibility (docs/OPERATIONS.md).
 *
 * <p>The memory the savepoint holds was published to a broker that is gone, so a restored run
 * publishes only what comes after it: the checks here join the two, the savepoint's user states
 * (read with the State Processor API) and the restored run's updates, and compare them with an
 * uninterrupted run.
 */
final class CommittedSavepoint {
  static final String TOPIC_PREFIX = "fixture.";
  static final long FIRST_EVENT = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();
  static final String RESOURCE = "savepoint-v1";

  private CommittedSavepoint() {}

  /**
   * A restore of the fixture about to happen on {@code kafka}: the uninterrupted run of every event
   * (the reference), the memory the savepoint holds, and the fixture's topics holding every event.
   */
  static Restore prepareRestore(KafkaTestBroker kafka) throws Exception {
    Path root = root();
    MemoryRuns runs = new MemoryRuns(kafka, model(root), FIRST_EVENT);
    Output uninterrupted = runs.uninterrupted(Mode.FROZEN);
    Map<String, UserState> atSavepoint = userStates(savepoint(root));
    return new Restore(
        runs, uninterrupted, atSavepoint, topicsWithAllEvents(kafka, runs), savepoint(root));
  }

  /**
   * @param runs the fixture's events and model
   * @param uninterrupted the reference
   * @param atSavepoint every user's state in the savepoint
   * @param topics the fixture's topics, every event in them
   * @param savepoint where the savepoint is
   */
  record Restore(
      MemoryRuns runs,
      Output uninterrupted,
      Map<String, UserState> atSavepoint,
      GladTopics topics,
      Path savepoint) {

    /** The user-memory updates the restored job owes. */
    long updatesOwed() {
      return updatesAfter(atSavepoint, uninterrupted);
    }

    /**
     * The memory at the savepoint, continued by what the restored job committed, is the reference.
     */
    void assertContinuesToUninterrupted() {
      CommittedSavepoint.assertContinuesToUninterrupted(
          atSavepoint, runs.output(topics, Mode.FROZEN).userUpdates(), uninterrupted);
    }
  }

  /** The fixture's root directory on the test classpath. */
  static Path root() {
    try {
      return Path.of(CommittedSavepoint.class.getResource("/" + RESOURCE).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path model(Path root) {
    return root.resolve("model");
  }

  static Path savepoint(Path root) {
    return root.resolve("savepoint");
  }

  /**
   * The fixture's topics on {@code kafka}, holding every event in the order and partitions the
   * fixture's job read them (so the savepoint's offsets point at the same records).
   */
  static GladTopics topicsWithAllEvents(KafkaTestBroker kafka, MemoryRuns runs) {
    GladTopics topics = GladTopics.withPrefix(TOPIC_PREFIX);
    TopicAdmin.createMissing(kafka.bootstrapServers(), topics, 4, (short) 1);
    kafka.send(topics.interactions(), runs.slice(0, 0.5), InteractionEvent::getUserId);
    kafka.send(topics.interactions(), runs.slice(0.5, 1), InteractionEvent::getUserId);
    return topics;
  }

  /** Every user's state in the {@code user-memory} operator of a savepoint. */
  static Map<String, UserState> userStates(Path savepoint) throws Exception {
    Map<String, UserState> states = new HashMap<>();
    for (UserStateRead s : readUserMemory(savepoint, new UserStates())) {
      assertThat(states.put(s.userId(), s.state())).isNull();
    }
    return states;
  }

  /** What {@code reader} makes of each user's key and state in {@code user-memory}. */
  static <T> List<T> readUserMemory(Path savepoint, KeyedStateReaderFunction<String, T> reader)
      throws Exception {
    return SavepointStates.read(savepoint, GladJob.USER_MEMORY_UID, reader);
  }

  /** The user-memory updates a run restored from a savepoint with {@code atSavepoint} owes. */
  static long updatesAfter(Map<String, UserState> atSavepoint, Output uninterrupted) {
    long all =
        MemoryRuns.lastPerUser(uninterrupted.userUpdates()).values().stream()
            .mapToLong(UserMemory::getSequenceNumber)
            .sum();
    return all - atSavepoint.values().stream().mapToLong(UserState::getSequenceNumber).sum();
  }

  /**
   * The memory at the savepoint followed by the restored run's updates is the uninterrupted run's
   * memory (frozen clusters): each user's updates continue the savepoint's sequence number with no
   * gap or repeat, and each user's final memory (the last update, or the savepoint's state when no
   * chunk completed after it) equals the uninterrupted run's within {@link MemoryRuns#TOLERANCE}.
   */
  static void assertContinuesToUninterrupted(
      Map<String, UserState> atSavepoint, List<UserMemory> restored, Output uninterrupted) {
    Map<String, List<Long>> sequenceNumbers =
        restored.stream()
            .collect(
                Collectors.groupingBy(
                    UserMemory::getUserId,
                    Collectors.mapping(UserMemory::getSequenceNumber, Collectors.toList())));
    sequenceNumbers.forEach(
        (user, seqs) -> {
          long before =
              atSavepoint.containsKey(user) ? atSavepoint.get(user).getSequenceNumber() : 0;
          assertThat(seqs.stream().sorted().toList())
              .as("sequence numbers of " + user + " after " + before)
              .isEqualTo(LongStream.rangeClosed(before + 1, before + seqs.size()).boxed().toList());
        });

    Map<String, UserMemory> expected = MemoryRuns.lastPerUser(uninterrupted.userUpdates());
    Map<String, UserMemory> last = MemoryRuns.lastPerUser(restored);
    List<String> users = new ArrayList<>(atSavepoint.keySet());
    last.keySet().stream().filter(u -> !atSavepoint.containsKey(u)).forEach(users::add);
    assertThat(users).containsExactlyInAnyOrderElementsOf(expected.keySet());
    for (UserMemory b : expected.values()) {
      String user = b.getUserId();
      UserMemory a = last.get(user);
      if (a != null) {
        assertThat(a.getChunkCount()).as("chunks of " + user).isEqualTo(b.getChunkCount());
        assertThat(a.getSequenceNumber()).as(user).isEqualTo(b.getSequenceNumber());
        assertThat(a.getClusters()).as("edges of " + user).isEqualTo(b.getClusters());
        MemoryRuns.assertClose(a.getHU0(), b.getHU0(), "hU0 of " + user);
        MemoryRuns.assertClose(a.getLongTerm(), b.getLongTerm(), "long-term of " + user);
        MemoryRuns.assertClose(a.getShortTerm(), b.getShortTerm(), "z_U of " + user);
      } else {
        UserState s = atSavepoint.get(user);
        assertThat(s.getChunkCount()).as("chunks of " + user).isEqualTo(b.getChunkCount());
        assertThat(s.getSequenceNumber()).as(user).isEqualTo(b.getSequenceNumber());
        assertThat(s.getClusterIds())
            .as("edges of " + user)
            .isEqualTo(b.getClusters().stream().map(ClusterEdge::getClusterId).toList());
        assertThat(s.getEdgeWeights())
            .as("edge weights of " + user)
            .isEqualTo(b.getClusters().stream().map(ClusterEdge::getWeight).toList());
        MemoryRuns.assertClose(s.getHU0(), b.getHU0(), "hU0 of " + user);
        MemoryRuns.assertClose(s.getShortTerm(), b.getShortTerm(), "z_U of " + user);
      }
    }
  }

  /**
   * A user's state as read from a savepoint: the node (null when only stored chunks are left) and
   * the stored chunks.
   */
  record UserStateRead(String userId, UserState state, List<List<String>> storedChunks) {}

  /**
   * Reads {@code user-memory}'s keyed state with the job's own descriptors: every user with a node
   * or stored chunks.
   */
  static final class UserStates extends KeyedStateReaderFunction<String, UserStateRead> {
    private transient ValueState<UserState> state;
    private transient ListState<List<String>> stored;

    @Override
    public void open(OpenContext context) {
      state = getRuntimeContext().getState(UserMemoryFunction.userStateDescriptor());
      stored = getRuntimeContext().getListState(StoredChunks.descriptor());
    }

    @Override
    public void readKey(String key, Context ctx, Collector<UserStateRead> out) throws Exception {
      List<List<String>> chunks = new ArrayList<>();
      stored.get().forEach(chunks::add);
      out.collect(new UserStateRead(key, state.value(), chunks));
    }
  }
}
