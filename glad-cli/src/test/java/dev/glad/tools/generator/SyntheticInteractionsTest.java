package dev.glad.tools.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glad.schemas.InteractionEvent;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticInteractionsTest {
  private static SyntheticInteractions generator(long seed) {
    return new SyntheticInteractions(SyntheticInteractions.Settings.defaults(seed, 1_000_000L));
  }

  @Test
  void theSameSeedGivesTheSameStream() {
    assertEquals(generator(7).next(500), generator(7).next(500));
    assertNotEquals(generator(7).next(500), generator(8).next(500));
  }

  @Test
  void eventTimeNeverGoesBackAndIdsAreUnique() {
    List<InteractionEvent> events = generator(1).next(2_000);
    for (int i = 1; i < events.size(); i++) {
      assertTrue(events.get(i).getEventTime().compareTo(events.get(i - 1).getEventTime()) >= 0);
    }
    assertEquals(
        events.size(), events.stream().map(InteractionEvent::getEventId).distinct().count());
  }

  @Test
  void mostOfAUsersItemsComeFromTheirPlantedInterests() {
    SyntheticInteractions g = generator(3);
    List<InteractionEvent> events = g.next(50_000);
    int[] interests = g.interestsOf(0);
    long mine =
        events.stream().filter(e -> e.getUserId().equals(SyntheticInteractions.userId(0))).count();
    long inInterests =
        events.stream()
            .filter(e -> e.getUserId().equals(SyntheticInteractions.userId(0)))
            .filter(e -> Arrays.stream(interests).anyMatch(t -> t == g.topicOf(e.getItemId())))
            .count();
    // long-term share 0.8 of sessions, plus random sessions that hit an interest by chance
    assertTrue(mine > 500, "user 0 is the most active: " + mine);
    double share = (double) inInterests / mine;
    assertTrue(share > 0.7 && share < 0.95, "share of planted-interest items " + share);
  }

  @Test
  void settingsAreValidated() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SyntheticInteractions.Settings.defaults(1, 0).withItems(10, 20));
    assertEquals("items (10) must be >= topics (20)", e.getMessage());
  }
}
