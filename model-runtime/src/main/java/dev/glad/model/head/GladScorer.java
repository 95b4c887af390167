package dev.glad.model.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import dev.glad.model.encoder.Bert4RecModel;
import dev.glad.model.encoder.EngineArrays;
import dev.glad.model.encoder.SequenceEncoder;
import dev.glad.model.eval.Scorer;
import dev.glad.model.memory.GladConfig;
import dev.glad.model.memory.GladOptions;
import dev.glad.model.memory.OfflineMemoryBuilder;
import dev.glad.model.memory.UserGraphMemory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scores with a GLAD model the way serving does: the short-term vector {@code z_U = encode(last c
 * items)} and, for memory variants, the memory the stream would hold at that moment (the complete
 * chunks of the input, frozen artifact clusters; {@link OfflineMemoryBuilder}).
 *
 * <p>With {@code useMemory == false} it is the short-term model alone ({@code z_U · h_T + b_T}):
 * Bert4Rec restricted to the last c items, the paper's evaluation of its backbone.
 */
public final class GladScorer implements Scorer {
  private final SequenceEncoder encoder;
  private final GladHead head;
  private final OfflineMemoryBuilder builder;
  private final GladConfig config;
  private final boolean useMemory;
  private GateRecorder gateRecorder;
  private boolean leakTarget;
  private int itemSlice;

  /** Receives the mean gate value g of each scored user's first candidate (the target). */
  public interface GateRecorder {
    /**
     * @param historyLength items before the target
     * @param hasMemory whether the user had memory (g = 1 otherwise)
     * @param meanGate mean over dimensions of g for the first candidate
     */
    void record(int historyLength, boolean hasMemory, float meanGate);
  }

  /**
   * @param head the GNN/gate (null when {@code useMemory} is false)
   * @param builder the memory builder over frozen clusters (null when {@code useMemory} is false)
   */
  public GladScorer(
      SequenceEncoder encoder,
      GladHead head,
      OfflineMemoryBuilder builder,
      GladConfig config,
      boolean useMemory) {
    if (useMemory && (head == null || builder == null || !config.variant().hasMemory())) {
      throw new IllegalArgumentException(
          "scoring with memory needs a memory variant, head and builder");
    }
    this.encoder = encoder;
    this.head = head;
    this.builder = builder;
    this.config = config;
    this.useMemory = useMemory;
  }

  /**
   * Analysis only (the target leak): each user's memory also holds a node whose centroid is the
   * item embedding of the first candidate, which the evaluator's sampled protocols make the target.
   * Full ranking does not know the target and refuses.
   */
  public void leakTarget(boolean leak) {
    if (leak && !useMemory) {
      throw new IllegalArgumentException("the target leak needs a memory variant");
    }
    this.leakTarget = leak;
  }

  /** Records gate values of the first candidate column from now on (null = stop). */
  public void recordGates(GateRecorder recorder) {
    this.gateRecorder = recorder;
  }

  @Override
  public float[][] scoreCandidates(int[][] inputs, int[][] candidates) {
    int b = inputs.length;
    int count = candidates.length == 0 ? 0 : candidates[0].length;
    long[] flat = new long[b * count];
    for (int r = 0; r < b; r++) {
      for (int j = 0; j < count; j++) {
        flat[r * count + j] = candidates[r][j];
      }
    }
    List<UserGraphMemory> memories =
        leakTarget
            ? builder.buildAll(Arrays.asList(inputs), leakedNodes(candidates))
            : memories(inputs);
    return score(encoder.encodeBatch(shortTermRows(inputs)), memories, flat, count, inputs, true);
  }

  /** The item embedding of each row's first candidate (the target). */
  private List<float[]> leakedNodes(int[][] candidates) {
    List<float[]> nodes = new ArrayList<>(candidates.length);
    for (int[] row : candidates) {
      nodes.add(builder.itemEmbedding(row[0]));
    }
    return nodes;
  }

