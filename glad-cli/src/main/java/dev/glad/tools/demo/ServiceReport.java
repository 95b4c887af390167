package dev.glad.tools.demo;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.glad.schemas.CompletedChunk;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.serving.app.RankingService;
import dev.glad.serving.config.RankingServiceOptions;
import dev.glad.serving.config.RankingServiceSettings;
import dev.glad.tools.generator.SyntheticInteractions;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The end of the demo: the ranking service started on the demo's topics, and for sample users where
 * the items of their planted long-term interests rank among every item, scored over HTTP with the
 * memory (GLAD) and without it (short-term only, {@code "useMemory": false}). The recent items are
 * the user's last few items (about one session of the generator), so a planted topic the user did
 * not touch in them can only come up through the memory.
 */
final class ServiceReport {
  /** Recent items sent with each request: about one session (the generator's mean is 6). */
  static final int RECENT_ITEMS = 4;

  private ServiceReport() {}

  static void run(
      String bootstrapServers,
      GladTopics topics,
      Path modelDir,
      SyntheticInteractions generator,
      Map<String, CompletedChunk> lastChunks,
      List<String> sampleUsers,
      List<String> items,
      PrintStream out)
      throws Exception {
    RankingServiceSettings settings =
        RankingServiceSettings.builder()
            .set(RankingServiceOptions.BOOTSTRAP_SERVERS, bootstrapServers)
            .set(RankingServiceOptions.TOPIC_PREFIX, topics.prefix())
            .set(RankingServiceOptions.MODEL_DIR, modelDir.toString())
            .set(RankingServiceOptions.HOST, "127.0.0.1")
            .set(RankingServiceOptions.PORT, 0)
            .build();
    out.println();
    out.println("GLAD demo: starting the ranking service on the demo's topics ...");
    long start = System.nanoTime();
    try (RankingService service = RankingService.start(settings)) {
      if (!service.awaitReady(Duration.ofMinutes(2))) {
        out.println(
            "  the service did not become ready: " + service.materializer().notReadyReason());
        return;
      }
      out.printf(
          "  ranking service      %s ready in %.1f s (%,d memory records read)%n",
          service.baseUrl(),
          (System.nanoTime() - start) / 1e9,
          service.materializer().recordsRead());
      out.printf(
          "  where planted long-term interests rank among all %,d items (median rank of the"
              + " topic's items, 1 = best; recent items = the user's last %d):%n",
          items.size(), RECENT_ITEMS);
      HttpClient http = HttpClient.newHttpClient();
      for (String user : sampleUsers) {
        CompletedChunk chunk = lastChunks.get(user);
        if (chunk == null) {
          continue;
        }
        List<String> chunkItems = chunk.getItemIds();
        List<String> recent =
            chunkItems.subList(Math.max(0, chunkItems.size() - RECENT_ITEMS), chunkItems.size());
        double[] withMemory = score(http, service.baseUrl(), user, recent, items, true);
        double[] shortTerm = score(http, service.baseUrl(), user, recent, items, false);
        int[] rankWith = ranks(withMemory);
        int[] rankWithout = ranks(shortTerm);
        int[] planted = generator.interestsOf(MemoryReport.userIndex(user));
        TreeSet<Integer> recentTopics = new TreeSet<>();
        recent.forEach(i -> recentTopics.add(generator.topicOf(i)));
        out.printf(
            "    %s (planted topics %s, recent items in topics %s)%n",
            user, Arrays.toString(planted), recentTopics);
        for (int topic : planted) {
          List<Integer> with = new ArrayList<>();
          List<Integer> without = new ArrayList<>();
          for (int t = 0; t < items.size(); t++) {
            if (generator.topicOf(items.get(t)) == topic) {
              with.add(rankWith[t]);
              without.add(rankWithout[t]);
            }
          }
          out.printf(
              "      topic %2d%s: median rank %,6d with memory, %,6d without; in the top 100: %d"
                  + " vs %d of %d%n",
              topic,
              recentTopics.contains(topic) ? " (recent)" : "         ",
              median(with),
              median(without),
              with.stream().filter(r -> r <= 100).count(),
              without.stream().filter(r -> r <= 100).count(),
              with.size());
        }
      }
      out.printf(
          "  try it: curl -s %s/v1/users/%s/memory   (the demo stops the service when it ends;"
              + " ./glad serve runs it on any Kafka)%n",
          service.baseUrl(), sampleUsers.get(0));
    }
  }

  private static double[] score(
      HttpClient http,
      String baseUrl,
      String user,
      List<String> recent,
      List<String> items,
      boolean useMemory)
      throws Exception {
    JsonObject body = new JsonObject();
    body.addProperty("userId", user);
    JsonArray r = new JsonArray();
    recent.forEach(r::add);
    body.add("recentItems", r);
    JsonArray c = new JsonArray();
    items.forEach(c::add);
    body.add("candidates", c);
    body.addProperty("useMemory", useMemory);
    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(URI.create(baseUrl + "/v1/score"))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (answer.statusCode() != 200) {
      throw new IllegalStateException(
          "the service answered " + answer.statusCode() + ": " + answer.body());
    }
    JsonArray results =
        JsonParser.parseString(answer.body()).getAsJsonObject().getAsJsonArray("results");
    double[] scores = new double[results.size()];
    for (int t = 0; t < scores.length; t++) {
      var s = results.get(t).getAsJsonObject().get("score");
      scores[t] = s.isJsonNull() ? Double.NEGATIVE_INFINITY : s.getAsDouble();
    }
    return scores;
  }

  /** 1-based rank of every entry, highest score first. */
  static int[] ranks(double[] scores) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -scores[i]));
    int[] rank = new int[scores.length];
    for (int r = 0; r < order.length; r++) {
      rank[order[r]] = r + 1;
    }
    return rank;
  }

  private static int median(List<Integer> values) {
    if (values.isEmpty()) {
      return 0;
    }
    List<Integer> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
