package dev.glad.flink.cli;

import dev.glad.flink.bench.StreamBench;
import dev.glad.flink.demo.DemoModel;
import dev.glad.flink.demo.DemoRunner;
import dev.glad.flink.job.GladJob;
import dev.glad.flink.job.GladJobSettings;
import dev.glad.flink.job.KafkaIo;
import dev.glad.flink.kafka.EmbeddedKafkaBroker;
import dev.glad.flink.kafka.TopicAdmin;
import dev.glad.flink.replay.ReplayProducer;
import dev.glad.model.cli.ModelCli;
import dev.glad.model.data.InteractionFormat;
import dev.glad.schemas.kafka.GladTopics;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The {@code ./glad} command line.
 *
 * <pre>
 * ./glad demo  [--users N] [--events N] [--rate N] [--chunk-size C] [--seed S]
 *              [--parallelism P] [--partitions N] [--bad-every N] [--jitter-ms MS]
 *              [--model DIR | --model-cache DIR]
 * ./glad kafka [--port N] [--data-dir DIR] [--partitions N] [--topic-prefix P]
 * ./glad job   --bootstrap-servers HOST:PORT [--model DIR] [--create-topics N] [any job setting, see GladJobSettings]
 * </pre>
 */
public final class Glad {
  static final String USAGE =
      String.join(
          "\n",
          "usage: ./glad <command> [options]",
          "",
          "commands:",
          "  demo    in-process Kafka + Flink MiniCluster + a synthetic stream; trains a small model on the",
          "          generator's history first (or reuses it), prints progress and a summary",
          "          --users 2000 --events 100000 --rate 10000 --chunk-size 10 --seed 42",
          "          --parallelism 2 --partitions 4 --bad-every 2000 --jitter-ms 2000",
          "          --model DIR (a GLAD artifact with c = --chunk-size; default: train or reuse one in",
          "          --model-cache DIR, default <repo>/.glad/models)",
          "  kafka   a standalone local Kafka broker (KRaft, in-process) with the GLAD topics; Ctrl-C stops it",
          "          --port 0 (free port) --data-dir DIR (kept; default: temporary) --partitions 4 --topic-prefix glad.",
          "  replay  publish a dataset file to the interactions topic",
          "          --data FILE [--format pairs|recbole] --bootstrap-servers HOST:PORT [--topic-prefix glad.]",
          "          [--rate 20000] [--limit N] [--gap-ms 1000]",
          "  job     the streaming job on a local MiniCluster against any Kafka; Ctrl-C stops it",
          "          --bootstrap-servers HOST:PORT --model DIR (= --model-dir) [--create-topics PARTITIONS]",
          "          and job settings:",
          "          " + String.join(", ", GladJobSettings.keys()),
          "  bench   throughput of the whole memory job per encoder batch size (bounded runs on a",
          "          MiniCluster, pre-filled topics, medians): --events 100000 --users 2000",
          "          --batch-sizes 1,16,64 --repeats 3 --parallelism 2 [--model DIR]",
          "  train     train a model (Bert4Rec phase 1, GLAD phase 2): ./glad train --help",
          "  evaluate  evaluate a model artifact on a dataset: ./glad evaluate --help",
          "  help    this text");

  private Glad() {}

  public static void main(String[] args) {
    int code;
    try {
      code = run(args, System.out, System.err);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      code = 2;
    } catch (Exception e) {
      System.err.println("error: " + e);
      e.printStackTrace(System.err);
      code = 1;
    }
    System.exit(code);
  }

