package dev.glad.serving;

import dev.glad.model.artifact.GladModel;
import dev.glad.model.data.SpecialTokens;
import dev.glad.serving.memory.ClusterTable;
import dev.glad.serving.memory.StoredUserMemory;
import dev.glad.serving.memory.UserStore;
import dev.glad.serving.metrics.ServingMetrics;
import dev.glad.serving.scoring.CandidateScorer;
import dev.glad.serving.scoring.ItemTable;
import dev.glad.serving.scoring.ShortTermEncoder;
import dev.glad.serving.scoring.UserSide;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * The GLAD scorer a ranking service embeds: for {@code (user, recent items, candidates)} it returns
 * GLAD's scores from the user's memory (the {@link UserStore}), the clusters' current state (the
 * {@link ClusterTable}) and z_U of the recent items (the encoder, batched across requests), with
 * the artifact the job runs. Thread-safe: many request threads share one ranker.
 *
 * <p>Cold start and safety: a user without memory is scored with z_U alone (g = 1); without memory
 * and without recent items, by item popularity (the artifact's output bias b_T). A memory written
 * by another model version is never mixed in: the request is scored short-term and counted.
 */
public final class GladRanker {
  private final GladModel model;
  private final UserStore users;
  private final ClusterTable clusters;
  private final ShortTermEncoder encoder;
  private final ItemTable items;
  private final CandidateScorer scorer;
  private final ServingMetrics metrics;
  private final LongSupplier clock;
  private final int c;

  public GladRanker(
      GladModel model,
      UserStore users,
      ClusterTable clusters,
      ShortTermEncoder encoder,
      ServingMetrics metrics,
      LongSupplier clockMillis) {
    this.model = model;
    this.users = users;
    this.clusters = clusters;
    this.encoder = encoder;
    this.metrics = metrics;
    this.clock = clockMillis;
    this.c = model.config().chunkSize();
    this.items = new ItemTable(model.math(), model.vocabulary(), model.config().hiddenSize());
    this.scorer = new CandidateScorer(model.math(), model.config().variant(), items);
  }

  public String modelVersion() {
    return model.modelVersion();
  }

  /** c: z_U encodes the last c recent items. */
  public int chunkSize() {
    return c;
  }

  /** The model's item side (vocabulary lookups). */
  public ItemTable items() {
    return items;
  }

  /**
   * Scores a request.
   *
   * @param deadlineNanos {@link System#nanoTime()} by which z_U must be there
   * @throws TimeoutException when the encoder did not answer before the deadline
   */
  public ScoreResult score(ScoreRequest request, long deadlineNanos)
      throws TimeoutException, InterruptedException {
    int[] candidates = new int[request.candidates().size()];
    int unknownCandidates = 0;
    for (int t = 0; t < candidates.length; t++) {
      candidates[t] = items.indexOf(request.candidates().get(t));
      unknownCandidates += candidates[t] < 0 ? 1 : 0;
    }
    List<String> recent = request.recentItems();
    List<String> window = recent.subList(Math.max(0, recent.size() - c), recent.size());
    int[] recentIndices = new int[window.size()];
    List<String> unknownRecent = new ArrayList<>();
    for (int i = 0; i < recentIndices.length; i++) {
      int index = items.indexOf(window.get(i));
      if (index < 0) {
        unknownRecent.add(window.get(i));
        index = SpecialTokens.UNK; // as the stream encodes an unknown item
      }
      recentIndices[i] = index;
    }
    // ask the encoder first: the memory lookup overlaps with the batch
    var zFuture = recentIndices.length > 0 ? encoder.encode(recentIndices) : null;

    ScoreResult.Memory memoryStatus = ScoreResult.Memory.NOT_REQUESTED;
    StoredUserMemory stored = null;
    CandidateScorer.Memory memory = null;
    if (request.useMemory()) {
      stored = users.get(request.userId()).orElse(null);
      if (stored == null || !stored.hasEdges()) {
        memoryStatus = ScoreResult.Memory.NONE;
        stored = null;
      } else if (!stored.modelVersion().equals(model.modelVersion())) {
        memoryStatus = ScoreResult.Memory.OTHER_MODEL_VERSION;
        stored = null;
      } else {
        memory = memoryOf(stored);
        memoryStatus = memory == null ? ScoreResult.Memory.INVALID : ScoreResult.Memory.USED;
        stored = memory == null ? null : stored;
      }
    }

    float[] zU;
    ScoreResult.ShortTermSource source;
    if (zFuture != null) {
      zU = await(zFuture, deadlineNanos);
      source = ScoreResult.ShortTermSource.RECENT_ITEMS;
    } else if (memory != null) {
      zU = stored.shortTerm();
      source = ScoreResult.ShortTermSource.MEMORY;
    } else {
      zU = null;
      source = ScoreResult.ShortTermSource.NONE;
    }

    float[] scores = new float[candidates.length];
    float[] gates = new float[candidates.length];
    ScoreResult.Scoring scoring;
    if (zU == null) {
      scoring = ScoreResult.Scoring.POPULARITY;
      scorer.popularity(candidates, scores);
      Arrays.fill(gates, Float.NaN);
    } else {
      UserSide user = scorer.userSide(zU, memory);
      scoring = user.hasMemory() ? ScoreResult.Scoring.GLAD : ScoreResult.Scoring.SHORT_TERM;
      scorer.score(user, candidates, scores, gates);
    }
    long ageMs = -1;
    if (memory != null) {
      ageMs = Math.max(0, clock.getAsLong() - stored.updateTimeMs());
      metrics.memoryAge(ageMs / 1000.0);
    }
    metrics.scored(scoring.label(), memoryStatus.label(), candidates.length);
    metrics.unknownItems("candidate", unknownCandidates);
    metrics.unknownItems("recent", unknownRecent.size());
    return new ScoreResult(
        model.modelVersion(),
        request.userId(),
        scoring,
        memoryStatus,
        source,
        ageMs,
        memory == null ? 0 : stored.chunkCount(),
        request.candidates(),
        scores,
        gates,
        unknownRecent);
  }

  /**
   * The memory's edges with their clusters' current state; null if a cluster is not the model's.
   */
  private CandidateScorer.Memory memoryOf(StoredUserMemory stored) {
    int n = stored.clusterIds().length;
    float[][] centroids = new float[n][];
    float[][] hidden = new float[n][];
    for (int i = 0; i < n; i++) {
      int j = stored.clusterIds()[i];
      if (!clusters.contains(j)) {
        return null;
      }
      ClusterTable.Node node = clusters.node(j); // centroid and h_CE^1 of one record
      centroids[i] = node.centroid();
      hidden[i] = node.hidden();
    }
    return new CandidateScorer.Memory(
        stored.hU0(), stored.clusterIds(), stored.edgeWeights(), centroids, hidden);
  }

  private static float[] await(
      java.util.concurrent.CompletableFuture<float[]> z, long deadlineNanos)
      throws TimeoutException, InterruptedException {
    try {
      return z.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("the encoder failed: " + e.getCause(), e.getCause());
    }
  }

  /**
   * The memory the service holds for a user.
   *
   * @param topClusters how many of the heaviest clusters get their top items
   * @param topItems items per cluster
   */
  public Optional<MemoryView> memory(String userId, int topClusters, int topItems) {
    Optional<StoredUserMemory> found = users.get(userId);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    StoredUserMemory m = found.get();
    boolean served = m.modelVersion().equals(model.modelVersion());
    Integer[] order = new Integer[m.clusterIds().length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order,
        Comparator.comparingInt((Integer i) -> -m.edgeWeights()[i])
            .thenComparingInt(i -> m.clusterIds()[i]));
    List<MemoryView.Cluster> out = new ArrayList<>(order.length);
    for (int rank = 0; rank < order.length; rank++) {
      int i = order[rank];
      int j = m.clusterIds()[i];
      boolean known = served && clusters.contains(j);
      ClusterTable.Node node = known ? clusters.node(j) : null;
      List<String> top =
          node != null && rank < topClusters ? topItems(node.centroid(), topItems) : List.of();
      out.add(
          new MemoryView.Cluster(
              j,
              m.edgeWeights()[i],
              node == null ? -1 : node.size(),
              node == null ? -1 : node.version(),
              top));
    }
    return Optional.of(
        new MemoryView(
            userId,
            m.modelVersion(),
            served,
            m.sequenceNumber(),
            m.chunkCount(),
            m.eventTimeMs(),
            m.updateTimeMs(),
            Math.max(0, clock.getAsLong() - m.updateTimeMs()),
            out));
  }

  /**
   * The items whose embeddings score highest against {@code vector} ({@code vector · h_T}): what a
   * cluster "is about", the demo's definition.
   */
  List<String> topItems(float[] vector, int n) {
    int first = SpecialTokens.FIRST_ITEM;
    int count = items.tokenCount() - first;
    float[] scores = new float[count];
    int[] candidates = new int[count];
    for (int k = 0; k < count; k++) {
      candidates[k] = first + k;
    }
    scorer.dots(vector, candidates, scores);
    Integer[] order = new Integer[count];
    for (int k = 0; k < count; k++) {
      order[k] = k;
    }
    Arrays.sort(order, Comparator.comparingDouble((Integer k) -> -scores[k]));
    List<String> top = new ArrayList<>(Math.min(n, count));
    for (int k = 0; k < Math.min(n, count); k++) {
      top.add(items.itemId(first + order[k]));
    }
    return top;
  }
}
