package dev.glad.model.workflow;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.glad.model.artifact.GladArtifact;
import dev.glad.model.artifact.GladModel;
import dev.glad.model.artifact.ModelArtifact;
import dev.glad.model.data.InteractionFileReader;
import dev.glad.model.data.InteractionFormat;
import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.data.UserSequences;
import dev.glad.model.encoder.Devices;
import dev.glad.model.encoder.EngineSetup;
import dev.glad.model.encoder.SequenceEncoder;
import dev.glad.model.eval.EvaluationResult;
import dev.glad.model.eval.Evaluator;
import dev.glad.model.eval.GatePlot;
import dev.glad.model.eval.NegativeProtocol;
import dev.glad.model.eval.RankingMetrics;
import dev.glad.model.eval.Scorer;
import dev.glad.model.eval.Scorers;
import dev.glad.model.head.GladHead;
import dev.glad.model.head.GladScorer;
import dev.glad.model.memory.GladConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Leave-one-out evaluation of a model artifact as one call. A Bert4Rec (phase-1) artifact is scored
 * on its full window, optionally with the random and popularity baselines. A GLAD artifact is
 * scored with the memory exactly as the stream holds it at the test moment, next to its own encoder
 * alone on the last c items ("short-term") and optionally a phase-1 artifact ({@code compare});
 * with per-history-length segments (paper Table 2), the gate distribution (Fig. 3a) and the memory
 * footprint (eq. 8-9). The command line ({@code glad evaluate}) calls this.
 */
public final class Evaluation {
  public static final long DEFAULT_SEED = 42;
  public static final int DEFAULT_BATCH = 256;

  /** Segments of users by history length: top share of users. */
  static final double[] SEGMENTS = {0.01, 0.05, 0.15, 0.50, 1.0};

  private static final Gson GSON =
      new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

  private Evaluation() {}

  /**
   * What to evaluate.
   *
   * @param model the artifact
   * @param data interaction file
   * @param format its format, or null to infer it from the file name
   * @param protocols negative protocols, in order
   * @param target the test or the validation item
   * @param seed seeds negative sampling and tie-breaks
   * @param batch users per forward pass
   * @param device {@code auto|cpu|gpu|gpu:N}
   * @param threads PyTorch intra-op threads, 0 for all cores
   * @param maxUsers evaluate a seeded random subset of this many users (0 = all)
   * @param baselines also the random and popularity baselines
   * @param compare GLAD only: also this phase-1 artifact on its full window, or null
   * @param segments GLAD only: gains by history-length segment
   * @param footprint GLAD only: memory size at the test moment against eq. 8-9
   * @param gatePng GLAD only: histogram of the gate values, or null
   * @param json write every number here as JSON, or null
   * @param ranksCsv write every evaluated user's rank of the target under every (scorer, protocol)
   *     here, for analyses by user properties the report does not know, or null
   * @param leakTarget GLAD analysis only: the memory also holds a node made from the last c - 1
   *     input items and the target (sampled protocols only)
   */
  public record Request(
      Path model,
      Path data,
      InteractionFormat format,
      List<NegativeProtocol> protocols,
      LeaveOneOutSplit.Target target,
      long seed,
      int batch,
      String device,
      int threads,
      int maxUsers,
      boolean baselines,
      Path compare,
      boolean segments,
      boolean footprint,
      Path gatePng,
      Path json,
      Path ranksCsv,
      boolean leakTarget) {}

  /** Evaluates; prints the table and returns the report that {@code json} receives. */
  public static JsonObject run(Request request, PrintStream out) {
    ModelArtifact artifact = ModelArtifact.load(request.model());
    if (GladArtifact.isGlad(artifact)) {
      return glad(request, artifact, out);
    }
    if (request.compare() != null
        || request.segments()
        || request.footprint()
        || request.gatePng() != null
        || request.leakTarget()) {
      throw new IllegalArgumentException(
          "compare, segments, footprint, the gate plot and the target leak apply to GLAD"
              + " artifacts only; "
              + request.model()
              + " is a Bert4Rec artifact");
    }
    return encoderOnly(request, artifact, out);
  }

