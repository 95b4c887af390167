package dev.glad.serving.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.glad.model.artifact.GladModel;
import dev.glad.serving.GladRanker;
import dev.glad.serving.TestArtifacts;
import dev.glad.serving.config.RankingServiceSettings;
import dev.glad.serving.memory.ClusterTable;
import dev.glad.serving.memory.Freshness;
import dev.glad.serving.memory.StoredUserMemory;
import dev.glad.serving.memory.UserStore;
import dev.glad.serving.metrics.ServingMetrics;
import dev.glad.serving.scoring.ShortTermEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP server over a real ranker (a random artifact, RocksDB): status codes and exact messages,
 * readiness, metrics, the bounded queue and time-outs, and both kinds of authentication.
 */
class RankingServerTest {
  private static final String BODY =
      "{\"userId\":\"u1\",\"recentItems\":[\"i1\",\"i2\"],\"candidates\":[\"i3\",\"nope\",\"i4\"]}";

  @TempDir static Path dir;
  private static GladModel model;
  private static UserStore users;
  private static ServingMetrics metrics;
  private static ShortTermEncoder encoder;
  private static GladRanker ranker;

  /** Readiness as a test sets it; the real one is the Kafka materializer (see the ITCase). */
  static final class SettableFreshness implements Freshness {
    volatile boolean ready = true;

    @Override
    public boolean ready() {
      return ready;
    }

    @Override
    public String notReadyReason() {
      return ready ? null : "catching up with 12 records in 8 partitions";
    }

    @Override
    public boolean failed() {
      return false;
    }

    @Override
    public long userLag() {
      return 3;
    }

    @Override
    public long clusterLag() {
      return 0;
    }

    @Override
    public long newestUserUpdateMs() {
      return 0;
    }
  }

  @BeforeAll
  static void start() {
    model = GladModel.load(TestArtifacts.randomGca(dir.resolve("model"), 5), "cpu");
    users = UserStore.open(dir.resolve("users"));
    users.apply(
        model.modelVersion(),
        "u1",
        new StoredUserMemory(
            model.modelVersion(),
            0,
            1_000,
            System.currentTimeMillis(),
            1,
            new int[] {2},
            new int[] {1},
            new float[8],
            new float[8]));
    metrics = new ServingMetrics();
    encoder = new ShortTermEncoder(model.encoder(), 8, Duration.ZERO, metrics);
    ranker =
        new GladRanker(
            model,
            users,
            new ClusterTable(model.modelVersion(), model.initialClusters()),
            encoder,
            metrics,
            System::currentTimeMillis);
  }

  @AfterAll
  static void stop() {
    encoder.close();
    users.close();
    model.close();
  }

