package dev.glad.model.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import dev.glad.model.artifact.GladArtifact;
import dev.glad.model.encoder.EngineArrays;
import dev.glad.model.memory.GladConfig;
import dev.glad.model.memory.GladOptions.Aggregation;
import dev.glad.model.memory.GladOptions.AttentionNormalisation;
import dev.glad.model.memory.GladOptions.AttentiveLayer;
import dev.glad.model.memory.HeadWeights;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The GNN and gate of GLAD as DJL arrays: the batched, differentiable form of {@link
 * dev.glad.model.memory.GraphMemoryMath} used by phase-2 training and by the evaluator. Tests hold
 * both to the same numbers.
 *
 * <p>Batch shapes: B users, N neighbour slots (padded, weight 0), C candidates, e hidden.
 */
public final class GladHead {
  /** Attention logit of padded neighbour slots under softmax; exp() of it is 0 in float32. */
  private static final float PAD_LOGIT = -1e9f;

  /** Initial gate bias: g ≈ 0.88, so phase 2 starts close to the pretrained short-term ranking. */
  static final float INITIAL_GATE_BIAS = 2f;

  private final GladConfig config;
  private final Map<String, Parameter> parameters = new LinkedHashMap<>();

  private GladHead(GladConfig config) {
    this.config = config;
  }

  /**
   * Fresh, seeded parameters on {@code manager}: Glorot-normal matrices, zero biases, the gate bias
   * at {@link #INITIAL_GATE_BIAS}, and in each GraphSAGE layer ({@code σ(W [self || neighbours] +
   * b)}) the identity as the self block. So an untrained layer passes its node's own vector through
   * σ (plus the neighbours' term): h_U^L starts close to h_U^0, the mean of the user's chunk
   * embeddings, which already points at the user's items. On the demo's data the share of h_U^L's
   * top items in the user's planted topics was 8 % with Glorot self blocks and 40 % with identity
   * ones after the same training (h_U^0: 61 %, chance 6 %; docs/RESULTS.md).
   */
  public static GladHead create(GladConfig config, NDManager manager, long seed) {
    return create(config, manager, seed, false);
  }

