package dev.glad.it;

import static dev.glad.flink.job.GladJobOptions.BOUNDED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.glad.it.MemoryRuns.Mode;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The savepoint this version of the job wrote ({@link CommittedSavepoint}, under test resources)
 * restores into today's job: the uids, serializers and state types still fit, and the memory at the
 * savepoint, continued by the restored job, is exactly what an uninterrupted run computes. ({@link
 * StateEvolutionITCase} restores it into a state schema with an added field.)
 */
class CommittedSavepointITCase {
  @RegisterExtension static final KafkaTestBroker KAFKA = new KafkaTestBroker();

  @RegisterExtension static final MiniClusterExtension FLINK = TestClusters.twoSlots();

  @Test
  void theCommittedSavepointRestoresAndContinuesToTheUninterruptedMemory() throws Exception {
    // Given the memory the savepoint holds, and topics holding what its job had read and the rest
    CommittedSavepoint.Restore restore = CommittedSavepoint.prepareRestore(KAFKA);
    MemoryRuns runs = restore.runs();
    // of the assembler's layout 1: events wait in the old map, which today's job moves on restore
    assertThat(
            SavepointStates.assemblerHoldings(restore.savepoint()).stream()
                .mapToInt(SavepointStates.Holding::layout1PendingEvents)
                .sum())
        .as("events waiting in layout 1's map")
        .isPositive();

    // When today's job restores the savepoint (no state may be left behind) and reads on
    runs.runUntilComplete(
        runs.settings(restore.topics(), 2, Mode.FROZEN).set(BOUNDED, false).build(),
        restore.savepoint().toUri().toString(),
        restore.topics(),
        restore.updatesOwed());

    // Then the memory at the savepoint, continued, is the uninterrupted run's
    restore.assertContinuesToUninterrupted();
  }
}
