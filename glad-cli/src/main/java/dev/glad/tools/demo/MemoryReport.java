package dev.glad.tools.demo;

import dev.glad.flink.memory.Vectors;
import dev.glad.model.data.ItemVocabulary;
import dev.glad.model.data.SpecialTokens;
import dev.glad.model.memory.GraphMemoryMath;
import dev.glad.schemas.ClusterEdge;
import dev.glad.schemas.UserMemory;
import dev.glad.tools.generator.SyntheticInteractions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the job's memories the way a person checks them against the generator's ground truth: a
 * vector "is about" the topics of the items it scores highest (the model's own item embeddings), so
 * a cluster gets the dominant topic of its centroid's top items, and a user's long-term vector has
 * recovered the planted interests when its top items fall in the user's planted topics.
 */
final class MemoryReport {
  /** Items looked at per vector. */
  static final int TOP_ITEMS = 20;

  private final GraphMemoryMath math;
  private final ItemVocabulary vocabulary;
  private final SyntheticInteractions generator;
  private final int[] topicOfIndex;

  MemoryReport(GraphMemoryMath math, ItemVocabulary vocabulary, SyntheticInteractions generator) {
    this.math = math;
    this.vocabulary = vocabulary;
    this.generator = generator;
    this.topicOfIndex = new int[vocabulary.tokenCount()];
    Arrays.fill(topicOfIndex, -1);
    for (int i = SpecialTokens.FIRST_ITEM; i < vocabulary.tokenCount(); i++) {
      topicOfIndex[i] = generator.topicOf(vocabulary.itemId(i));
    }
  }

  /** The item indices with the largest {@code vector · h_T}, best first. */
  int[] topItems(float[] vector, int n) {
    int count = vocabulary.tokenCount() - SpecialTokens.FIRST_ITEM;
    double[] score = new double[count];
    Integer[] order = new Integer[count];
    for (int k = 0; k < count; k++) {
      float[] item = math.itemEmbedding(k + SpecialTokens.FIRST_ITEM);
      double s = 0;
      for (int i = 0; i < item.length; i++) {
        s += (double) vector[i] * item[i];
      }
      score[k] = s;
      order[k] = k;
    }
    Arrays.sort(order, Comparator.comparingDouble((Integer k) -> -score[k]));
    int[] top = new int[Math.min(n, count)];
    for (int k = 0; k < top.length; k++) {
      top[k] = order[k] + SpecialTokens.FIRST_ITEM;
    }
    return top;
  }

  /** The most frequent generator topic among the vector's top items. */
  int dominantTopic(float[] vector) {
    Map<Integer, Integer> counts = new HashMap<>();
    for (int index : topItems(vector, TOP_ITEMS)) {
      counts.merge(topicOfIndex[index], 1, Integer::sum);
    }
    return counts.entrySet().stream()
        .max(Map.Entry.<Integer, Integer>comparingByValue().thenComparing(Map.Entry::getKey))
        .orElseThrow()
        .getKey();
  }

  /** Share of the vector's top items whose topic is one of {@code planted}. */
  double plantedShare(float[] vector, int[] planted) {
    int[] top = topItems(vector, TOP_ITEMS);
    int hits = 0;
    for (int index : top) {
      if (contains(planted, topicOfIndex[index])) {
        hits++;
      }
    }
    return (double) hits / top.length;
  }

  /**
   * Recovery of the planted interests over every user with a memory.
   *
   * @param edgeShare mean share of a user's edge weight on clusters whose dominant topic is one of
   *     the user's planted topics
   * @param longTermShare mean {@link #plantedShare} of the long-term vector h_U^L
   * @param shortTermShare mean {@link #plantedShare} of the short-term vector z_U
   * @param chance planted topics / topics: any of the shares for a memory that knows nothing
   */
  record Recovery(
      int users, double edgeShare, double longTermShare, double shortTermShare, double chance) {}

  Recovery recovery(Map<String, UserMemory> latestByUser, Map<Integer, float[]> centroids) {
    Map<Integer, Integer> topicOfCluster = new HashMap<>();
    double edges = 0;
    double longTerm = 0;
    double shortTerm = 0;
    int users = 0;
    for (UserMemory m : latestByUser.values()) {
      if (m.getChunkCount() == 0 || m.getLongTerm().isEmpty()) {
        continue;
      }
      int[] planted = generator.interestsOf(userIndex(m.getUserId()));
      long onPlanted = 0;
      long total = 0;
      for (ClusterEdge edge : m.getClusters()) {
        int topic =
            topicOfCluster.computeIfAbsent(
                edge.getClusterId(), j -> dominantTopic(centroids.get(j)));
        total += edge.getWeight();
        onPlanted += contains(planted, topic) ? edge.getWeight() : 0;
      }
      edges += total == 0 ? 0 : (double) onPlanted / total;
      longTerm += plantedShare(Vectors.toArray(m.getLongTerm()), planted);
      shortTerm += plantedShare(Vectors.toArray(m.getShortTerm()), planted);
      users++;
    }
    double chance =
        (double) generator.settings().interestsPerUser() / generator.settings().topics();
    return users == 0
        ? new Recovery(0, 0, 0, 0, chance)
        : new Recovery(users, edges / users, longTerm / users, shortTerm / users, chance);
  }

  /**
   * One line per memory update of a sample user: the top clusters by edge weight with each
   * cluster's dominant topic, so a reader sees the memory grow towards the planted topics.
   */
  List<String> timeline(List<UserMemory> updates, Map<Integer, float[]> centroids, int maxLines) {
    List<String> lines = new ArrayList<>();
    int step = Math.max(1, (updates.size() + maxLines - 1) / maxLines);
    for (int i = 0; i < updates.size(); i++) {
      boolean last = i == updates.size() - 1;
      if (i % step != 0 && !last) {
        continue;
      }
      UserMemory m = updates.get(i);
      List<ClusterEdge> edges = new ArrayList<>(m.getClusters());
      edges.sort(
          Comparator.comparingInt(ClusterEdge::getWeight)
              .reversed()
              .thenComparingInt(ClusterEdge::getClusterId));
      StringBuilder b =
          new StringBuilder(String.format(Locale.ROOT, "after chunk %3d:", m.getChunkCount()));
      for (ClusterEdge edge : edges.subList(0, Math.min(4, edges.size()))) {
        float[] centroid = centroids.get(edge.getClusterId());
        String topic = centroid == null ? "?" : Integer.toString(dominantTopic(centroid));
        b.append(
            String.format(
                Locale.ROOT, " c%d[t%s]x%d", edge.getClusterId(), topic, edge.getWeight()));
      }
      if (edges.size() > 4) {
        b.append(" +").append(edges.size() - 4).append(" more");
      }
      lines.add(b.toString());
    }
    return lines;
  }

  static int userIndex(String userId) {
    return Integer.parseInt(userId.substring(SyntheticInteractions.USER_PREFIX.length()));
  }

  private static boolean contains(int[] values, int v) {
    for (int x : values) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }
}
