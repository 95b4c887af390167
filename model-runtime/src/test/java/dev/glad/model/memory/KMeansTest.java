package dev.glad.model.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KMeansTest {
  @Test
  void recoversThreePlantedClustersAndTheirMeans() {
    SplittableRandom random = new SplittableRandom(1);
    float[][] centres = {{10, 0}, {0, 10}, {-10, -10}};
    float[][] points = new float[300][];
    for (int i = 0; i < points.length; i++) {
      float[] c = centres[i % 3];
      points[i] =
          new float[] {
            c[0] + (float) random.nextGaussian() * 0.5f, c[1] + (float) random.nextGaussian() * 0.5f
          };
    }
    KMeans.Result result = KMeans.fit(points, 3, 10, 7);
    // points of one planted cluster share a label, and the three labels differ
    Set<Integer> labels = new HashSet<>();
    for (int k = 0; k < 3; k++) {
      int label = result.assignment()[k];
      labels.add(label);
      for (int i = k; i < points.length; i += 3) {
        assertEquals(label, result.assignment()[i]);
      }
      assertArrayEquals(
          KMeans.means(points, result.assignment(), result.centroids())[label],
          result.centroids()[label],
          1e-5f);
      assertEquals(centres[k][0], result.centroids()[label][0], 0.2);
    }
    assertEquals(3, labels.size());
    assertArrayEquals(new long[] {100, 100, 100}, result.sizes());
  }

  @Test
  void nearestPicksTheClosestCentroidAndTheLowestIndexOnTies() {
    float[][] centroids = {{0, 0}, {4, 0}, {0, 4}};
    assertArrayEquals(
        new int[] {0, 1, 2, 0},
        KMeans.nearest(new float[][] {{1, 1}, {3, 0.5f}, {0.5f, 3}, {2, 0}}, centroids));
  }

  @Test
  void dotSumsEveryProductWhateverTheLengthModuloFour() {
    SplittableRandom random = new SplittableRandom(3);
    for (int n = 0; n <= 9; n++) {
      float[] a = new float[n];
      float[] b = new float[n];
      double expected = 0;
      for (int d = 0; d < n; d++) {
        a[d] = (float) random.nextDouble(-1, 1);
        b[d] = (float) random.nextDouble(-1, 1);
        expected += a[d] * b[d];
      }
      assertEquals(expected, KMeans.dot(a, b), 1e-12, "length " + n);
    }
  }
}