  /**
   * As {@link #create(GladConfig, NDManager, long)}; with {@code zeroNeighbourBlocks} the neighbour
   * block of every GraphSAGE layer starts at zero instead of Glorot, so with the identity
   * activation an untrained h_U^L is exactly h_U^0 (a Glorot neighbour block adds a random
   * projection of the neighbours' vector, as large as the node's own, which training then has to
   * undo). The neighbour blocks still learn: their gradient is the layer's output gradient times
   * the neighbours' vector, which is not zero.
   */
  public static GladHead create(
      GladConfig config, NDManager manager, long seed, boolean zeroNeighbourBlocks) {
    int e = config.hiddenSize();
    SplittableRandom random = new SplittableRandom(seed);
    GladHead head = new GladHead(config);
    for (var entry : HeadWeights.expectedShapes(e).entrySet()) {
      int[] shape = entry.getValue();
      float[] values = new float[shape.length == 1 ? shape[0] : shape[0] * shape[1]];
      if (shape.length == 2) {
        double std = Math.sqrt(2.0 / (shape[0] + shape[1]));
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) (random.nextGaussian() * std);
        }
        if (shape[1] == 2 * e) {
          // self block = identity, neighbour block Glorot (or zero)
          for (int r = 0; r < e; r++) {
            for (int col = 0; col < e; col++) {
              values[r * shape[1] + col] = r == col ? 1f : 0f;
            }
            if (zeroNeighbourBlocks) {
              java.util.Arrays.fill(values, r * shape[1] + e, (r + 1) * shape[1], 0f);
            }
          }
        }
      } else if (entry.getKey().equals("gateBias")) {
        java.util.Arrays.fill(values, INITIAL_GATE_BIAS);
      }
      long[] dims = shape.length == 1 ? new long[] {shape[0]} : new long[] {shape[0], shape[1]};
      head.add(entry.getKey(), EngineArrays.create(manager, values, new Shape(dims)));
    }
    return head;
  }

  /** Parameters with the given values, on {@code manager}. */
  public static GladHead fromWeights(GladConfig config, NDManager manager, HeadWeights weights) {
    weights.requireHiddenSize(config.hiddenSize());
    GladHead head = new GladHead(config);
    head.add("userLayer1", EngineArrays.create(manager, weights.userLayer1()));
    head.add("userLayer1Bias", EngineArrays.create(manager, weights.userLayer1Bias()));
    head.add("clusterLayer1", EngineArrays.create(manager, weights.clusterLayer1()));
    head.add("clusterLayer1Bias", EngineArrays.create(manager, weights.clusterLayer1Bias()));
    head.add("userLayer2", EngineArrays.create(manager, weights.userLayer2()));
    head.add("userLayer2Bias", EngineArrays.create(manager, weights.userLayer2Bias()));
    head.add("gateShortTerm", EngineArrays.create(manager, weights.gateShortTerm()));
    head.add("gateLongTerm", EngineArrays.create(manager, weights.gateLongTerm()));
    head.add("gateBias", EngineArrays.create(manager, weights.gateBias()));
    return head;
  }

  private void add(String name, NDArray array) {
    Parameter p = Parameter.builder().setName(name).setType(typeOf(name)).build();
    array.setRequiresGradient(true);
    p.setArray(array);
    parameters.put(name, p);
  }

  private static Parameter.Type typeOf(String name) {
    return name.endsWith("Bias") ? Parameter.Type.BIAS : Parameter.Type.WEIGHT;
  }

  /** The trainable parameters by name ({@link HeadWeights#NAMES}). */
  public Map<String, Parameter> parameters() {
    return parameters;
  }

  /** A copy of the current values as plain arrays. */
  public HeadWeights toWeights() {
    int e = config.hiddenSize();
    return new HeadWeights(
        matrix("userLayer1", e, 2 * e),
        vector("userLayer1Bias"),
        matrix("clusterLayer1", e, 2 * e),
        vector("clusterLayer1Bias"),
        matrix("userLayer2", e, 2 * e),
        vector("userLayer2Bias"),
        matrix("gateShortTerm", e, e),
        matrix("gateLongTerm", e, e),
        vector("gateBias"));
  }

  private float[][] matrix(String name, int rows, int columns) {
    return GladArtifact.toMatrix(get(name).toFloatArray(), rows, columns);
  }

  private float[] vector(String name) {
    return get(name).toFloatArray();
  }

  private NDArray get(String name) {
    return parameters.get(name).getArray();
  }

  // ---- equations ----

  /** Σ_j w_j x_j (SUM) or that divided by Σ_j w_j (MEAN): (B,N) x (B,N,e) -> (B,e). */
  NDArray aggregate(NDArray weights, NDArray vectors) {
    NDArray sum = vectors.mul(weights.expandDims(2)).sum(new int[] {1});
    if (config.options().aggregation() == Aggregation.MEAN) {
      return sum.div(weights.sum(new int[] {1}, true).maximum(1f));
    }
    return sum;
  }

  private NDArray layer(String weight, NDArray self, NDArray neighbours) {
    int last = self.getShape().dimension() - 1;
    NDArray input = self.concat(neighbours, last);
    NDArray out = Linear.linear(input, get(weight), get(weight + "Bias")).head();
    return config.options().activation().apply(out);
  }

  /** h_CE^1 (eq. 2) of every neighbour slot: (B,N,e), (B,N,e), (B,N) -> (B,N,e). */
  public NDArray clusterHidden(NDArray centroids, NDArray userSums, NDArray sizes) {
    NDArray aggregated = userSums;
    if (config.options().aggregation() == Aggregation.MEAN) {
      aggregated = userSums.div(sizes.maximum(1f).expandDims(2));
    }
    return layer("clusterLayer1", centroids, aggregated);
  }

  /** h_U^1 (eq. 1): (B,e), (B,N,e) centroids, (B,N) weights -> (B,e). */
  public NDArray userHidden(NDArray hU0, NDArray centroids, NDArray weights) {
    return layer("userLayer1", hU0, aggregate(weights, centroids));
  }

  /** The target-free layer 2: (B,e), (B,N,e) cluster hidden, (B,N) weights -> (B,e). */
  public NDArray userLongTerm(NDArray hU1, NDArray clusterHidden, NDArray weights) {
    return layer("userLayer2", hU1, aggregate(weights, clusterHidden));
  }

  /**
   * The attentive read (eq. 5) for every candidate: (B,C,e) items, (B,N,e) cluster hidden, (B,N)
   * weights -> (B,C,e).
   */
  public NDArray attentiveRead(NDArray items, NDArray clusterHidden, NDArray weights) {
    NDArray logits = items.batchMatMul(clusterHidden.transpose(0, 2, 1)); // (B,C,N)
    NDArray coefficients;
    if (config.options().attention() == AttentionNormalisation.SOFTMAX) {
      NDArray present = weights.gt(0f).toType(DataType.FLOAT32, false);
      NDArray logWeights =
          weights.maximum(1f).log().mul(present).add(present.neg().add(1f).mul(PAD_LOGIT));
      coefficients = logits.add(logWeights.expandDims(1)).softmax(2);
    } else {
      coefficients = logits.mul(weights.expandDims(1));
      if (config.options().aggregation() == Aggregation.MEAN) {
        coefficients = coefficients.div(weights.sum(new int[] {1}, true).maximum(1f).expandDims(2));
      }
    }
    return coefficients.batchMatMul(clusterHidden);
  }

  /**
   * The user vector of eq. 4, {@code h = g ⊙ z + (1-g) ⊙ h_L} with {@code g} from eq. 3, for
   * long-term vectors that do not depend on the target; {@code z} for users without memory: (B,e).
   * Scoring an item is then {@code h · h_T (+ b_T)}, so all items score in one matrix product.
   */
  public NDArray userVector(NDArray z, NDArray hasMemory, NDArray longTerm) {
    NDArray g =
        Activation.sigmoid(
            Linear.linear(z, get("gateShortTerm"), get("gateBias"))
                .head()
                .add(Linear.linear(longTerm, get("gateLongTerm")).head()));
    NDArray h = g.mul(z).add(g.neg().add(1f).mul(longTerm));
    return h.mul(hasMemory).add(z.mul(hasMemory.neg().add(1f)));
  }

  /**
   * The attentive long-term vector of users with a single memory node: under softmax attention its
   * coefficient is 1 for every target, so the vector does not depend on the target: (B,e), from
   * h_U^1 (B,e) and the node's h_CE^1 (B,1,e).
   */
  public NDArray singleNodeAttentiveLongTerm(NDArray hU1, NDArray clusterHidden) {
    NDArray read = clusterHidden.get(":, 0, :");
    if (config.options().attentiveLayer() == AttentiveLayer.READ) {
      return read;
    }
    int e = config.hiddenSize();
    NDArray w = get("userLayer2");
    NDArray self = Linear.linear(hU1, w.get(":, 0:" + e), get("userLayer2Bias")).head();
    NDArray neighbours = Linear.linear(read, w.get(":, " + e + ":")).head();
    return config.options().activation().apply(self.add(neighbours));
  }

  /**
   * The attentive variant's memory scores (eq. 5, 3, 6, without the item bias) of every row of
   * {@code table} for users with memory: what {@link #scores} computes with all items as
   * candidates, without copying the item table per user. The read's linear map is applied to the
   * B·N node vectors before the attention ({@code W·Σ a_j h_j = Σ a_j W·h_j}) instead of to B·V
   * reads. Work and memory grow with B·V·e: the caller slices users and items.
   *
   * @param z (B,e) short-term vectors
   * @param hU1 (B,e) h_U^1 (SAGE)
   * @param clusterHidden (B,N,e) h_CE^1 of each user's nodes (padded slots: weight 0)
   * @param weights (B,N) edge weights
   * @param table (V,e) item embeddings h_T
   * @return (B,V)
   */
  public NDArray attentiveMemoryScoresOfAll(
      NDArray z, NDArray hU1, NDArray clusterHidden, NDArray weights, NDArray table) {
    NDArray logits = clusterHidden.matMul(table.transpose()); // (B,N,V)
    NDArray coefficients;
    if (config.options().attention() == AttentionNormalisation.SOFTMAX) {
      NDArray present = weights.gt(0f).toType(DataType.FLOAT32, false);
      NDArray logWeights =
          weights.maximum(1f).log().mul(present).add(present.neg().add(1f).mul(PAD_LOGIT));
      coefficients = logits.addi(logWeights.expandDims(2)).softmax(1);
    } else {
      coefficients = logits.muli(weights.expandDims(2));
      if (config.options().aggregation() == Aggregation.MEAN) {
        coefficients =
            coefficients.divi(weights.sum(new int[] {1}, true).maximum(1f).expandDims(2));
      }
    }
    NDArray longTerm;
    if (config.options().attentiveLayer() == AttentiveLayer.SAGE) {
      int e = config.hiddenSize();
      NDArray w = get("userLayer2");
      NDArray mappedNodes = Linear.linear(clusterHidden, w.get(":, " + e + ":")).head();
      NDArray self = Linear.linear(hU1, w.get(":, 0:" + e), get("userLayer2Bias")).head();
      NDArray neighbours = coefficients.transpose(0, 2, 1).batchMatMul(mappedNodes); // (B,V,e)
      longTerm = config.options().activation().apply(neighbours.addi(self.expandDims(1)));
    } else {
      longTerm = coefficients.transpose(0, 2, 1).batchMatMul(clusterHidden);
    }
    NDArray shortGate = Linear.linear(z, get("gateShortTerm"), get("gateBias")).head();
    NDArray g =
        Activation.sigmoid(
            Linear.linear(longTerm, get("gateLongTerm")).head().addi(shortGate.expandDims(1)));
    // h = g ⊙ z + (1-g) ⊙ h_L = h_L + g ⊙ (z - h_L)
    NDArray h = longTerm.add(g.muli(z.expandDims(1).sub(longTerm)));
    return h.muli(table.expandDims(0)).sum(new int[] {2});
  }

  /**
   * Scores of candidates (eq. 3, 4, 6) and the mean gate value per candidate.
   *
   * @param z (B,e) short-term vectors
   * @param hasMemory (B,1) 1 for users with memory; the others score {@code z · h_T} (g = 1)
   * @param longTerm (B,e) target-free h_U^L (non-attentive variants), else null
   * @param hU1 (B,e) h_U^1 (attentive variants with the SAGE layer), else ignored
   * @param clusterHidden (B,N,e) for the attentive read (attentive variants), else null
   * @param weights (B,N) edge weights (attentive variants), else null
   * @param items (B,C,e) candidate embeddings h_T
   * @param itemBiases (B,C) candidate output biases b_T
   * @return {@code [scores (B,C), meanGate (B,C)]}
   */
  public NDList scores(
      NDArray z,
      NDArray hasMemory,
      NDArray longTerm,
      NDArray hU1,
      NDArray clusterHidden,
      NDArray weights,
      NDArray items,
      NDArray itemBiases) {
    NDArray shortTermOnly = items.batchMatMul(z.expandDims(2)).squeeze(2); // (B,C)
    NDArray shortGate = Linear.linear(z, get("gateShortTerm"), get("gateBias")).head(); // (B,e)
    NDArray memoryScores;
    NDArray meanGate;
    if (longTerm != null) {
      NDArray g =
          Activation.sigmoid(
              shortGate.add(Linear.linear(longTerm, get("gateLongTerm")).head())); // (B,e)
      NDArray h = g.mul(z).add(g.neg().add(1f).mul(longTerm));
      memoryScores = items.batchMatMul(h.expandDims(2)).squeeze(2);
      meanGate = g.mean(new int[] {1}, true).broadcast(shortTermOnly.getShape());
    } else {
      NDArray read = attentiveRead(items, clusterHidden, weights); // (B,C,e)
      if (config.options().attentiveLayer() == AttentiveLayer.SAGE) {
        // σ(W [h_U^1 || read]) = σ(W_self h_U^1 + b + W_read read): the self part once per user
        int e = config.hiddenSize();
        NDArray w = get("userLayer2");
        NDArray self = Linear.linear(hU1, w.get(":, 0:" + e), get("userLayer2Bias")).head();
        NDArray neighbours = Linear.linear(read, w.get(":, " + e + ":")).head();
        read = config.options().activation().apply(neighbours.add(self.expandDims(1)));
      }
      NDArray g =
          Activation.sigmoid(
              shortGate.expandDims(1).add(Linear.linear(read, get("gateLongTerm")).head()));
      NDArray h = g.mul(z.expandDims(1)).add(g.neg().add(1f).mul(read));
      memoryScores = h.mul(items).sum(new int[] {2});
      meanGate = g.mean(new int[] {2});
    }
    NDArray noMemory = hasMemory.neg().add(1f);
    NDArray scores = memoryScores.mul(hasMemory).add(shortTermOnly.mul(noMemory));
    if (config.options().itemBias()) {
      scores = scores.add(itemBiases);
    }
    return new NDList(scores, meanGate.mul(hasMemory).add(noMemory));
  }
}