  private static JsonObject encoderOnly(Request r, ModelArtifact artifact, PrintStream out) {
    EngineSetup.configure(r.threads());
    UserSequences sequences =
        InteractionFileReader.read(r.data(), Inputs.format(r.data(), r.format()));
    LeaveOneOutSplit split = LeaveOneOutSplit.of(sequences, artifact.vocabulary());
    Evaluator evaluator = new Evaluator(split, r.target(), r.seed(), r.batch(), r.maxUsers());
    out.printf(
        Locale.ROOT,
        "Model %s, %s split of %s: %d users evaluated, %d unknown item ids in the data%n",
        artifact.modelVersion(),
        r.target().name().toLowerCase(Locale.ROOT),
        r.data(),
        evaluator.userCount(),
        artifact.vocabulary().unknownLookups());
    Map<String, Map<NegativeProtocol, EvaluationResult>> results = new LinkedHashMap<>();
    Map<String, Map<NegativeProtocol, int[]>> ranks = new LinkedHashMap<>();
    try (SequenceEncoder encoder = artifact.openEncoder(Devices.resolve(r.device()))) {
      evaluateAll(
          "bert4rec", Scorers.model(encoder), evaluator, split, r.protocols(), results, ranks, out);
    }
    if (r.baselines()) {
      baselines(r, split, evaluator, results, ranks, out);
    }
    out.println();
    out.print(table(results));
    JsonObject root = header(r, artifact, evaluator);
    root.addProperty("negativesPerUser", Evaluator.SAMPLED_NEGATIVES);
    root.addProperty("unknownItemLookups", artifact.vocabulary().unknownLookups());
    root.add("results", resultsJson(results));
    write(r.json(), root, out);
    writeRanks(r.ranksCsv(), sequences, split, ranks, out);
    return root;
  }