  /**
   * Scores every token for every user (full ranking). Users whose long-term vector does not depend
   * on the target (no memory, the target-free variants, and attentive users with a single memory
   * node under softmax attention) reduce to one user vector each, so all items score in one matrix
   * product; the other attentive users are scored against slices of the item table, a few users at
   * a time ({@link GladHead#attentiveMemoryScoresOfAll}), never copying the table per user.
   */
  @Override
  public float[][] scoreAllTokens(int[][] inputs) {
    if (leakTarget) {
      throw new IllegalArgumentException(
          "the target leak needs the target among the candidates: use a sampled protocol");
    }
    int b = inputs.length;
    int e = config.hiddenSize();
    List<UserGraphMemory> memories = memories(inputs);
    float[][] z = encoder.encodeBatch(shortTermRows(inputs));
    boolean bias = !useMemory || config.options().itemBias();
    List<Integer> perItem = new ArrayList<>();
    for (int r = 0; r < b; r++) {
      if (useMemory && readDependsOnTarget(memories.get(r))) {
        perItem.add(r);
      }
    }
    Bert4RecModel model = encoder.model();
    float[][] out = new float[b][];
    try (NDScope arrays = new NDScope();
        NDManager scope = model.manager().newSubManager()) {
      arrays.suppressNotUsedWarning();
      NDArray zArray = EngineArrays.create(scope, flatten(z, e), new Shape(b, e));
      NDArray table = model.block().tokenEmbeddings(model.parameterStore(), zArray);
      NDArray itemBias = model.block().outputBias(model.parameterStore(), zArray);
      NDArray vectors = zArray;
      if (useMemory) {
        NDArray[] m = MemoryTensors.fromMemories(memories, e, scope);
        NDArray longTerm =
            config.variant().attentive() ? head.singleNodeAttentiveLongTerm(m[4], m[2]) : m[1];
        vectors = head.userVector(zArray, m[0], longTerm);
      }
      NDArray scores = vectors.matMul(table.transpose());
      if (bias) {
        scores = scores.add(itemBias.expandDims(0));
      }
      float[] flat = scores.toFloatArray();
      int tokens = (int) table.getShape().get(0);
      for (int r = 0; r < b; r++) {
        out[r] = Arrays.copyOfRange(flat, r * tokens, (r + 1) * tokens);
      }
      for (int from = 0; from < perItem.size(); from += ATTENTIVE_USERS_PER_PASS) {
        List<Integer> users =
            perItem.subList(from, Math.min(perItem.size(), from + ATTENTIVE_USERS_PER_PASS));
        scoreAttentive(users, z, memories, table, bias ? itemBias : null, out);
      }
    }
    return out;
  }

  /** Users scored together against each item slice in {@link #scoreAttentive}. */
  private static final int ATTENTIVE_USERS_PER_PASS = 8;

  /**
   * Items per slice: a pass holds a few (users x items x e) arrays, kept at 8 MB each so the
   * allocator reuses their memory instead of mapping fresh pages every time.
   */
  private int itemsPerSlice() {
    return itemSlice > 0
        ? itemSlice
        : Math.max(256, (1 << 21) / (ATTENTIVE_USERS_PER_PASS * config.hiddenSize()));
  }

  /** Tests: score full rankings in slices of this many items. */
  void sliceItems(int items) {
    this.itemSlice = items;
  }

  /** Whether the user's long-term vector for an item depends on the item (eq. 5). */
  private boolean readDependsOnTarget(UserGraphMemory memory) {
    return config.variant().attentive()
        && memory.hasMemory()
        && (memory.clusterIds().length > 1
            || config.options().attention() != GladOptions.AttentionNormalisation.SOFTMAX);
  }

