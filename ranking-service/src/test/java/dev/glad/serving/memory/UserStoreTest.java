package dev.glad.serving.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glad.serving.memory.UserRecordRule.Decision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The materialization rule for users and the RocksDB store that applies it. */
class UserStoreTest {
  private static final String SERVED = "v-served";

  static StoredUserMemory memory(String version, long sequence) {
    return new StoredUserMemory(
        version,
        sequence,
        1_000 + sequence,
        2_000 + sequence,
        sequence + 1,
        new int[] {3, 7},
        new int[] {2, (int) sequence + 1},
        new float[] {0.5f, -1.25f},
        new float[] {1f, 2f});
  }

  @Test
  void theHighestSequenceNumberOfTheServedVersionWinsInAnyOrder() {
    List<StoredUserMemory> records =
        new ArrayList<>(
            List.of(
                memory(SERVED, 3),
                memory(SERVED, 5),
                memory(SERVED, 4),
                memory("v-old", 9),
                memory("v-new", 6)));
    Random random = new Random(1);
    for (int round = 0; round < 20; round++) {
      Collections.shuffle(records, random);
      StoredUserMemory held = null;
      for (StoredUserMemory r : records) {
        if (UserRecordRule.decide(SERVED, held, r) == Decision.STORE) {
          held = r;
        }
      }
      assertThat(held.modelVersion()).isEqualTo(SERVED);
      assertThat(held.sequenceNumber()).as("order %s", records).isEqualTo(5);
    }
  }

  @Test
  void aRecordOfAnotherVersionIsKeptOnlyWhileThereIsNoneOfTheServedOne() {
    assertThat(UserRecordRule.decide(SERVED, null, memory("v-old", 1))).isEqualTo(Decision.STORE);
    assertThat(UserRecordRule.decide(SERVED, memory("v-old", 1), memory("v-old", 2)))
        .isEqualTo(Decision.STORE);
    assertThat(UserRecordRule.decide(SERVED, memory("v-old", 8), memory(SERVED, 2)))
        .isEqualTo(Decision.STORE);
    assertThat(UserRecordRule.decide(SERVED, memory(SERVED, 2), memory("v-old", 8)))
        .isEqualTo(Decision.KEEP);
  }

  @Test
  void theStoreKeepsWhatTheRuleSaysAndForgetsErasedUsers(@TempDir Path dir) {
    try (UserStore store = UserStore.open(dir.resolve("users"))) {
      assertThat(store.apply(SERVED, "u1", memory(SERVED, 2))).isEqualTo(Decision.STORE);
      assertThat(store.apply(SERVED, "u1", memory(SERVED, 1))).isEqualTo(Decision.KEEP);
      StoredUserMemory held = store.get("u1").orElseThrow();
      assertThat(held.sequenceNumber()).isEqualTo(2);
      assertThat(held.edgeWeights()).containsExactly(2, 3);
      assertThat(held.hU0()).containsExactly(0.5f, -1.25f);
      assertThat(held.shortTerm()).containsExactly(1f, 2f);
      assertThat(held.updateTimeMs()).isEqualTo(2_002);

      store.delete("u1");
      assertThat(store.get("u1")).isEmpty();
      assertThat(store.get("never-seen")).isEmpty();
    }
  }

  @Test
  void aStoreIsRebuiltAtEveryStart(@TempDir Path dir) {
    try (UserStore store = UserStore.open(dir.resolve("users"))) {
      store.apply(SERVED, "u1", memory(SERVED, 2));
    }
    try (UserStore store = UserStore.open(dir.resolve("users"))) {
      assertThat(store.get("u1")).isEmpty();
    }
  }

  @Test
  void aTemporaryStoreIsRemovedWhenClosed() {
    Path directory;
    try (UserStore store = UserStore.open(null)) {
      directory = store.directory();
      store.apply(SERVED, "u1", memory(SERVED, 0));
      assertThat(Files.isDirectory(directory)).isTrue();
    }
    assertThat(Files.exists(directory)).isFalse();
  }

  @Test
  void theStoredFormReadsBackExactly() {
    StoredUserMemory m = memory(SERVED, 42);
    StoredUserMemory back = StoredUserMemory.decode(m.encode());
    assertThat(back.modelVersion()).isEqualTo(SERVED);
    assertThat(back.sequenceNumber()).isEqualTo(42);
    assertThat(back.eventTimeMs()).isEqualTo(1_042);
    assertThat(back.chunkCount()).isEqualTo(43);
    assertThat(back.clusterIds()).containsExactly(3, 7);
    assertThat(back.edgeWeights()).containsExactly(2, 43);
  }
}