  private static JsonObject glad(Request r, ModelArtifact artifact, PrintStream out) {
    EngineSetup.configure(r.threads());
    GladConfig config = GladArtifact.readConfig(artifact);
    UserSequences sequences =
        InteractionFileReader.read(r.data(), Inputs.format(r.data(), r.format()));
    LeaveOneOutSplit split = LeaveOneOutSplit.of(sequences, artifact.vocabulary());
    Evaluator evaluator = new Evaluator(split, r.target(), r.seed(), r.batch(), r.maxUsers());
    List<NegativeProtocol> protocols = r.protocols();
    out.printf(
        Locale.ROOT,
        "GLAD %s model %s (c = %d, K = %d), %s split of %s: %d users%n",
        config.variant().flag(),
        artifact.modelVersion(),
        config.chunkSize(),
        config.clusterCount(),
        r.target().name().toLowerCase(Locale.ROOT),
        r.data(),
        evaluator.userCount());

    Map<String, Map<NegativeProtocol, EvaluationResult>> results = new LinkedHashMap<>();
    Map<String, Map<NegativeProtocol, int[]>> ranks = new LinkedHashMap<>();
    List<float[]> gates = new ArrayList<>();
    JsonObject footprintJson = new JsonObject();
    if (r.compare() != null) {
      ModelArtifact bert = ModelArtifact.load(r.compare());
      try (SequenceEncoder encoder = bert.openEncoder(Devices.resolve(r.device()))) {
        evaluateAll(
            "bert4rec", Scorers.model(encoder), evaluator, split, protocols, results, ranks, out);
      }
    }
    String name = "GLAD-" + config.variant().flag();
    if (config.variant().hasMemory()) {
      if (r.leakTarget() && protocols.contains(NegativeProtocol.ALL)) {
        throw new IllegalArgumentException(
            "the target leak needs the target among the candidates: use --negatives uniform or"
                + " popularity");
      }
      try (GladModel model = GladModel.loadForAnalysis(r.model(), r.device());
          NDManager manager = NDManager.newBaseManager(Device.cpu())) {
        GladScorer shortTerm = new GladScorer(model.encoder(), null, null, config, false);
        if (r.footprint()) {
          footprintJson = footprint(model, split, r.target(), out);
        }
        evaluateAll("short-term", shortTerm, evaluator, split, protocols, results, ranks, out);
        GladHead head = GladHead.fromWeights(config, manager, model.math().weights());
        GladScorer glad =
            new GladScorer(model.encoder(), head, model.memoryBuilder(), config, true);
        glad.leakTarget(r.leakTarget());
        glad.recordGates(
            (length, hasMemory, g) -> {
              if (hasMemory) {
                gates.add(new float[] {length, g});
              }
            });
        evaluateAll(name, glad, evaluator, split, List.of(protocols.get(0)), results, ranks, out);
        glad.recordGates(null);
        if (protocols.size() > 1) {
          evaluateAll(
              name,
              glad,
              evaluator,
              split,
              protocols.subList(1, protocols.size()),
              results,
              ranks,
              out);
        }
      }
    } else {
      try (SequenceEncoder encoder = artifact.openEncoder(Devices.resolve(r.device()))) {
        evaluateAll(
            name,
            new GladScorer(encoder, null, null, config, false),
            evaluator,
            split,
            protocols,
            results,
            ranks,
            out);
      }
    }
    if (r.baselines()) {
      baselines(r, split, evaluator, results, ranks, out);
    }
    out.println();
    out.print(table(results));
    JsonObject segmentsJson = new JsonObject();
    if (r.segments()) {
      out.println();
      for (String baseline : new String[] {"bert4rec", "short-term"}) {
        if (ranks.containsKey(baseline) && !baseline.equals(name)) {
          segmentsJson.add(
              baseline,
              segmentTable(split, ranks.get(baseline), ranks.get(name), baseline, name, out));
        }
      }
    }
    JsonObject gateJson = new JsonObject();
    if (!gates.isEmpty()) {
      double mean = gates.stream().mapToDouble(g -> g[1]).average().orElse(Double.NaN);
      out.printf(
          Locale.ROOT,
          "%nGate g of the target (users with memory, %s negatives): %d users, mean %.3f (1 ="
              + " short-term only)%n",
          protocols.get(0).flag(),
          gates.size(),
          mean);
      gateJson.addProperty("users", gates.size());
      gateJson.addProperty("mean", mean);
      if (r.gatePng() != null) {
        GatePlot.write(
            gates,
            r.gatePng(),
            "GLAD " + config.variant().flag() + " gate g on " + r.data().getFileName());
        out.println("Wrote " + r.gatePng());
      }
    }
    JsonObject root = header(r, artifact, evaluator);
    root.addProperty("variant", config.variant().flag());
    root.addProperty("chunkSize", config.chunkSize());
    root.addProperty("clusterCount", config.clusterCount());
    root.addProperty("leakTarget", r.leakTarget());
    if (GladArtifact.analysisOnlyReason(artifact) != null) {
      root.addProperty("analysisOnly", GladArtifact.analysisOnlyReason(artifact));
    }
    root.add("results", resultsJson(results));
    root.add("segments", segmentsJson);
    root.add("gate", gateJson);
    root.add("footprint", footprintJson);
    write(r.json(), root, out);
    writeRanks(r.ranksCsv(), sequences, split, ranks, out);
    return root;
  }

  private static void baselines(
      Request r,
      LeaveOneOutSplit split,
      Evaluator evaluator,
      Map<String, Map<NegativeProtocol, EvaluationResult>> results,
      Map<String, Map<NegativeProtocol, int[]>> ranks,
      PrintStream out) {
    evaluateAll(
        "popularity",
        Scorers.popularity(split.itemCountsBefore(r.target())),
        evaluator,
        split,
        r.protocols(),
        results,
        ranks,
        out);
    evaluateAll(
        "random",
        Scorers.random(split.tokenCount(), r.seed()),
        evaluator,
        split,
        r.protocols(),
        results,
        ranks,
        out);
  }

