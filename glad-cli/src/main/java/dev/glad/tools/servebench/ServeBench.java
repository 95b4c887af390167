package dev.glad.tools.servebench;

import static dev.glad.tools.bench.Stats.median;
import static dev.glad.tools.bench.Stats.percentile;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.glad.model.artifact.GladModel;
import dev.glad.model.memory.UserGraphMemory;
import dev.glad.schemas.ClusterEdge;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.UserMemory;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.serving.app.RankingService;
import dev.glad.serving.config.RankingServiceOptions;
import dev.glad.serving.config.RankingServiceSettings;
import dev.glad.tools.generator.SyntheticInteractions;
import dev.glad.tools.kafka.EmbeddedKafkaBroker;
import dev.glad.tools.kafka.TopicAdmin;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.statistics.HistogramDataset;

/**
 * {@code ./glad serve-bench}: a closed-loop load test of the real ranking service over loopback.
 *
 * <p>Setup: an in-process broker; the user-memory topic filled with the memories the job would
 * publish for the generator's history (built by the offline memory builder over the artifact's
 * clusters, so no Flink job is needed to measure serving); the service started on it and read to
 * ready. Then N client threads each send a request, wait for the answer and send the next, for
 * every (concurrency, candidates) cell, each cell twice: GLAD and short-term only ({@code
 * "useMemory": false}: {@code z_U · h_T + b_T}, Bert4Rec's cost on the same server), so the ratio
 * comes from one run. Rounds alternate over all cells so machine noise spreads over all of them.
 */