  private static RankingServiceSettings settings(String... keyValues) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("bootstrap-servers", "unused:9092");
    m.put("model-dir", "unused");
    m.put("host", "127.0.0.1");
    m.put("port", "0");
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return RankingServiceSettings.fromMap(m);
  }

  private static RankingServer server(RankingServiceSettings s, Freshness f, Runnable hook) {
    return new RankingServer(s, ranker, f, new ServingMetrics(), hook).start();
  }

  private static HttpResponse<String> send(HttpClient client, HttpRequest request)
      throws IOException, InterruptedException {
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest post(String url, String body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url + "/v1/score"))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json");
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b.build();
  }

  private static HttpRequest get(String url, String path) {
    return HttpRequest.newBuilder(URI.create(url + path)).GET().build();
  }

  @Test
  void scoresComeBackInCandidateOrderWithGateModelVersionAndPerItemStatus() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    try (RankingServer server = server(settings(), new SettableFreshness(), () -> {})) {
      HttpResponse<String> r = send(client, post(server.baseUrl(), BODY));

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
      String body = r.body();
      assertThat(body)
          .startsWith(
              "{\"modelVersion\":\""
                  + model.modelVersion()
                  + "\",\"userId\":\"u1\",\"scoring\":\"glad\",\"memory\":\"used\","
                  + "\"shortTerm\":\"recent_items\",\"memoryAgeMs\":");
      assertThat(body.indexOf("\"item\":\"i3\""))
          .isLessThan(body.indexOf("\"item\":\"nope\""))
          .isLessThan(body.indexOf("\"item\":\"i4\""));
      assertThat(body)
          .contains("{\"item\":\"nope\",\"score\":null,\"gate\":null,\"status\":\"unknown_item\"}")
          .contains("\"unknownRecentItems\":[]");
      assertThat(body).containsPattern("\\{\"item\":\"i3\",\"score\":-?[0-9.E-]+,\"gate\":0\\.");
    }
  }

  @Test
  void badRequestsGetExact4xxMessages() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    try (RankingServer server =
        server(settings("max-candidates", "2"), new SettableFreshness(), () -> {})) {
      String url = server.baseUrl();
      assertAnswer(
          send(client, post(url, "{\"userId\":")),
          400,
          "{\"error\":\"malformed JSON:"
              + " unexpected end of the body at line 1 column 11 path $.userId\"}");
      assertAnswer(
          send(client, post(url, "{\"userId\":\"u\",\"candidates\":[\"a\",\"b\",\"c\"]}")),
          400,
          "{\"error\":\"too many candidates: 3 (at most 2)\"}");
      assertAnswer(
          send(client, post(url, "{\"userId\":\"u\",\"candidates\":[]}")),
          400,
          "{\"error\":\"candidates must not be empty\"}");
      assertAnswer(
          send(client, get(url, "/v1/score")), 405, "{\"error\":\"use POST for /v1/score\"}");
      assertAnswer(
          send(client, get(url, "/v2/rank")),
          404,
          "{\"error\":\"no such endpoint: GET /v2/rank\"}");
      assertAnswer(
          send(client, get(url, "/v1/users/ghost/memory")),
          404,
          "{\"error\":\"no memory for user 'ghost'\"}");
      assertAnswer(
          send(client, get(url, "/v1/users/u1/memory?topItems=x")),
          400,
          "{\"error\":\"topItems must be an integer between 0 and 1000, got 'x'\"}");
    }
  }

  private static void assertAnswer(HttpResponse<String> r, int status, String body) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.body()).isEqualTo(body);
  }

  @Test
  void theMemoryEndpointShowsEdgesAndTopClustersWithTopItems() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    try (RankingServer server = server(settings(), new SettableFreshness(), () -> {})) {
      HttpResponse<String> r =
          send(client, get(server.baseUrl(), "/v1/users/u1/memory?topItems=2"));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body())
          .startsWith(
              "{\"userId\":\"u1\",\"modelVersion\":\""
                  + model.modelVersion()
                  + "\",\"status\":\"ok\",\"sequenceNumber\":0,\"chunkCount\":1,")
          .containsPattern(
              "\"clusters\":\\[\\{\"clusterId\":2,\"weight\":1,\"size\":[0-9]+,"
                  + "\"version\":-1,\"topItems\":\\[\"i[0-9]+\",\"i[0-9]+\"\\]\\}\\]");
    }
  }

  @Test
  void beforeTheMemoryIsLoadedTheServiceIsAliveButNotReady() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    SettableFreshness freshness = new SettableFreshness();
    freshness.ready = false;
    try (RankingServer server = server(settings(), freshness, () -> {})) {
      String url = server.baseUrl();
      assertAnswer(send(client, get(url, "/health")), 200, "{\"status\":\"up\"}");
      HttpResponse<String> ready = send(client, get(url, "/ready"));
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body())
          .isEqualTo(
              "{\"ready\":false,\"reason\":\"catching up with 12 records in 8 partitions\","
                  + "\"modelVersion\":\""
                  + model.modelVersion()
                  + "\",\"userLagRecords\":3,\"clusterLagRecords\":0,\"newestUserUpdateAgeMs\":null}");
      assertAnswer(
          send(client, post(url, BODY)),
          503,
          "{\"error\":\"not ready: catching up with 12 records in 8 partitions\"}");

      freshness.ready = true;
      assertThat(send(client, get(url, "/ready")).statusCode()).isEqualTo(200);
      assertThat(send(client, post(url, BODY)).statusCode()).isEqualTo(200);
      HttpResponse<String> prometheus = send(client, get(url, "/metrics"));
      assertThat(prometheus.statusCode()).isEqualTo(200);
      assertThat(prometheus.body())
          .contains("glad_serving_requests_total{endpoint=\"score\",status=\"503\"} 1")
          .contains("glad_serving_request_duration_seconds_bucket{endpoint=\"score\"")
          .contains("glad_serving_queued_requests");
    }
  }

  @Test
  void aFullQueueIsAnswered429AndAWaitPastTheTimeout503() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Runnable holdFirst =
        () -> {
          if (entered.getCount() > 0) {
            entered.countDown();
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    HttpClient client = HttpClient.newHttpClient();
    try (RankingServer server =
        server(
            settings("scoring-threads", "1", "max-queued-requests", "1", "request-timeout", "50ms"),
            new SettableFreshness(),
            holdFirst)) {
      String url = server.baseUrl();
      long sent = System.nanoTime();
      // the first request holds the only scoring thread, the second waits in the queue
      CompletableFuture<HttpResponse<String>> first =
          client.sendAsync(post(url, BODY), HttpResponse.BodyHandlers.ofString());
      assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<HttpResponse<String>> second =
          client.sendAsync(post(url, BODY), HttpResponse.BodyHandlers.ofString());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> metricValue(url, "glad_serving_queued_requests") == 1);

      // the third finds the queue full
      assertAnswer(
          send(client, post(url, BODY)),
          429,
          "{\"error\":\"overloaded: 2 requests in flight (scoring-threads +"
              + " max-queued-requests); retry later\"}");

      // once both waited past request-timeout, they are answered 503
      await().atMost(Duration.ofSeconds(30)).until(() -> System.nanoTime() - sent > 60_000_000L);
      release.countDown();
      String timedOut = "{\"error\":\"timed out after 50 ms (request-timeout)\"}";
      assertAnswer(first.get(30, TimeUnit.SECONDS), 503, timedOut);
      assertAnswer(second.get(30, TimeUnit.SECONDS), 503, timedOut);
    }
  }

  private static double metricValue(String url, String name) throws Exception {
    String text = send(HttpClient.newHttpClient(), get(url, "/metrics")).body();
    for (String line : text.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).strip());
      }
    }
    return Double.NaN;
  }

  @Test
  void aBearerTokenIsRequiredWhenConfigured() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    try (RankingServer server =
        server(
            settings("auth", "token", "auth-token", "t0ken"), new SettableFreshness(), () -> {})) {
      String url = server.baseUrl();
      HttpResponse<String> none = send(client, post(url, BODY));
      assertAnswer(none, 401, "{\"error\":\"missing or invalid bearer token\"}");
      assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
      assertAnswer(
          send(client, post(url, BODY, "Authorization", "Bearer wrong")),
          401,
          "{\"error\":\"missing or invalid bearer token\"}");

      assertThat(send(client, post(url, BODY, "Authorization", "Bearer t0ken")).statusCode())
          .isEqualTo(200);
      // probes stay open for the orchestrator
      assertThat(send(client, get(url, "/ready")).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void mutualTlsRefusesAClientWithoutACertificateAndAcceptsOneWithIt(@TempDir Path tls)
      throws Exception {
    Certificates certs = Certificates.create(tls);
    try (RankingServer server =
        server(
            settings(
                "auth",
                "mtls",
                "tls-keystore",
                certs.serverKeys.toString(),
                "tls-keystore-password",
                Certificates.PASSWORD,
                "tls-truststore",
                certs.serverTrust.toString(),
                "tls-truststore-password",
                Certificates.PASSWORD),
            new SettableFreshness(),
            () -> {})) {
      String url = server.baseUrl().replace("127.0.0.1", "localhost");
      assertThat(url).startsWith("https://");

      HttpClient withoutCertificate =
          HttpClient.newBuilder().sslContext(certs.client(false)).build();
      assertThatThrownBy(() -> send(withoutCertificate, post(url, BODY)))
          .isInstanceOf(IOException.class);

      HttpClient withCertificate = HttpClient.newBuilder().sslContext(certs.client(true)).build();
      assertThat(send(withCertificate, post(url, BODY)).statusCode()).isEqualTo(200);
    }
  }

  /** Self-signed server and client certificates made with the JDK's keytool. */
  record Certificates(Path serverKeys, Path serverTrust, Path clientKeys, Path clientTrust) {
    static final String PASSWORD = "changeit";

    static Certificates create(Path dir) throws Exception {
      Certificates c =
          new Certificates(
              dir.resolve("server.p12"),
              dir.resolve("server-trust.p12"),
              dir.resolve("client.p12"),
              dir.resolve("client-trust.p12"));
      keyPair(c.serverKeys, "server", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1");
      keyPair(c.clientKeys, "client", "CN=ranking-client", null);
      exportInto(c.serverKeys, "server", c.clientTrust, dir.resolve("server.crt"));
      exportInto(c.clientKeys, "client", c.serverTrust, dir.resolve("client.crt"));
      return c;
    }

    private static void keyPair(Path store, String alias, String dname, String san)
        throws Exception {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "-genkeypair",
                  "-alias",
                  alias,
                  "-keyalg",
                  "EC",
                  "-groupname",
                  "secp256r1",
                  "-dname",
                  dname,
                  "-validity",
                  "2",
                  "-storetype",
                  "PKCS12",
                  "-keystore",
                  store.toString(),
                  "-storepass",
                  PASSWORD,
                  "-keypass",
                  PASSWORD));
      if (san != null) {
        args.add("-ext");
        args.add(san);
      }
      keytool(args);
    }

    private static void exportInto(Path from, String alias, Path trust, Path file)
        throws Exception {
      keytool(
          List.of(
              "-exportcert",
              "-alias",
              alias,
              "-keystore",
              from.toString(),
              "-storepass",
              PASSWORD,
              "-file",
              file.toString()));
      keytool(
          List.of(
              "-importcert",
              "-noprompt",
              "-alias",
              alias,
              "-file",
              file.toString(),
              "-storetype",
              "PKCS12",
              "-keystore",
              trust.toString(),
              "-storepass",
              PASSWORD));
    }

    private static void keytool(List<String> args) throws Exception {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
      command.addAll(args);
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("keytool " + args + " failed: " + output);
      }
    }

    SSLContext client(boolean withCertificate) throws Exception {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(load(clientTrust));
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(load(clientKeys), PASSWORD.toCharArray());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(withCertificate ? keys.getKeyManagers() : null, trust.getTrustManagers(), null);
      return context;
    }

    private static KeyStore load(Path file) throws Exception {
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(file)) {
        store.load(in, PASSWORD.toCharArray());
      }
      return store;
    }
  }
}
