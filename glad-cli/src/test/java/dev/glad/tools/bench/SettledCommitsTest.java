package dev.glad.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SettledCommitsTest {
  private static final long MS = 1_000_000L;

  @Test
  void aCheckpointCountsOnlyOnceEverySubtaskHasCommittedIt() {
    // the window starts while a checkpoint is half committed: 100 of subtask 1 are in, subtask 2's
    // 100 arrive 30 ms later; they belong to the checkpoint before the window, not to the window
    SettledCommits<String> commits = new SettledCommits<>(250 * MS, 100, 0, "start");
    assertFalse(commits.offer(200, 30 * MS, () -> "cpu at 30"));
    assertFalse(commits.offer(200, 200 * MS, () -> "not read"));
    assertTrue(commits.offer(200, 300 * MS, () -> "not read"));
    assertEquals(200, commits.offsets());
    assertEquals(30 * MS, commits.at());
    assertEquals("cpu at 30", commits.snapshot());

    // the next checkpoint, its two commits 20 ms apart: settled at the second one's time
    assertFalse(commits.offer(300, 10_000 * MS, () -> "cpu at 10000"));
    assertFalse(commits.offer(400, 10_020 * MS, () -> "cpu at 10020"));
    assertFalse(commits.offer(400, 10_100 * MS, () -> "not read"));
    assertEquals(200, commits.offsets());
    assertTrue(commits.offer(400, 10_300 * MS, () -> "not read"));
    assertEquals(400, commits.offsets());
    assertEquals(10_020 * MS, commits.at());
    assertEquals("cpu at 10020", commits.snapshot());
    assertFalse(commits.offer(400, 20_000 * MS, () -> "not read"), "settles once");
  }

  @Test
  void theSettleTimeIsAQuarterOfTheIntervalUpToOneSecond() {
    assertEquals(1_000 * MS, SettledCommits.settleNanosFor(10_000));
    assertEquals(250 * MS, SettledCommits.settleNanosFor(1_000));
    assertEquals(1 * MS, SettledCommits.settleNanosFor(1));
  }
}