public final class ServeBench {
  /** The bench's settings. */
  public record Options(
      Path model,
      int users,
      int historyEvents,
      List<Integer> concurrencies,
      List<Integer> candidateCounts,
      Duration warmup,
      Duration duration,
      int rounds,
      long seed,
      Path json,
      Path png) {
    public Options {
      require(users >= 1, "--users must be >= 1, got " + users);
      require(historyEvents >= 1, "--events must be >= 1, got " + historyEvents);
      require(!concurrencies.isEmpty(), "--concurrency needs at least one value");
      require(concurrencies.stream().allMatch(c -> c >= 1), "--concurrency values must be >= 1");
      require(!candidateCounts.isEmpty(), "--candidates needs at least one value");
      require(candidateCounts.stream().allMatch(k -> k >= 1), "--candidates values must be >= 1");
      require(rounds >= 1, "--rounds must be >= 1, got " + rounds);
      require(!duration.isNegative() && !duration.isZero(), "--duration must be > 0");
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }

  /** One cell's measurements, pooled over rounds. */
  record Cell(
      int concurrency,
      int candidates,
      boolean glad,
      List<long[]> latenciesPerRound,
      List<Double> requestsPerSecond,
      long errors) {
    String key() {
      return "c" + concurrency + "_k" + candidates;
    }

    long[] all() {
      return latenciesPerRound.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    }
  }

  private static final String HOST = "127.0.0.1";

  private final Options options;
  private final PrintStream out;

  public ServeBench(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** Runs the bench, prints the table and writes the JSON and PNG; returns the JSON. */
  public JsonObject run() throws Exception {
    double[] loadBefore = loadAverage();
    out.printf("serve-bench: load average before %s%n", Arrays.toString(loadBefore));
    Map<String, List<String>> history = history();
    try (GladModel model = GladModel.load(options.model(), "cpu");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      int c = model.config().chunkSize();
      GladTopics topics = GladTopics.withPrefix("serve-bench.");
      TopicAdmin.createMissing(broker.bootstrapServers(), topics, 4, (short) 1);
      List<String> usersWithMemory = publishMemories(model, history, broker, topics);
      RankingServiceSettings settings =
          RankingServiceSettings.builder()
              .set(RankingServiceOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers())
              .set(RankingServiceOptions.TOPIC_PREFIX, topics.prefix())
              .set(RankingServiceOptions.MODEL_DIR, options.model().toString())
              .set(RankingServiceOptions.HOST, HOST)
              .set(RankingServiceOptions.PORT, 0)
              .build();
      try (RankingService service = RankingService.start(settings)) {
        if (!service.awaitReady(Duration.ofMinutes(5))) {
          throw new IllegalStateException(
              "the service did not become ready: " + service.materializer().notReadyReason());
        }
        out.printf(
            "  service ready at %s: %,d user memories, model %s (e=%d, c=%d, K=%d, %s)%n",
            service.baseUrl(),
            usersWithMemory.size(),
            model.modelVersion(),
            model.config().hiddenSize(),
            c,
            model.clusterCount(),
            model.config().variant().flag());
        Map<Integer, byte[][]> glad = new LinkedHashMap<>();
        Map<Integer, byte[][]> shortTerm = new LinkedHashMap<>();
        for (int k : options.candidateCounts()) {
          glad.put(k, requests(model, history, usersWithMemory, k, true));
          shortTerm.put(k, requests(model, history, usersWithMemory, k, false));
        }
        int port = service.port();
        out.printf("  warming up for %s ...%n", options.warmup());
        for (int k : options.candidateCounts()) {
          long each = options.warmup().toNanos() / (2L * options.candidateCounts().size());
          load(port, 8, glad.get(k), each);
          load(port, 8, shortTerm.get(k), each);
        }
        List<Cell> cells = measure(port, glad, shortTerm);
        double[] loadAfter = loadAverage();
        JsonObject json = report(cells, model, loadBefore, loadAfter, usersWithMemory.size());
        writeFiles(json, cells);
        return json;
      }
    }
  }

  private Map<String, List<String>> history() {
    SyntheticInteractions generator =
        new SyntheticInteractions(
            SyntheticInteractions.Settings.defaults(options.seed(), 0).withUsers(options.users()));
    Map<String, List<String>> byUser = new LinkedHashMap<>();
    for (InteractionEvent e : generator.next(options.historyEvents())) {
      byUser.computeIfAbsent(e.getUserId(), u -> new ArrayList<>()).add(e.getItemId());
    }
    return byUser;
  }

  /** Publishes each user's memory as the job would; returns the users that have one. */
  private List<String> publishMemories(
      GladModel model,
      Map<String, List<String>> history,
      EmbeddedKafkaBroker broker,
      GladTopics topics)
      throws Exception {
    int c = model.config().chunkSize();
    List<String> ids = new ArrayList<>();
    List<int[]> inputs = new ArrayList<>();
    history.forEach(
        (user, items) -> {
          if (items.size() >= c) {
            ids.add(user);
            inputs.add(model.vocabulary().indicesOf(items));
          }
        });
    out.printf("  building %,d users' memories with the offline builder ...%n", ids.size());
    List<UserGraphMemory> memories = model.memoryBuilder().buildAll(inputs);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    long now = System.currentTimeMillis();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (int u = 0; u < ids.size(); u++) {
        UserGraphMemory m = memories.get(u);
        List<ClusterEdge> edges = new ArrayList<>();
        for (int i = 0; i < m.clusterIds().length; i++) {
          edges.add(new ClusterEdge(m.clusterIds()[i], m.edgeWeights()[i]));
        }
        UserMemory record =
            UserMemory.newBuilder()
                .setUserId(ids.get(u))
                .setModelVersion(model.modelVersion())
                .setEventTime(Instant.ofEpochMilli(now))
                .setUpdateTime(Instant.ofEpochMilli(now))
                .setChunkCount(m.chunkCount())
                .setClusters(edges)
                .setHU0(floats(m.hU0()))
                .setLongTerm(floats(m.longTerm()))
                .setShortTerm(floats(m.zU()))
                .setSequenceNumber(m.chunkCount()) // the job counts from 1
                .build();
        acks.add(
            producer.send(
                new ProducerRecord<>(
                    topics.userMemory().name(),
                    topics.userMemory().serializeKey(ids.get(u)),
                    topics.userMemory().serializeValue(record))));
      }
      for (Future<RecordMetadata> ack : acks) {
        ack.get(); // a lost record would silently shrink the bench's user set
      }
    }
    return ids;
  }

  private static List<Float> floats(float[] v) {
    List<Float> out = new ArrayList<>(v.length);
    for (float x : v) {
      out.add(x);
    }
    return out;
  }

  /** A pool of request bytes: users with memory, their last c items, k random known items. */
  private byte[][] requests(
      GladModel model,
      Map<String, List<String>> history,
      List<String> users,
      int k,
      boolean useMemory) {
    int c = model.config().chunkSize();
    List<String> vocabulary = model.vocabulary().itemIds();
    SplittableRandom random = new SplittableRandom(options.seed() * 31 + k);
    byte[][] pool = new byte[256][];
    for (int r = 0; r < pool.length; r++) {
      String user = users.get(random.nextInt(users.size()));
      List<String> items = history.get(user);
      StringBuilder sb = new StringBuilder(32 + 12 * (k + c));
      sb.append("{\"userId\":\"").append(user).append("\",\"recentItems\":[");
      List<String> recent = items.subList(Math.max(0, items.size() - c), items.size());
      for (int i = 0; i < recent.size(); i++) {
        sb.append(i > 0 ? "," : "").append('"').append(recent.get(i)).append('"');
      }
      sb.append("],\"candidates\":[");
      for (int t = 0; t < k; t++) {
        sb.append(t > 0 ? "," : "")
            .append('"')
            .append(vocabulary.get(random.nextInt(vocabulary.size())))
            .append('"');
      }
      sb.append("],\"useMemory\":").append(useMemory).append('}');
      pool[r] = LoopbackClient.post(HOST, "/v1/score", sb.toString());
    }
    return pool;
  }

  private List<Cell> measure(
      int port, Map<Integer, byte[][]> glad, Map<Integer, byte[][]> shortTerm) throws Exception {
    Map<String, Cell> cells = new LinkedHashMap<>();
    int total =
        options.rounds() * options.concurrencies().size() * options.candidateCounts().size() * 2;
    int done = 0;
    for (int round = 1; round <= options.rounds(); round++) {
      for (int concurrency : options.concurrencies()) {
        for (int k : options.candidateCounts()) {
          for (boolean isGlad : new boolean[] {true, false}) {
            Run run =
                load(
                    port,
                    concurrency,
                    (isGlad ? glad : shortTerm).get(k),
                    options.duration().toNanos());
            String key = "c" + concurrency + "_k" + k + (isGlad ? "" : "_short");
            Cell cell =
                cells.computeIfAbsent(
                    key,
                    x -> new Cell(concurrency, k, isGlad, new ArrayList<>(), new ArrayList<>(), 0));
            cell.latenciesPerRound().add(run.latencies());
            cell.requestsPerSecond().add(run.requestsPerSecond());
            if (run.errors() > 0) {
              cells.put(
                  key,
                  new Cell(
                      concurrency,
                      k,
                      isGlad,
                      cell.latenciesPerRound(),
                      cell.requestsPerSecond(),
                      cell.errors() + run.errors()));
            }
            done++;
            out.printf(
                "  [%d/%d] round %d %-10s %-10s %,8.0f requests/s  p50 %.2f ms  p99 %.2f ms%s%n",
                done,
                total,
                round,
                "c" + concurrency + "_k" + k,
                isGlad ? "GLAD" : "short-term",
                run.requestsPerSecond(),
                percentile(sorted(run.latencies()), 0.50) / 1e6,
                percentile(sorted(run.latencies()), 0.99) / 1e6,
                run.errors() > 0 ? "  ERRORS " + run.errors() : "");
          }
        }
      }
    }
    return new ArrayList<>(cells.values());
  }

  private record Run(long[] latencies, double requestsPerSecond, long errors) {}

  /** N closed-loop clients for {@code nanos}: each sends, waits for the answer, sends again. */
  private static Run load(int port, int concurrency, byte[][] pool, long nanos) throws Exception {
    AtomicLong errors = new AtomicLong();
    List<long[]> perThread = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    long end = start + nanos;
    for (int t = 0; t < concurrency; t++) {
      long[][] buffer = {new long[4096]};
      perThread.add(null);
      int index = t;
      Thread thread =
          new Thread(
              () -> {
                int n = 0;
                try (LoopbackClient client = new LoopbackClient(HOST, port)) {
                  int next = index * 7;
                  while (System.nanoTime() < end) {
                    byte[] request = pool[next++ % pool.length];
                    long sent = System.nanoTime();
                    int status = client.exchange(request);
                    long took = System.nanoTime() - sent;
                    if (status != 200) {
                      errors.incrementAndGet();
                      continue;
                    }
                    if (n == buffer[0].length) {
                      buffer[0] = Arrays.copyOf(buffer[0], n * 2);
                    }
                    buffer[0][n++] = took;
                  }
                } catch (IOException e) {
                  errors.incrementAndGet();
                }
                synchronized (perThread) {
                  perThread.set(index, Arrays.copyOf(buffer[0], n));
                }
              },
              "serve-bench-client-" + t);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long[] all;
    synchronized (perThread) {
      all = perThread.stream().flatMapToLong(Arrays::stream).toArray();
    }
    return new Run(all, all.length / seconds, errors.get());
  }

  private JsonObject report(
      List<Cell> cells, GladModel model, double[] loadBefore, double[] loadAfter, int users) {
    JsonObject json = new JsonObject();
    json.addProperty("date", Instant.now().toString());
    JsonObject machine = new JsonObject();
    machine.addProperty("cores", Runtime.getRuntime().availableProcessors());
    machine.add("loadAverageBefore", array(loadBefore));
    machine.add("loadAverageAfter", array(loadAfter));
    machine.addProperty("java", System.getProperty("java.version"));
    json.add("machine", machine);
    JsonObject m = new JsonObject();
    m.addProperty("version", model.modelVersion());
    m.addProperty("variant", model.config().variant().flag());
    m.addProperty("e", model.config().hiddenSize());
    m.addProperty("c", model.config().chunkSize());
    m.addProperty("K", model.clusterCount());
    m.addProperty("items", model.vocabulary().itemCount());
    m.addProperty("usersWithMemory", users);
    json.add("model", m);
    JsonObject settings = new JsonObject();
    settings.addProperty("durationSeconds", options.duration().toMillis() / 1000.0);
    settings.addProperty("rounds", options.rounds());
    settings.addProperty("warmupSeconds", options.warmup().toMillis() / 1000.0);
    json.add("settings", settings);

    out.println();
    out.println(
        "serve-bench (latency from send to the last byte of the answer, ms; requests/s median"
            + " [min-max] over rounds)");
    out.printf(
        "  %-10s %-11s %8s %8s %8s %8s %10s %20s %7s%n",
        "cell", "scoring", "p50", "p99", "p999", "mean", "req/s", "range", "errors");
    Map<String, Cell> byKey = new LinkedHashMap<>();
    for (Cell cell : cells) {
      byKey.put(cell.key() + (cell.glad() ? "" : "_short"), cell);
    }
    for (Cell cell : cells) {
      if (!cell.glad()) {
        continue;
      }
      Cell shortCell = byKey.get(cell.key() + "_short");
      JsonObject entry = stats(cell);
      JsonObject shortEntry = stats(shortCell);
      entry.add("short_term", shortEntry);
      entry.addProperty(
          "glad_over_short_term_p50",
          entry.get("p50_ms").getAsDouble() / shortEntry.get("p50_ms").getAsDouble());
      entry.addProperty(
          "glad_over_short_term_mean",
          entry.get("mean_ms").getAsDouble() / shortEntry.get("mean_ms").getAsDouble());
      json.add(cell.key(), entry);
      print(cell, entry, "GLAD");
      print(shortCell, shortEntry, "short-term");
    }
    // the paper's Table 5 compares average latency per request; concurrency 1 isolates the cost
    int k = options.candidateCounts().contains(100) ? 100 : options.candidateCounts().get(0);
    int c = options.concurrencies().contains(1) ? 1 : options.concurrencies().get(0);
    String basis = "c" + c + "_k" + k;
    double ratio = json.getAsJsonObject(basis).get("glad_over_short_term_mean").getAsDouble();
    json.addProperty("glad_over_short_term", ratio);
    json.addProperty("glad_over_short_term_basis", basis + " mean latency");
    out.printf(
        "  GLAD / short-term latency (%s, mean): %.2fx (paper Table 5: GLAD / Bert4Rec = 1.61x;"
            + " aim <= 1.2x)%n",
        basis, ratio);
    out.printf(
        "  load average before %s, after %s (2 cores; the load generator shares them)%n",
        Arrays.toString(loadBefore), Arrays.toString(loadAfter));
    return json;
  }

  private void print(Cell cell, JsonObject e, String scoring) {
    out.printf(
        "  %-10s %-11s %8.2f %8.2f %8.2f %8.2f %10.0f %20s %7d%n",
        cell.key(),
        scoring,
        e.get("p50_ms").getAsDouble(),
        e.get("p99_ms").getAsDouble(),
        e.get("p999_ms").getAsDouble(),
        e.get("mean_ms").getAsDouble(),
        e.get("requests_per_s").getAsDouble(),
        String.format(
            "[%.0f-%.0f]",
            e.get("requests_per_s_min").getAsDouble(), e.get("requests_per_s_max").getAsDouble()),
        cell.errors());
  }

  private static JsonObject stats(Cell cell) {
    long[] all = cell.all();
    JsonObject e = new JsonObject();
    e.addProperty("requests", all.length);
    e.addProperty("p50_ms", percentile(all, 0.50) / 1e6);
    e.addProperty("p99_ms", percentile(all, 0.99) / 1e6);
    e.addProperty("p999_ms", percentile(all, 0.999) / 1e6);
    e.addProperty("mean_ms", Arrays.stream(all).average().orElse(Double.NaN) / 1e6);
    double[] rps =
        cell.requestsPerSecond().stream().mapToDouble(Double::doubleValue).sorted().toArray();
    e.addProperty("requests_per_s", median(rps));
    e.addProperty("requests_per_s_min", rps[0]);
    e.addProperty("requests_per_s_max", rps[rps.length - 1]);
    JsonArray rounds = new JsonArray();
    cell.requestsPerSecond().forEach(rounds::add);
    e.add("requests_per_s_rounds", rounds);
    e.addProperty("errors", cell.errors());
    return e;
  }

  private static long[] sorted(long[] values) {
    long[] s = values.clone();
    Arrays.sort(s);
    return s;
  }

  private static JsonArray array(double[] values) {
    JsonArray a = new JsonArray();
    for (double v : values) {
      a.add(v);
    }
    return a;
  }

  /** The 1, 5 and 15 minute load averages (empty where /proc is not there). */
  static double[] loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split("\\s+");
      return new double[] {
        Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Double.parseDouble(parts[2])
      };
    } catch (IOException | RuntimeException e) {
      return new double[0];
    }
  }

