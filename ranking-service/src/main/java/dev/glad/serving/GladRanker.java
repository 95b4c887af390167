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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
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
   * Scores a request on the calling thread.
   *
   * @param deadlineNanos {@link System#nanoTime()} by which z_U must be there
   * @throws TimeoutException when the encoder did not answer before the deadline
   */
  public ScoreResult score(ScoreRequest request, long deadlineNanos)
      throws TimeoutException, InterruptedException {
    Prepared p = prepare(request);
    float[] z = p.encoding == null ? null : await(p.encoding, deadlineNanos);
    return finish(p, z);
  }

  /**
   * Scores a request without blocking a thread while z_U is computed: the lookups run on the
   * calling thread, the scores on {@code executor} once the encoder's batch has run. What a server
   * uses, so that a few threads keep many requests in the encoder's batch.
   */
  public CompletableFuture<ScoreResult> scoreAsync(ScoreRequest request, Executor executor) {
    Prepared p = prepare(request);
    if (p.encoding == null) {
      return CompletableFuture.completedFuture(finish(p, null));
    }
    return p.encoding.thenApplyAsync(z -> finish(p, z), executor);
  }

  /** What a request needs before z_U: indices, the memory, the encoder's job. */
  private static final class Prepared {
    ScoreRequest request;
    int[] candidates;
    int unknownCandidates;
    List<String> unknownRecent;
    CompletableFuture<float[]> encoding;
    ScoreResult.Memory memoryStatus;
    StoredUserMemory stored;
    CandidateScorer.Memory memory;
  }

  private Prepared prepare(ScoreRequest request) {
    Prepared p = new Prepared();
    p.request = request;
    p.candidates = new int[request.candidates().size()];
    for (int t = 0; t < p.candidates.length; t++) {
      p.candidates[t] = items.indexOf(request.candidates().get(t));
      p.unknownCandidates += p.candidates[t] < 0 ? 1 : 0;
    }
    List<String> recent = request.recentItems();
    List<String> window = recent.subList(Math.max(0, recent.size() - c), recent.size());
    int[] recentIndices = new int[window.size()];
    p.unknownRecent = new ArrayList<>();
    for (int i = 0; i < recentIndices.length; i++) {
      int index = items.indexOf(window.get(i));
      if (index < 0) {
        p.unknownRecent.add(window.get(i));
        index = SpecialTokens.UNK; // as the stream encodes an unknown item
      }
      recentIndices[i] = index;
    }
    // queue the encoder first: the memory lookup overlaps with its batch
    p.encoding = recentIndices.length > 0 ? encoder.encode(recentIndices) : null;

    p.memoryStatus = ScoreResult.Memory.NOT_REQUESTED;
    if (request.useMemory()) {
      StoredUserMemory stored = users.get(request.userId()).orElse(null);
      if (stored == null || !stored.hasEdges()) {
        p.memoryStatus = ScoreResult.Memory.NONE;
      } else if (!stored.modelVersion().equals(model.modelVersion())) {
        p.memoryStatus = ScoreResult.Memory.OTHER_MODEL_VERSION;
      } else {
        p.memory = memoryOf(stored);
        p.memoryStatus = p.memory == null ? ScoreResult.Memory.INVALID : ScoreResult.Memory.USED;
        p.stored = p.memory == null ? null : stored;
      }
    }
    return p;
  }

  private ScoreResult finish(Prepared p, float[] encoded) {
    float[] zU;
    ScoreResult.ShortTermSource source;
    if (encoded != null) {
      zU = encoded;
      source = ScoreResult.ShortTermSource.RECENT_ITEMS;
    } else if (p.memory != null) {
      zU = p.stored.shortTerm();
      source = ScoreResult.ShortTermSource.MEMORY;
    } else {
      zU = null;
      source = ScoreResult.ShortTermSource.NONE;
    }
    int[] candidates = p.candidates;
    float[] scores = new float[candidates.length];
    float[] gates = new float[candidates.length];
    ScoreResult.Scoring scoring;
    if (zU == null) {
      scoring = ScoreResult.Scoring.POPULARITY;
      scorer.popularity(candidates, scores);
      Arrays.fill(gates, Float.NaN);
    } else {
      UserSide user = scorer.userSide(zU, p.memory);
      scoring = user.hasMemory() ? ScoreResult.Scoring.GLAD : ScoreResult.Scoring.SHORT_TERM;
      scorer.score(user, candidates, scores, gates);
    }
    long ageMs = -1;
    if (p.memory != null) {
      ageMs = Math.max(0, clock.getAsLong() - p.stored.updateTimeMs());
      metrics.memoryAge(ageMs / 1000.0);
    }
    metrics.scored(scoring.label(), p.memoryStatus.label(), candidates.length);
    metrics.unknownItems("candidate", p.unknownCandidates);
    metrics.unknownItems("recent", p.unknownRecent.size());
    return new ScoreResult(
        model.modelVersion(),
        p.request.userId(),
        scoring,
        p.memoryStatus,
        source,
        ageMs,
        p.memory == null ? 0 : p.stored.chunkCount(),
        p.request.candidates(),
        scores,
        gates,
        p.unknownRecent);
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
