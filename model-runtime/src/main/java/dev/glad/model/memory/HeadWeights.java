package dev.glad.model.memory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The trained GNN and gate parameters as plain arrays. Matrices are {@code (out, in)} like DJL's
 * {@code Linear}: {@code y = W x + b}. Inputs of the GraphSAGE layers are concatenations {@code
 * [self || aggregated neighbours]}, so their matrices are {@code e x 2e}.
 *
 * @param userLayer1 W_U^0 of eq. 1, {@code e x 2e}
 * @param userLayer1Bias its bias
 * @param clusterLayer1 W_CE^0 of eq. 2, {@code e x 2e}
 * @param clusterLayer1Bias its bias
 * @param userLayer2 W_U^1, the target-free layer 2, {@code e x 2e}
 * @param userLayer2Bias its bias
 * @param gateShortTerm W_T of eq. 3, {@code e x e}
 * @param gateLongTerm W_G of eq. 3, {@code e x e}
 * @param gateBias the gate's bias (not in the paper; starts at 0)
 */
public record HeadWeights(
    float[][] userLayer1,
    float[] userLayer1Bias,
    float[][] clusterLayer1,
    float[] clusterLayer1Bias,
    float[][] userLayer2,
    float[] userLayer2Bias,
    float[][] gateShortTerm,
    float[][] gateLongTerm,
    float[] gateBias) {

  /** Artifact/parameter names, in a fixed order. */
  public static final String[] NAMES = {
    "userLayer1",
    "userLayer1Bias",
    "clusterLayer1",
    "clusterLayer1Bias",
    "userLayer2",
    "userLayer2Bias",
    "gateShortTerm",
    "gateLongTerm",
    "gateBias"
  };

  /** The hidden size e these weights are for. */
  public int hiddenSize() {
    return gateBias.length;
  }

  /**
   * Checks every shape against {@code e}.
   *
   * @throws IllegalArgumentException naming the first mis-shaped array
   */
  public HeadWeights requireHiddenSize(int e) {
    Map<String, int[]> expected = expectedShapes(e);
    Map<String, int[]> actual = shapes();
    for (String name : NAMES) {
      int[] want = expected.get(name);
      int[] have = actual.get(name);
      if (!java.util.Arrays.equals(want, have)) {
        throw new IllegalArgumentException(
            "head weight '"
                + name
                + "' has shape "
                + java.util.Arrays.toString(have)
                + " but e = "
                + e
                + " requires "
                + java.util.Arrays.toString(want));
      }
    }
    return this;
  }

  /** The shape every named array must have for hidden size {@code e}. */
  public static Map<String, int[]> expectedShapes(int e) {
    Map<String, int[]> m = new LinkedHashMap<>();
    m.put("userLayer1", new int[] {e, 2 * e});
    m.put("userLayer1Bias", new int[] {e});
    m.put("clusterLayer1", new int[] {e, 2 * e});
    m.put("clusterLayer1Bias", new int[] {e});
    m.put("userLayer2", new int[] {e, 2 * e});
    m.put("userLayer2Bias", new int[] {e});
    m.put("gateShortTerm", new int[] {e, e});
    m.put("gateLongTerm", new int[] {e, e});
    m.put("gateBias", new int[] {e});
    return m;
  }

  private Map<String, int[]> shapes() {
    Map<String, int[]> m = new LinkedHashMap<>();
    m.put("userLayer1", shape(userLayer1));
    m.put("userLayer1Bias", new int[] {userLayer1Bias.length});
    m.put("clusterLayer1", shape(clusterLayer1));
    m.put("clusterLayer1Bias", new int[] {clusterLayer1Bias.length});
    m.put("userLayer2", shape(userLayer2));
    m.put("userLayer2Bias", new int[] {userLayer2Bias.length});
    m.put("gateShortTerm", shape(gateShortTerm));
    m.put("gateLongTerm", shape(gateLongTerm));
    m.put("gateBias", new int[] {gateBias.length});
    return m;
  }

  private static int[] shape(float[][] matrix) {
    return new int[] {matrix.length, matrix.length == 0 ? 0 : matrix[0].length};
  }
}
