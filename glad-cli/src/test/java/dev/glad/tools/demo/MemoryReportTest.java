package dev.glad.tools.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.glad.flink.memory.Vectors;
import dev.glad.model.data.ItemVocabulary;
import dev.glad.model.memory.GladOptions;
import dev.glad.model.memory.GraphMemoryMath;
import dev.glad.model.memory.HeadWeights;
import dev.glad.schemas.ClusterEdge;
import dev.glad.schemas.UserMemory;
import dev.glad.tools.generator.SyntheticInteractions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The demo's reading of memories against the generator's ground truth, on a hand-made item space: 4
 * topics of 25 items each, and every item of topic t has the embedding e_t (a unit vector).
 */
class MemoryReportTest {
  private static final int TOPICS = 4;
  private static final int ITEMS = 100;

  private final SyntheticInteractions generator =
      new SyntheticInteractions(
          SyntheticInteractions.Settings.defaults(3, 0).withUsers(2).withItems(ITEMS, TOPICS));
  private final MemoryReport report = new MemoryReport(math(), vocabulary(), generator);

  @Test
  void aVectorIsAboutTheTopicWhoseItemsItScoresHighest() {
    assertEquals(2, report.dominantTopic(new float[] {0, 0.1f, 1, 0}));
    assertEquals(1.0, report.plantedShare(unit(2), new int[] {2}), 1e-9);
    assertEquals(0.0, report.plantedShare(unit(2), new int[] {0, 1}), 1e-9);
  }

  @Test
  void recoveryWeighsEdgesByTheTopicOfTheirCluster() {
    int[] planted = generator.interestsOf(0);
    int other = otherTopic(planted);
    // cluster 0 is about a planted topic (weight 3), cluster 1 about another one (weight 1)
    Map<Integer, float[]> centroids = Map.of(0, unit(planted[0]), 1, unit(other));
    UserMemory memory =
        memory(
            SyntheticInteractions.userId(0),
            List.of(edge(0, 3), edge(1, 1)),
            unit(planted[0]),
            unit(other),
            4);

    MemoryReport.Recovery r = report.recovery(Map.of(memory.getUserId(), memory), centroids);

    assertEquals(1, r.users());
    assertEquals(0.75, r.edgeShare(), 1e-9);
    assertEquals(1.0, r.longTermShare(), 1e-9);
    assertEquals(0.0, r.shortTermShare(), 1e-9);
    assertEquals((double) planted.length / TOPICS, r.chance(), 1e-9);
  }

  @Test
  void theTimelineListsTheHeaviestClustersWithTheirTopics() {
    Map<Integer, float[]> centroids = Map.of(5, unit(1), 6, unit(3));
    List<UserMemory> updates =
        List.of(
            memory("u0", List.of(edge(5, 1)), unit(1), unit(1), 1),
            memory("u0", List.of(edge(6, 1), edge(5, 2)), unit(1), unit(1), 3));
    assertEquals(
        List.of("after chunk   1: c5[t1]x1", "after chunk   3: c5[t1]x2 c6[t3]x1"),
        report.timeline(updates, centroids, 5));
  }

  private static int otherTopic(int[] planted) {
    for (int t = 0; t < TOPICS; t++) {
      boolean isPlanted = false;
      for (int p : planted) {
        isPlanted |= p == t;
      }
      if (!isPlanted) {
        return t;
      }
    }
    throw new IllegalStateException("every topic is planted");
  }

  private static float[] unit(int topic) {
    float[] v = new float[TOPICS];
    v[topic] = 1;
    return v;
  }

  private static ClusterEdge edge(int cluster, int weight) {
    return ClusterEdge.newBuilder().setClusterId(cluster).setWeight(weight).build();
  }

  private static UserMemory memory(
      String user, List<ClusterEdge> edges, float[] longTerm, float[] shortTerm, long chunks) {
    return UserMemory.newBuilder()
        .setUserId(user)
        .setModelVersion("m")
        .setEventTime(Instant.EPOCH)
        .setUpdateTime(Instant.EPOCH)
        .setChunkCount(chunks)
        .setClusters(edges)
        .setHU0(Vectors.toList(longTerm))
        .setLongTerm(Vectors.toList(longTerm))
        .setShortTerm(Vectors.toList(shortTerm))
        .setSequenceNumber(chunks - 1)
        .build();
  }

  private static ItemVocabulary vocabulary() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      ids.add(SyntheticInteractions.ITEM_PREFIX + i);
    }
    return ItemVocabulary.of(ids);
  }

  /** Token table: the special tokens, then item i = the unit vector of its topic. */
  private static GraphMemoryMath math() {
    int e = TOPICS;
    int specials = vocabulary().tokenCount() - ITEMS;
    float[][] table = new float[specials + ITEMS][e];
    for (int i = 0; i < ITEMS; i++) {
      table[specials + i][i / (ITEMS / TOPICS)] = 1;
    }
    float[][] square = new float[e][e];
    float[][] wide = new float[e][2 * e];
    return new GraphMemoryMath(
        GladOptions.builder().build(),
        new HeadWeights(
            wide,
            new float[e],
            wide,
            new float[e],
            wide,
            new float[e],
            square,
            square,
            new float[e]),
        table,
        new float[specials + ITEMS],
        vocabulary());
  }
}