  private static JsonObject header(Request r, ModelArtifact artifact, Evaluator evaluator) {
    JsonObject root = new JsonObject();
    root.addProperty("modelVersion", artifact.modelVersion());
    root.addProperty("model", artifact.directory().toString());
    root.addProperty("data", r.data().toAbsolutePath().normalize().toString());
    root.addProperty("split", r.target().name().toLowerCase(Locale.ROOT));
    root.addProperty("seed", r.seed());
    root.addProperty("users", evaluator.userCount());
    return root;
  }

  private static JsonObject resultsJson(
      Map<String, Map<NegativeProtocol, EvaluationResult>> results) {
    JsonObject all = new JsonObject();
    for (var entry : results.entrySet()) {
      JsonObject byProtocol = new JsonObject();
      for (EvaluationResult r : entry.getValue().values()) {
        JsonObject metrics = GSON.toJsonTree(r.metrics()).getAsJsonObject();
        metrics.add("standardErrors", GSON.toJsonTree(r.standardErrors()));
        metrics.addProperty("users", r.users());
        metrics.addProperty("skippedUnknownTarget", r.skippedUnknownTarget());
        byProtocol.add(r.protocol().flag(), metrics);
      }
      all.add(entry.getKey(), byProtocol);
    }
    return all;
  }

  private static void write(Path file, JsonObject root, PrintStream out) {
    if (file != null) {
      writeText(file, GSON.toJson(root), out);
    }
  }