  private void writeFiles(JsonObject json, List<Cell> cells) {
    try {
      if (options.json() != null) {
        Path parent = options.json().toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.writeString(
            options.json(),
            new GsonBuilder().setPrettyPrinting().create().toJson(json),
            StandardCharsets.UTF_8);
        out.println("  wrote " + options.json());
      }
      if (options.png() != null) {
        histogram(cells, options.png());
        out.println("  wrote " + options.png());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Latency histograms of the 100-candidate cells (or the first k), GLAD and short-term. */
  private void histogram(List<Cell> cells, Path png) throws IOException {
    int k = options.candidateCounts().contains(100) ? 100 : options.candidateCounts().get(0);
    HistogramDataset dataset = new HistogramDataset();
    double max = 0;
    List<Cell> shown = cells.stream().filter(c -> c.candidates() == k).toList();
    for (Cell cell : shown) {
      max = Math.max(max, percentile(cell.all(), 0.999) / 1e6);
    }
    for (Cell cell : shown) {
      long[] all = cell.all();
      double[] ms = new double[all.length];
      for (int i = 0; i < ms.length; i++) {
        ms[i] = Math.min(all[i] / 1e6, max);
      }
      dataset.addSeries(
          cell.key() + (cell.glad() ? " GLAD" : " short-term"), ms, 80, 0, Math.max(max, 0.1));
    }
    JFreeChart chart =
        ChartFactory.createHistogram(
            "Ranking service latency, " + k + " candidates (closed loop, loopback, 2 cores)",
            "latency ms (values above p99.9 of the slowest cell shown at the right edge)",
            "requests",
            dataset,
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    chart.getXYPlot().setForegroundAlpha(0.55f);
    Path parent = png.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 600);
  }
}
