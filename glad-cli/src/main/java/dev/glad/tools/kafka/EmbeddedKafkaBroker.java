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
  private static final String SCRAM_LISTENER = "SCRAM";

  /** The SASL mechanism of the optional authenticated listener. */
  public static final String SCRAM_MECHANISM = "SCRAM-SHA-256";

  private static final int PORT_ATTEMPTS = 5;

  private final KafkaRaftServer server;
  private final Path dataDirectory;
  private final boolean deleteOnClose;
  private final int port;
  private final int scramPort;
  private boolean closed;

  private EmbeddedKafkaBroker(
      KafkaRaftServer server, Path dataDirectory, boolean deleteOnClose, int port, int scramPort) {
    this.server = server;
    this.dataDirectory = dataDirectory;
    this.deleteOnClose = deleteOnClose;
    this.port = port;
    this.scramPort = scramPort;
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

  /**
   * {@code localhost:PORT} of the SASL/SCRAM listener ({@code SASL_PLAINTEXT}, {@link
   * #SCRAM_MECHANISM}), which takes only the users given to {@link Builder#scramUser}.
   *
   * @throws IllegalStateException when the broker was built without SCRAM users
   */
  public String scramBootstrapServers() {
    if (scramPort == 0) {
      throw new IllegalStateException("this broker has no SASL/SCRAM listener (no scramUser)");
    }
    return "localhost:" + scramPort;
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
    private final Map<String, String> scramUsers = new HashMap<>();

    private Builder() {}

    /**
     * Adds a SASL/SCRAM listener ({@code SASL_PLAINTEXT}) beside the plaintext one, with this user
     * (the plaintext listener stays for the broker itself and local tools).
     */
    public Builder scramUser(String user, String password) {
      scramUsers.put(user, password);
      return this;
    }

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
        int scramPort = scramUsers.isEmpty() ? 0 : freePort();
        try {
          return startOn(dir, temporary, brokerPort, controllerPort, scramPort);
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
        Path dir, boolean temporary, int brokerPort, int controllerPort, int scramPort) {
      Path logDir = dir.resolve("kraft-logs");
      Map<String, Object> props = brokerConfig(logDir, brokerPort, controllerPort);
      if (scramPort != 0) {
        addScramListener(props, scramPort);
      }
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
      EmbeddedKafkaBroker broker =
          new EmbeddedKafkaBroker(server, dir, temporary, brokerPort, scramPort);
      broker.awaitReady(Duration.ofSeconds(60));
      broker.createScramUsers(scramUsers);
      LOG.info("embedded Kafka broker ready at {}", broker.bootstrapServers());
      return broker;
    }
  }

  private static void addScramListener(Map<String, Object> p, int scramPort) {
    p.put("listeners", p.get("listeners") + "," + SCRAM_LISTENER + "://localhost:" + scramPort);
    p.put(
        "advertised.listeners",
        p.get("advertised.listeners") + "," + SCRAM_LISTENER + "://localhost:" + scramPort);
    p.put(
        "listener.security.protocol.map",
        p.get("listener.security.protocol.map") + "," + SCRAM_LISTENER + ":SASL_PLAINTEXT");
    p.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
    p.put(
        "listener.name."
            + SCRAM_LISTENER.toLowerCase(java.util.Locale.ROOT)
            + ".scram-sha-256.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
  }

  /** Creates SCRAM credentials through the plaintext listener. */
  private void createScramUsers(Map<String, String> users) {
    if (users.isEmpty()) {
      return;
    }
    try (Admin admin = admin()) {
      List<org.apache.kafka.clients.admin.UserScramCredentialAlteration> upserts =
          users.entrySet().stream()
              .map(
                  u ->
                      (org.apache.kafka.clients.admin.UserScramCredentialAlteration)
                          new org.apache.kafka.clients.admin.UserScramCredentialUpsertion(
                              u.getKey(),
                              new org.apache.kafka.clients.admin.ScramCredentialInfo(
                                  org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_256,
                                  4096),
                              u.getValue()))
              .toList();
      admin.alterUserScramCredentials(upserts).all().get();
    } catch (Exception e) {
      close();
      throw new IllegalStateException("cannot create the SCRAM users " + users.keySet(), e);
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
