package dev.glad.tools.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
  void theNoOpEncoderEncodesEachFirstItemOnceAndReusesIt() {
    List<List<List<String>>> calls = new java.util.ArrayList<>();
    dev.glad.flink.memory.StreamingModel real =
        (dev.glad.flink.memory.StreamingModel)
            java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {dev.glad.flink.memory.StreamingModel.class},
                (proxy, method, args) -> {
                  if (!method.getName().equals("encode")) {
                    throw new UnsupportedOperationException(method.getName());
                  }
                  @SuppressWarnings("unchecked")
                  List<List<String>> chunks = (List<List<String>>) args[0];
                  calls.add(chunks);
                  float[][] out = new float[chunks.size()][];
                  for (int i = 0; i < out.length; i++) {
                    out[i] = new float[] {chunks.get(i).get(0).hashCode(), chunks.get(i).size()};
                  }
                  return out;
                });
    NoOpEncoderModel noop = new NoOpEncoderModel(real);

    float[][] first = noop.encode(List.of(List.of("a", "b"), List.of("c", "d"), List.of("a", "x")));
    float[][] second = noop.encode(List.of(List.of("c", "y"), List.of("a", "z")));

    // one real forward pass, of single-item chunks of the distinct first items
    assertEquals(List.of(List.of(List.of("a"), List.of("c"))), calls);
    assertArrayEquals(first[0], first[2]);
    assertArrayEquals(first[1], second[0]);
    assertArrayEquals(new float[] {"a".hashCode(), 1}, second[1]);
  }
}