  /** Runs one command; returns the process exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    if (args.length == 0 || Set.of("help", "--help", "-h").contains(args[0])) {
      out.println(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    return switch (args[0]) {
      case "demo" -> demo(rest, out);
      case "kafka" -> kafka(rest, out);
      case "job" -> job(rest, out);
      case "replay" -> replay(rest, out);
      case "bench" -> bench(rest, out);
      case "train", "evaluate" -> ModelCli.run(args);
      default -> {
        err.println("error: unknown command '" + args[0] + "'");
        err.println(USAGE);
        yield 2;
      }
    };
  }

  private static int demo(List<String> argList, PrintStream out) throws Exception {
    Args args =
        Args.parse(argList, Set.of())
            .requireOnly(
                Set.of(
                    "users",
                    "events",
                    "rate",
                    "chunk-size",
                    "seed",
                    "parallelism",
                    "partitions",
                    "bad-every",
                    "jitter-ms",
                    "model",
                    "model-cache"));
    DemoRunner.Options options =
        new DemoRunner.Options(
            args.integer("users", 2_000),
            args.longValue("events", 100_000),
            args.integer("rate", 10_000),
            args.integer("chunk-size", 10),
            args.longValue("seed", 42),
            args.integer("parallelism", 2),
            args.integer("partitions", 4),
            args.longValue("bad-every", 2_000),
            Duration.ofMillis(args.longValue("jitter-ms", 2_000)),
            args.has("model") ? Path.of(args.string("model", null)) : null,
            Path.of(args.string("model-cache", defaultModelCache().toString())));
    return new DemoRunner(options, out).run() ? 0 : 1;
  }

  private static int bench(List<String> argList, PrintStream out) throws Exception {
    Args args =
        Args.parse(argList, Set.of())
            .requireOnly(
                Set.of(
                    "model",
                    "model-cache",
                    "chunk-size",
                    "users",
                    "events",
                    "batch-sizes",
                    "repeats",
                    "parallelism",
                    "seed"));
    int users = args.integer("users", 2_000);
    int events = args.integer("events", 100_000);
    int chunkSize = args.integer("chunk-size", 10);
    long seed = args.longValue("seed", 42);
    Path model =
        args.has("model")
            ? Path.of(args.string("model", null))
            : DemoModel.forStream(users, events, chunkSize, seed)
                .trainOrReuse(
                    Path.of(args.string("model-cache", defaultModelCache().toString())), out);
    List<Integer> batchSizes =
        Arrays.stream(args.string("batch-sizes", "1,16,64").split(","))
            .map(String::strip)
            .map(Integer::valueOf)
            .toList();
    new StreamBench(
            new StreamBench.Options(
                model,
                chunkSize,
                users,
                events,
                batchSizes,
                args.integer("repeats", 3),
                args.integer("parallelism", 2),
                seed),
            out)
        .run();
    return 0;
  }

  private static int kafka(List<String> argList, PrintStream out) throws Exception {
    Args args =
        Args.parse(argList, Set.of())
            .requireOnly(Set.of("port", "data-dir", "partitions", "topic-prefix"));
    EmbeddedKafkaBroker.Builder builder =
        EmbeddedKafkaBroker.builder().port(args.integer("port", 0));
    if (args.has("data-dir")) {
      builder.dataDirectory(Path.of(args.string("data-dir", null)));
    }
    EmbeddedKafkaBroker broker = builder.build();
    GladTopics topics =
        GladTopics.withPrefix(args.string("topic-prefix", GladTopics.DEFAULT_PREFIX));
    List<String> created =
        TopicAdmin.createMissing(
            broker.bootstrapServers(), topics, args.integer("partitions", 4), (short) 1);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  broker.close();
                  stopped.countDown();
                }));
    out.println("bootstrap.servers=" + broker.bootstrapServers());
    out.println("created topics: " + created + " (data in " + broker.dataDirectory() + ")");
    out.println("Kafka is running; Ctrl-C stops it.");
    out.flush();
    stopped.await();
    return 0;
  }

  private static int replay(List<String> argList, PrintStream out) {
    Args args =
        Args.parse(argList, Set.of())
            .requireOnly(
                Set.of(
                    "data",
                    "format",
                    "bootstrap-servers",
                    "topic-prefix",
                    "rate",
                    "limit",
                    "gap-ms"));
    if (!args.has("data") || !args.has("bootstrap-servers")) {
      throw new IllegalArgumentException("--data and --bootstrap-servers are required");
    }
    Path data = Path.of(args.string("data", null));
    InteractionFormat format =
        args.has("format")
            ? InteractionFormat.parse(args.string("format", null))
            : InteractionFormat.fromFileName(data.getFileName().toString());
    ReplayProducer.run(
        new ReplayProducer.Options(
            data,
            format,
            args.string("bootstrap-servers", null),
            args.string("topic-prefix", GladTopics.DEFAULT_PREFIX),
            args.integer("rate", 20_000),
            args.longValue("limit", Long.MAX_VALUE),
            args.longValue("gap-ms", 1_000)),
        out);
    return 0;
  }

  private static int job(List<String> argList, PrintStream out) throws Exception {
    Set<String> known = new HashSet<>(GladJobSettings.keys());
    known.add("create-topics");
    Args args = Args.parse(withModelAlias(argList), Set.of()).requireOnly(known);
    GladJobSettings settings =
        GladJobSettings.fromMap(args.subset(Set.copyOf(GladJobSettings.keys())));
    if (settings.bootstrapServers() == null) {
      throw new IllegalArgumentException("--bootstrap-servers is required");
    }
    if (args.has("create-topics")) {
      List<String> created =
          TopicAdmin.createMissing(
              settings.bootstrapServers(),
              GladTopics.withPrefix(settings.topicPrefix()),
              args.integer("create-topics", 4),
              (short) 1);
      out.println("created topics: " + created);
    }
    int parallelism = settings.parallelism() > 0 ? settings.parallelism() : 2;
    StreamExecutionEnvironment env = GladJob.localEnvironment(settings, parallelism, null);
    KafkaIo.job(settings).addTo(env);
    out.println("running the GLAD job on a local MiniCluster: " + settings);
    env.execute("glad-memory");
    return 0;
  }

  /** {@code <repository>/.glad/models}: the launcher passes the repository as {@code glad.home}. */
  static Path defaultModelCache() {
    return Path.of(System.getProperty("glad.home", "."), ".glad", "models").toAbsolutePath();
  }

  /** {@code --model DIR} is the short spelling of the job setting {@code --model-dir DIR}. */
  static List<String> withModelAlias(List<String> argList) {
    return argList.stream()
        .map(
            a ->
                a.equals("--model")
                    ? "--model-dir"
                    : a.startsWith("--model=") ? "--model-dir=" + a.substring(8) : a)
        .toList();
  }
}
