package dev.glad.tools.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void percentilesAreNearestRank() {
    long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertEquals(5, Stats.percentile(sorted, 0.5));
    assertEquals(10, Stats.percentile(sorted, 0.99));
    assertEquals(1, Stats.percentile(sorted, 0.0));
    assertTrue(Double.isNaN(Stats.percentile(new long[0], 0.5)));
  }

  @Test
  void medianOfUnsortedValuesAndRange() {
    assertEquals(2, Stats.median(new double[] {3, 1, 2}));
    assertEquals(2.5, Stats.median(new double[] {4, 1, 3, 2}));
    assertTrue(Double.isNaN(Stats.median(new double[0])));
    assertArrayEquals(new double[] {1, 3}, Stats.range(new double[] {3, 1, 2}));
  }

  @Test
  void theNoOpEncoderPicksARowFromTheItemsAlone() {
    int row = NoOpEncoderModel.rowOf(List.of("i1", "i7", "i3"), 872);
    assertTrue(row >= 0 && row < 872);
    assertEquals(row, NoOpEncoderModel.rowOf(List.of("i1", "i7", "i3"), 872));
    // chunks spread over the rows (a constant would put every user in one cluster)
    long distinct =
        IntStream.range(0, 1000)
            .map(i -> NoOpEncoderModel.rowOf(List.of("i" + i, "j" + i), 872))
            .distinct()
            .count();
    assertTrue(distinct > 500, distinct + " distinct rows");
  }
}
