package dev.glad.model.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.glad.model.artifact.ModelArtifact;
import dev.glad.model.data.InteractionFileReader;
import dev.glad.model.data.InteractionFormat;
import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.data.UserSequences;
import dev.glad.model.encoder.Devices;
import dev.glad.model.encoder.SequenceEncoder;
import dev.glad.model.eval.EvaluationResult;
import dev.glad.model.eval.Evaluator;
import dev.glad.model.eval.NegativeProtocol;
import dev.glad.model.eval.Scorer;
import dev.glad.model.eval.Scorers;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code evaluate}: leave-one-out metrics of a model artifact on a data file. */
final class EvaluateCommand {
  static final String USAGE =
      String.join(
          "\n",
          "usage: glad evaluate --model DIR --data FILE [flags]",
          "",
          "  --model DIR                        model artifact (required)",
          "  --data FILE                        interactions (required)",
          "  --format pairs|recbole             file format (default: recbole for *.inter, else pairs)",
          "  --negatives uniform|popularity|all protocol (default: all three)",
          "  --split test|validation            which held-out item (test)",
          "  --baselines                        also evaluate the random and popularity baselines",
          "  --json FILE                        write every metric and the user count as JSON",
          "  --seed N                           seed of negative sampling and tie-breaks (42)",
          "  --batch N                          users per forward pass (256)",
          "  --device D                         auto|cpu|gpu|gpu:N (auto)",
          "  --threads N                        PyTorch intra-op threads (all cores)");

  /** Flags of {@code glad evaluate}; the GLAD evaluation takes these and its own. */
  static final Set<String> FLAGS =
      Set.of(
          "model",
          "data",
          "format",
          "negatives",
          "split",
          "json",
          "seed",
          "batch",
          "device",
          "threads");

  private static final Set<String> SWITCHES = Set.of("baselines");
  private static final Gson GSON =
      new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

  private EvaluateCommand() {}

  static int run(String[] args, PrintStream out) {
    if (GladEvaluateCommand.handles(args)) {
      return GladEvaluateCommand.run(args, out);
    }
    Flags flags = Flags.parse(args, 1, FLAGS, SWITCHES);
    Path modelDir = Path.of(flags.required("model"));
    Path data = Path.of(flags.required("data"));
    InteractionFormat format = flags.format(data);
    List<NegativeProtocol> protocols =
        flags.has("negatives")
            ? List.of(NegativeProtocol.parse(flags.required("negatives")))
            : List.of(NegativeProtocol.values());
    LeaveOneOutSplit.Target target = parseSplit(flags.string("split", "test"));
    long seed = flags.longValue("seed", 42);
    int batch = flags.integer("batch", 256);
    EngineSetup.configure(flags.integer("threads", 0));

    ModelArtifact artifact = ModelArtifact.load(modelDir);
    UserSequences sequences = InteractionFileReader.read(data, format);
    LeaveOneOutSplit split = LeaveOneOutSplit.of(sequences, artifact.vocabulary());
    Evaluator evaluator = new Evaluator(split, target, seed, batch, 0);
    out.printf(
        Locale.ROOT,
        "Model %s, %s split of %s: %d users evaluated, %d unknown item ids in the data%n",
        artifact.modelVersion(),
        target.name().toLowerCase(Locale.ROOT),
        data,
        evaluator.userCount(),
        artifact.vocabulary().unknownLookups());

    Map<String, Map<NegativeProtocol, EvaluationResult>> results = new LinkedHashMap<>();
    try (SequenceEncoder encoder =
        artifact.openEncoder(Devices.resolve(flags.string("device", "auto")))) {
      results.put("bert4rec", evaluateAll(evaluator, Scorers.model(encoder), protocols, out));
    }
    if (flags.has("baselines")) {
      results.put(
          "popularity",
          evaluateAll(
              evaluator, Scorers.popularity(split.itemCountsBefore(target)), protocols, out));
      results.put(
          "random",
          evaluateAll(evaluator, Scorers.random(split.tokenCount(), seed), protocols, out));
    }
    out.println();
    out.print(table(results));
    if (flags.has("json")) {
      writeJson(Path.of(flags.required("json")), artifact, data, target, seed, evaluator, results);
      out.println("Wrote " + flags.required("json"));
    }
    return 0;
  }

  static LeaveOneOutSplit.Target parseSplit(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "test" -> LeaveOneOutSplit.Target.TEST;
      case "validation", "valid" -> LeaveOneOutSplit.Target.VALIDATION;
      default ->
          throw new UsageException("--split must be test or validation but was '" + value + "'");
    };
  }

  private static Map<NegativeProtocol, EvaluationResult> evaluateAll(
      Evaluator evaluator, Scorer scorer, List<NegativeProtocol> protocols, PrintStream out) {
    Map<NegativeProtocol, EvaluationResult> byProtocol = new LinkedHashMap<>();
    for (NegativeProtocol protocol : protocols) {
      long start = System.nanoTime();
      long[] lastPrint = {start};
      EvaluationResult result =
          evaluator.evaluate(
              scorer,
              protocol,
              done -> {
                long now = System.nanoTime();
                if (now - lastPrint[0] > 15_000_000_000L) {
                  out.printf(
                      Locale.ROOT,
                      "  %s: %d/%d users%n",
                      protocol.flag(),
                      done,
                      evaluator.userCount());
                  lastPrint[0] = now;
                }
              });
      byProtocol.put(protocol, result);
    }
    return byProtocol;
  }

  /** The metrics table: one row per (scorer, protocol), one column per metric. */
  static String table(Map<String, Map<NegativeProtocol, EvaluationResult>> results) {
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

  private static void writeJson(
      Path file,
      ModelArtifact artifact,
      Path data,
      LeaveOneOutSplit.Target target,
      long seed,
      Evaluator evaluator,
      Map<String, Map<NegativeProtocol, EvaluationResult>> results) {
    JsonObject root = new JsonObject();
    root.addProperty("modelVersion", artifact.modelVersion());
    root.addProperty("model", artifact.directory().toString());
    root.addProperty("data", data.toAbsolutePath().normalize().toString());
    root.addProperty("split", target.name().toLowerCase(Locale.ROOT));
    root.addProperty("seed", seed);
    root.addProperty("users", evaluator.userCount());
    root.addProperty("negativesPerUser", Evaluator.SAMPLED_NEGATIVES);
    root.addProperty("unknownItemLookups", artifact.vocabulary().unknownLookups());
    JsonObject all = new JsonObject();
    for (var entry : results.entrySet()) {
      JsonObject byProtocol = new JsonObject();
      for (EvaluationResult r : entry.getValue().values()) {
        JsonObject metrics = GSON.toJsonTree(r.metrics()).getAsJsonObject();
        metrics.addProperty("users", r.users());
        metrics.addProperty("skippedUnknownTarget", r.skippedUnknownTarget());
        byProtocol.add(r.protocol().flag(), metrics);
      }
      all.add(entry.getKey(), byProtocol);
    }
    root.add("results", all);
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, GSON.toJson(root), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
