package dev.glad.tools.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, single-node Kafka broker (KRaft, combined broker + controller) running inside this JVM,
 * built from Kafka's own server classes: the same {@link KafkaRaftServer} that {@code
 * kafka-server-start.sh} runs, formatted with the same {@link Formatter} that {@code
 * kafka-storage.sh format} uses. Used by the demo, {@code ./glad kafka} and the integration tests;
 * no Docker, no mock.
 *
 * <p>Every replication factor and min-ISR is 1, as a single node needs. Transactions work (the
 * exactly-once Flink sinks use them).
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final int NODE_ID = 1;
  private static final String BROKER_LISTENER = "PLAINTEXT";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final int PORT_ATTEMPTS = 5;

  private final KafkaRaftServer server;
  private final Path dataDirectory;
  private final boolean deleteOnClose;
  private final int port;
  private boolean closed;

  private EmbeddedKafkaBroker(
      KafkaRaftServer server, Path dataDirectory, boolean deleteOnClose, int port) {
    this.server = server;
    this.dataDirectory = dataDirectory;
    this.deleteOnClose = deleteOnClose;
    this.port = port;
  }

  /** Starts a broker on a free localhost port with a temporary data directory. */
  public static EmbeddedKafkaBroker start() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** {@code localhost:PORT}, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return "localhost:" + port;
  }

  public int port() {
    return port;
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  /** An admin client for this broker; the caller closes it. */
  public Admin admin() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return Admin.create(props);
  }

  /** Blocks until the broker is shut down (by {@link #close()} from another thread). */
  public void awaitShutdown() {
    server.awaitShutdown();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.shutdown();
    server.awaitShutdown();
    if (deleteOnClose) {
      deleteRecursively(dataDirectory);
    }
  }

  /** Options of an embedded broker; {@link #build()} formats the storage and starts it. */
  public static final class Builder {
    private int port;
    private Path dataDirectory;
    private final Map<String, String> overrides = new HashMap<>();

    private Builder() {}

    /** Port of the client listener; 0 (the default) picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Where the log lives. When given it is kept on close; by default a temporary directory is used
     * and deleted on close.
     */
    public Builder dataDirectory(Path dataDirectory) {
      this.dataDirectory = dataDirectory;
      return this;
    }

    /** Any broker setting, e.g. {@code log.retention.ms}. */
    public Builder config(String key, String value) {
      overrides.put(key, value);
      return this;
    }

    public EmbeddedKafkaBroker build() {
      boolean temporary = dataDirectory == null;
      Path dir;
      try {
        dir = temporary ? Files.createTempDirectory("glad-kafka-") : dataDirectory;
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the broker's data directory", e);
      }
      RuntimeException last = null;
      // A free port found by binding port 0 can be taken by another process before the broker
      // binds it; retry with fresh ports rather than fail.
      for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
        int brokerPort = port != 0 ? port : freePort();
        int controllerPort = freePort();
        try {
          return startOn(dir, temporary, brokerPort, controllerPort);
        } catch (RuntimeException e) {
          last = e;
          if (port != 0) {
            break;
          }
          LOG.warn("embedded Kafka failed to start on port {}, retrying", brokerPort, e);
        }
      }
      if (temporary) {
        deleteRecursively(dir);
      }
      throw new IllegalStateException(
          "cannot start the embedded Kafka broker"
              + (port != 0 ? " on port " + port + " (is it in use?)" : ""),
          last);
    }

    private EmbeddedKafkaBroker startOn(
        Path dir, boolean temporary, int brokerPort, int controllerPort) {
      Path logDir = dir.resolve("kraft-logs");
      Map<String, Object> props = brokerConfig(logDir, brokerPort, controllerPort);
      props.putAll(overrides);
      KafkaConfig config = new KafkaConfig(props, false);
      try {
        if (!Files.exists(logDir.resolve("meta.properties"))) {
          Files.createDirectories(logDir);
          new Formatter()
              .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
              .setNodeId(NODE_ID)
              .setClusterId(Uuid.randomUuid().toString())
              .setDirectories(List.of(logDir.toString()))
              .setMetadataLogDirectory(logDir.toString())
              .setReleaseVersion(MetadataVersion.latestProduction())
              .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
              .setControllerListenerName(CONTROLLER_LISTENER)
              .run();
        }
      } catch (Exception e) {
        throw new IllegalStateException("cannot format the broker storage in " + logDir, e);
      }
      KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
      try {
        server.startup();
      } catch (RuntimeException e) {
        server.shutdown();
        server.awaitShutdown();
        throw e;
      }
      EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, dir, temporary, brokerPort);
      broker.awaitReady(Duration.ofSeconds(60));
      LOG.info("embedded Kafka broker ready at {}", broker.bootstrapServers());
      return broker;
    }
  }

  /** Waits until the broker answers metadata requests with itself as a live node. */
  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = admin()) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get().isEmpty()) {
            return;
          }
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            close();
            throw new IllegalStateException(
                "embedded Kafka broker at " + bootstrapServers() + " not ready after " + timeout,
                e);
          }
        }
        Thread.onSpinWait();
      }
    }
  }

  static Map<String, Object> brokerConfig(Path logDir, int brokerPort, int controllerPort) {
    Map<String, Object> p = new HashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@localhost:" + controllerPort);
    p.put(
        "listeners",
        BROKER_LISTENER
            + "://localhost:"
            + brokerPort
            + ","
            + CONTROLLER_LISTENER
            + "://localhost:"
            + controllerPort);
    p.put("advertised.listeners", BROKER_LISTENER + "://localhost:" + brokerPort);
    p.put(
        "listener.security.protocol.map",
        BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("inter.broker.listener.name", BROKER_LISTENER);
    p.put("log.dirs", logDir.toString());
    p.put("metadata.log.dir", logDir.toString());
    // One node: every internal topic has one replica and needs one in sync.
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "4");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    // Topics are created explicitly with their partition counts and cleanup policies.
    p.put("auto.create.topics.enable", "false");
    p.put("log.cleaner.dedupe.buffer.size", "2097152");
    return p;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free localhost port", e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warn("could not delete {}", dir, e);
    }
  }
}