  private static void writeText(Path file, String text, PrintStream out) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    out.println("Wrote " + file);
  }

  /**
   * One line per evaluated user: its id, history length (the whole sequence) and the 0-based rank
   * of its target under each (scorer, protocol), a column named {@code scorer/protocol}; -1 where
   * that scorer skipped the user.
   */
  private static void writeRanks(
      Path file,
      UserSequences sequences,
      LeaveOneOutSplit split,
      Map<String, Map<NegativeProtocol, int[]>> ranks,
      PrintStream out) {
    if (file == null) {
      return;
    }
    List<int[]> columns = new ArrayList<>();
    StringBuilder csv = new StringBuilder("user,historyLength");
    for (var byScorer : ranks.entrySet()) {
      for (var byProtocol : byScorer.getValue().entrySet()) {
        csv.append(',').append(byScorer.getKey()).append('/').append(byProtocol.getKey().flag());
        columns.add(byProtocol.getValue());
      }
    }
    csv.append('\n');
    for (int u = 0; u < split.userCount(); u++) {
      boolean evaluated = false;
      for (int[] column : columns) {
        evaluated |= column[u] >= 0;
      }
      if (!evaluated) {
        continue;
      }
      csv.append(csvField(sequences.userId(u))).append(',').append(split.fullSequence(u).length);
      for (int[] column : columns) {
        csv.append(',').append(column[u]);
      }
      csv.append('\n');
    }
    writeText(file, csv.toString(), out);
  }

  /** A CSV field: quoted (RFC 4180) when it holds a comma, quote or line break. */
  static String csvField(String value) {
    if (value.indexOf(',') < 0
        && value.indexOf('"') < 0
        && value.indexOf('\n') < 0
        && value.indexOf('\r') < 0) {
      return value;
    }
    return '"' + value.replace("\"", "\"\"") + '"';
  }

  /** The metrics table: one row per (scorer, protocol), one column per metric. */
  public static String table(Map<String, Map<NegativeProtocol, EvaluationResult>> results) {
    StringBuilder sb = new StringBuilder();
    List<String> names = null;
    for (var byProtocol : results.values()) {
      for (EvaluationResult r : byProtocol.values()) {
        names = new ArrayList<>(r.metrics().keySet());
        break;
      }
      break;
    }
    if (names == null) {
      return "";
    }
    sb.append(String.format(Locale.ROOT, "%-11s %-11s %7s", "model", "negatives", "users"));
    for (String n : names) {
      sb.append(String.format(Locale.ROOT, " %8s", n));
    }
    sb.append('\n');
    for (var entry : results.entrySet()) {
      for (EvaluationResult r : entry.getValue().values()) {
        sb.append(
            String.format(
                Locale.ROOT, "%-11s %-11s %7d", entry.getKey(), r.protocol().flag(), r.users()));
        for (String n : names) {
          sb.append(String.format(Locale.ROOT, " %8.4f", r.get(n)));
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  /**
   * The memory held at the test moment for every user (complete chunks of the input), in floats,
   * against the paper's eq. 8: {@code N_seq * e / c_f + N_U * e}.
   */
  private static JsonObject footprint(
      GladModel model, LeaveOneOutSplit split, LeaveOneOutSplit.Target target, PrintStream out) {
    List<int[]> inputs = new ArrayList<>();
    for (int u = 0; u < split.userCount(); u++) {
      inputs.add(split.isEvaluable(u) ? split.input(u, target) : split.fullSequence(u));
    }
    long users = 0;
    long chunks = 0;
    long edges = 0;
    for (int start = 0; start < inputs.size(); start += 2048) {
      for (var m :
          model
              .memoryBuilder()
              .buildAll(inputs.subList(start, Math.min(inputs.size(), start + 2048)))) {
        if (m.hasMemory()) {
          users++;
          chunks += m.chunkCount();
          edges += m.clusterIds().length;
        }
      }
    }
    int e = model.config().hiddenSize();
    long k = model.clusterCount();
    double cf = model.config().options().clusteringFactor();
    // cluster side: centroid, user-sum and h_CE^1 rows plus a size; user side: h_U^0 plus
    // (cluster id, weight) per edge
    long clusterFloats = 3 * k * e + k;
    long userFloats = users * e + 2 * edges;
    double paper = chunks * e / cf + users * (double) e;
    out.printf(
        Locale.ROOT,
        "%nMemory at the test moment: %d users with memory, %d chunks (l_seq = %.2f), %d edges"
            + " (%.2f per user), K = %d%n  ours: %d cluster floats + %d user floats = %d"
            + " (%.2f x N_U x e); paper eq. 8 with c_f = %.0f: %.0f (%.2f x N_U x e)%n",
        users,
        chunks,
        chunks / (double) Math.max(1, users),
        edges,
        edges / (double) Math.max(1, users),
        k,
        clusterFloats,
        userFloats,
        clusterFloats + userFloats,
        (clusterFloats + userFloats) / (double) Math.max(1, users * e),
        cf,
        paper,
        paper / Math.max(1, users * e));
    JsonObject json = new JsonObject();
    json.addProperty("usersWithMemory", users);
    json.addProperty("chunks", chunks);
    json.addProperty("edges", edges);
    json.addProperty("clusters", k);
    json.addProperty("hiddenSize", e);
    json.addProperty("clusterFloats", clusterFloats);
    json.addProperty("userFloats", userFloats);
    json.addProperty("paperEq8Floats", paper);
    return json;
  }

  private static void evaluateAll(
      String name,
      Scorer scorer,
      Evaluator evaluator,
      LeaveOneOutSplit split,
      List<NegativeProtocol> protocols,
      Map<String, Map<NegativeProtocol, EvaluationResult>> results,
      Map<String, Map<NegativeProtocol, int[]>> ranks,
      PrintStream out) {
    for (NegativeProtocol protocol : protocols) {
      int[] byUser = new int[split.userCount()];
      Arrays.fill(byUser, -1);
      long start = System.nanoTime();
      long[] last = {start};
      EvaluationResult r =
          evaluator.evaluate(
              scorer,
              protocol,
              done -> {
                long now = System.nanoTime();
                if (now - last[0] > 30_000_000_000L) {
                  double rate = done / ((now - start) / 1e9);
                  out.printf(
                      Locale.ROOT,
                      "  %s %s: %d/%d users, %.0f users/s, ETA %.0f s%n",
                      name,
                      protocol.flag(),
                      done,
                      evaluator.userCount(),
                      rate,
                      (evaluator.userCount() - done) / Math.max(1e-9, rate));
                  last[0] = now;
                }
              },
              (user, rank) -> byUser[user] = rank);
      out.printf(
          Locale.ROOT,
          "  %s %s: HR@10 %.4f MRR@10 %.4f (%.0f s)%n",
          name,
          protocol.flag(),
          r.get("HR@10"),
          r.get("MRR@10"),
          (System.nanoTime() - start) / 1e9);
      results.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(protocol, r);
      ranks.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(protocol, byUser);
    }
  }

  /** Table 2: HR@10 and MRR@10 by top-x% history length, and the relative gain. */
  private static JsonObject segmentTable(
      LeaveOneOutSplit split,
      Map<NegativeProtocol, int[]> baseline,
      Map<NegativeProtocol, int[]> model,
      String baselineName,
      String modelName,
      PrintStream out) {
    JsonObject json = new JsonObject();
    for (NegativeProtocol protocol : model.keySet()) {
      int[] a = baseline.get(protocol);
      int[] b = model.get(protocol);
      if (a == null) {
        continue;
      }
      List<Integer> users = new ArrayList<>();
      for (int u = 0; u < b.length; u++) {
        if (b[u] >= 0 && a[u] >= 0) {
          users.add(u);
        }
      }
      users.sort(
          (x, y) -> Integer.compare(split.fullSequence(y).length, split.fullSequence(x).length));
      out.printf(
          Locale.ROOT,
          "%s vs %s by history length (%s negatives)%n%-10s %6s %8s %9s %9s %9s %9s %9s %9s%n",
          modelName,
          baselineName,
          protocol.flag(),
          "segment",
          "users",
          "min len",
          "HR@10 b",
          "HR@10 m",
          "dHR@10",
          "MRR@10 b",
          "MRR@10 m",
          "dMRR@10");
      JsonArray rows = new JsonArray();
      for (double share : SEGMENTS) {
        int n = Math.max(1, (int) Math.round(share * users.size()));
        double[] sums = new double[4];
        for (int i = 0; i < n; i++) {
          int u = users.get(i);
          sums[0] += RankingMetrics.hitAt(a[u], 10);
          sums[1] += RankingMetrics.hitAt(b[u], 10);
          sums[2] += RankingMetrics.mrrAt(a[u], 10);
          sums[3] += RankingMetrics.mrrAt(b[u], 10);
        }
        String label = share == 1.0 ? "all" : String.format(Locale.ROOT, "top %.0f%%", share * 100);
        int minLength = split.fullSequence(users.get(n - 1)).length;
        double dHr = 100 * (sums[1] - sums[0]) / Math.max(1e-12, sums[0]);
        double dMrr = 100 * (sums[3] - sums[2]) / Math.max(1e-12, sums[2]);
        out.printf(
            Locale.ROOT,
            "%-10s %6d %8d %9.4f %9.4f %+8.1f%% %9.4f %9.4f %+8.1f%%%n",
            label,
            n,
            minLength,
            sums[0] / n,
            sums[1] / n,
            dHr,
            sums[2] / n,
            sums[3] / n,
            dMrr);
        JsonObject row = new JsonObject();
        row.addProperty("segment", label);
        row.addProperty("users", n);
        row.addProperty("minHistoryLength", minLength);
        row.addProperty("baselineHR10", sums[0] / n);
        row.addProperty("modelHR10", sums[1] / n);
        row.addProperty("baselineMRR10", sums[2] / n);
        row.addProperty("modelMRR10", sums[3] / n);
        rows.add(row);
      }
      json.add(protocol.flag(), rows);
      out.println();
    }
    return json;
  }
}