  /** Overwrites {@code out[r]} of {@code users} with their target-attentive scores. */
  private void scoreAttentive(
      List<Integer> users,
      float[][] z,
      List<UserGraphMemory> memories,
      NDArray table,
      NDArray itemBiasOrNull,
      float[][] out) {
    int e = config.hiddenSize();
    int g = users.size();
    List<UserGraphMemory> mine = new ArrayList<>(g);
    float[][] zs = new float[g][];
    for (int i = 0; i < g; i++) {
      mine.add(memories.get(users.get(i)));
      zs[i] = z[users.get(i)];
    }
    int tokens = (int) table.getShape().get(0);
    int slice = itemsPerSlice();
    try (NDManager scope = table.getManager().newSubManager()) {
      NDArray[] m = MemoryTensors.fromMemories(mine, e, scope);
      NDArray zArray = EngineArrays.create(scope, flatten(zs, e), new Shape(g, e));
      for (int start = 0; start < tokens; start += slice) {
        int end = Math.min(tokens, start + slice);
        try (NDScope arrays = new NDScope()) {
          arrays.suppressNotUsedWarning();
          NDArray scores =
              head.attentiveMemoryScoresOfAll(
                  zArray, m[4], m[2], m[3], table.get(start + ":" + end));
          if (itemBiasOrNull != null) {
            scores = scores.addi(itemBiasOrNull.get(start + ":" + end).expandDims(0));
          }
          float[] flat = scores.toFloatArray();
          for (int i = 0; i < g; i++) {
            System.arraycopy(flat, i * (end - start), out[users.get(i)], start, end - start);
          }
        }
      }
    }
  }

  private List<UserGraphMemory> memories(int[][] inputs) {
    return useMemory ? builder.buildAll(Arrays.asList(inputs)) : null;
  }

  private float[][] score(
      float[][] z,
      List<UserGraphMemory> memories,
      long[] flat,
      int count,
      int[][] inputs,
      boolean recordGates) {
    int b = z.length;
    int e = config.hiddenSize();
    Bert4RecModel model = encoder.model();
    try (NDScope arrays = new NDScope();
        NDManager scope = model.manager().newSubManager()) {
      arrays.suppressNotUsedWarning();
      NDArray zArray = EngineArrays.create(scope, flatten(z, e), new Shape(b, e));
      NDArray ids = EngineArrays.create(scope, flat, new Shape(b, count));
      NDArray table = model.block().tokenEmbeddings(model.parameterStore(), zArray);
      NDArray bias = model.block().outputBias(model.parameterStore(), zArray).reshape(-1, 1);
      NDArray items = Embedding.embedding(ids, table, SparseFormat.DENSE).head();
      NDArray itemBiases = Embedding.embedding(ids, bias, SparseFormat.DENSE).head().squeeze(2);
      NDArray scores;
      if (!useMemory) {
        scores = items.batchMatMul(zArray.expandDims(2)).squeeze(2).add(itemBiases);
      } else {
        NDArray[] m = MemoryTensors.fromMemories(memories, e, scope);
        boolean attentive = config.variant().attentive();
        NDList out =
            head.scores(
                zArray,
                m[0],
                attentive ? null : m[1],
                m[4],
                attentive ? m[2] : null,
                attentive ? m[3] : null,
                items,
                itemBiases);
        scores = out.get(0);
        if (recordGates && gateRecorder != null) {
          float[] gates = out.get(1).get(":, 0").toFloatArray();
          for (int r = 0; r < b; r++) {
            gateRecorder.record(inputs[r].length, memories.get(r).hasMemory(), gates[r]);
          }
        }
      }
      float[] values = scores.toFloatArray();
      float[][] result = new float[b][count];
      for (int r = 0; r < b; r++) {
        System.arraycopy(values, r * count, result[r], 0, count);
      }
      return result;
    }
  }

  /** The last c items of each input (all of them when shorter). */
  int[][] shortTermRows(int[][] inputs) {
    int c = config.chunkSize();
    int[][] rows = new int[inputs.length][];
    for (int r = 0; r < inputs.length; r++) {
      int[] in = inputs[r];
      rows[r] = Arrays.copyOfRange(in, Math.max(0, in.length - c), in.length);
    }
    return rows;
  }

  static float[] flatten(float[][] rows, int width) {
    float[] flat = new float[rows.length * width];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, flat, r * width, width);
    }
    return flat;
  }

  /** Copies of the users' memories (for analyses). */
  public List<UserGraphMemory> memoriesOf(int[][] inputs) {
    return useMemory ? builder.buildAll(Arrays.asList(inputs)) : new ArrayList<>();
  }
}
