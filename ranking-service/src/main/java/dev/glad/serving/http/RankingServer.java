package dev.glad.serving.http;

import dev.glad.serving.GladRanker;
import dev.glad.serving.MemoryView;
import dev.glad.serving.ScoreRequest;
import dev.glad.serving.config.RankingServiceOptions;
import dev.glad.serving.config.RankingServiceOptions.Auth;
import dev.glad.serving.config.RankingServiceSettings;
import dev.glad.serving.memory.Freshness;
import dev.glad.serving.metrics.ServingMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/JSON face of a {@link GladRanker}, on Jetty 12 (its core handler API, no servlets).
 *
 * <table>
 *   <caption>Endpoints</caption>
 *   <tr><td>POST /v1/score</td><td>scores in candidate order, with gate and model version</td></tr>
 *   <tr><td>GET /v1/users/{id}/memory</td><td>the user's edges and top clusters with their top
 *       items ({@code ?topClusters=5&topItems=10})</td></tr>
 *   <tr><td>GET /health</td><td>200 while the process can serve (503 once the memory reader
 *       failed for good)</td></tr>
 *   <tr><td>GET /ready</td><td>200 once the memory topics were read to their end, else 503 with
 *       the reason; both with the consumer lag</td></tr>
 *   <tr><td>GET /metrics</td><td>Prometheus text format</td></tr>
 * </table>
 *
 * <p>Work on /v1 runs on a fixed pool of scoring threads behind a bounded queue: a request that
 * finds the queue full is answered 429 at once, one that waited past {@code request-timeout} gets
 * 503. Before ready, /v1 answers 503 (a memory still loading would score users as if new).
 * Authentication ({@code auth}) guards /v1; with mtls the whole port is HTTPS with client
 * certificates.
 */
public final class RankingServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RankingServer.class);
  private static final String JSON = "application/json";
  private static final String USERS_PREFIX = "/v1/users/";

  private final GladRanker ranker;
  private final Freshness freshness;
  private final ServingMetrics metrics;
  private final ScoreRequestParser parser;
  private final long timeoutNanos;
  private final int maxBodyBytes;
  private final byte[] token;
  private final ThreadPoolExecutor workers;
  private final int maxInFlight;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Server server;
  private final ServerConnector connector;
  private final boolean https;
  private final Runnable beforeWork;

  public RankingServer(
      RankingServiceSettings settings,
      GladRanker ranker,
      Freshness freshness,
      ServingMetrics metrics) {
    this(settings, ranker, freshness, metrics, () -> {});
  }

  /**
   * @param beforeWork runs on the scoring thread before each /v1 request's work (tests hold a
   *     thread there to fill the queue deterministically)
   */
  RankingServer(
      RankingServiceSettings settings,
      GladRanker ranker,
      Freshness freshness,
      ServingMetrics metrics,
      Runnable beforeWork) {
    this.beforeWork = beforeWork;
    this.ranker = ranker;
    this.freshness = freshness;
    this.metrics = metrics;
    int maxCandidates = settings.get(RankingServiceOptions.MAX_CANDIDATES);
    int maxRecent = settings.get(RankingServiceOptions.MAX_RECENT_ITEMS);
    this.parser = new ScoreRequestParser(maxCandidates, maxRecent);
    this.maxBodyBytes =
        (int) Math.min(Integer.MAX_VALUE - 8, 65_536L + 512L * (maxCandidates + maxRecent));
    this.timeoutNanos = settings.get(RankingServiceOptions.REQUEST_TIMEOUT).toNanos();
    Auth auth = settings.get(RankingServiceOptions.AUTH);
    this.token =
        auth == Auth.TOKEN
            ? ("Bearer " + settings.get(RankingServiceOptions.AUTH_TOKEN))
                .getBytes(StandardCharsets.UTF_8)
            : null;
    int threads = settings.scoringThreads();
    this.maxInFlight = threads + settings.get(RankingServiceOptions.MAX_QUEUED_REQUESTS);
    AtomicInteger n = new AtomicInteger();
    // unbounded: admission is bounded by maxInFlight, and a request's second stage (scoring once
    // z_U is there) must never be refused
    this.workers =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "glad-ranking-scorer-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    metrics.gauge(
        "glad_serving_queued_requests",
        "work waiting for a scoring thread (a request's parsing or its scoring)",
        () -> workers.getQueue().size());
    metrics.gauge(
        "glad_serving_in_flight_requests",
        "requests admitted to /v1 and not answered yet",
        inFlight::get);

    QueuedThreadPool io = new QueuedThreadPool(64, 4, 60_000);
    io.setName("glad-ranking-http");
    io.setDaemon(true);
    this.server = new Server(io);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(false);
    String keystore = settings.get(RankingServiceOptions.TLS_KEYSTORE);
    this.https = keystore != null;
    if (keystore != null) {
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      ssl.setKeyStorePath(keystore);
      ssl.setKeyStorePassword(settings.get(RankingServiceOptions.TLS_KEYSTORE_PASSWORD));
      ssl.setKeyStoreType("PKCS12");
      if (auth == Auth.MTLS) {
        ssl.setTrustStorePath(settings.get(RankingServiceOptions.TLS_TRUSTSTORE));
        ssl.setTrustStorePassword(settings.get(RankingServiceOptions.TLS_TRUSTSTORE_PASSWORD));
        ssl.setTrustStoreType("PKCS12");
        ssl.setNeedClientAuth(true);
      }
      SecureRequestCustomizer secure = new SecureRequestCustomizer();
      secure.setSniHostCheck(false);
      http.addCustomizer(secure);
      connector =
          new ServerConnector(
              server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
    } else {
      connector = new ServerConnector(server, new HttpConnectionFactory(http));
    }
    connector.setHost(settings.get(RankingServiceOptions.HOST));
    connector.setPort(settings.get(RankingServiceOptions.PORT));
    server.addConnector(connector);
    server.setHandler(new Routes());
  }

  /** Starts listening. */
  public RankingServer start() {
    try {
      server.start();
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot start the HTTP server on "
              + connector.getHost()
              + ":"
              + connector.getPort()
              + ": "
              + e.getMessage(),
          e);
    }
    LOG.info("ranking service listening on {}", baseUrl());
    return this;
  }

  /** The port it listens on (the chosen one when the setting was 0). */
  public int port() {
    return connector.getLocalPort();
  }

  /** {@code http(s)://host:port} as a client on this machine reaches it. */
  public String baseUrl() {
    String host = connector.getHost();
    if (host == null || host.equals("0.0.0.0") || host.equals("::")) {
      host = "localhost";
    }
    return (https ? "https" : "http") + "://" + host + ":" + port();
  }

  private final class Routes extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      long start = System.nanoTime();
      String path = Request.getPathInContext(request);
      String method = request.getMethod();
      if (path.equals("/health")) {
        answerHealth(method, response, callback, start);
        return true;
      }
      if (path.equals("/ready")) {
        answerReady(method, response, callback, start);
        return true;
      }
      if (path.equals("/metrics")) {
        answerMetrics(method, response, callback, start);
        return true;
      }
      String endpoint;
      if (path.equals("/v1/score")) {
        endpoint = "score";
        if (!method.equals("POST")) {
          send(response, callback, endpoint, start, 405, Json.error("use POST for /v1/score"));
          return true;
        }
      } else if (path.startsWith(USERS_PREFIX) && path.endsWith("/memory")) {
        endpoint = "memory";
        if (!method.equals("GET")) {
          send(response, callback, endpoint, start, 405, Json.error("use GET for " + path));
          return true;
        }
      } else {
        send(
            response,
            callback,
            "other",
            start,
            404,
            Json.error("no such endpoint: " + method + " " + path));
        return true;
      }
      if (token != null && !authorized(request)) {
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
        send(
            response,
            callback,
            endpoint,
            start,
            401,
            Json.error("missing or invalid bearer token"));
        return true;
      }
      if (!freshness.ready()) {
        send(
            response,
            callback,
            endpoint,
            start,
            503,
            Json.error("not ready: " + freshness.notReadyReason()));
        return true;
      }
      int admitted = inFlight.incrementAndGet();
      if (admitted > maxInFlight) {
        inFlight.decrementAndGet();
        send(
            response,
            callback,
            endpoint,
            start,
            429,
            Json.error(
                "overloaded: "
                    + maxInFlight
                    + " requests in flight (scoring-threads + max-queued-requests); retry later"));
        return true;
      }
      try {
        workers.execute(() -> work(endpoint, path, request, response, callback, start));
      } catch (RejectedExecutionException e) {
        answer(response, callback, endpoint, start, 503, Json.error("the service is stopping"));
      }
      return true;
    }
  }

  private boolean authorized(Request request) {
    String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    return header != null && MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8), token);
  }

  /** The first stage of a /v1 request on a scoring thread; every path ends in {@link #answer}. */
  private void work(
      String endpoint,
      String path,
      Request request,
      Response response,
      Callback callback,
      long start) {
    long deadline = start + timeoutNanos;
    try {
      beforeWork.run();
      if (System.nanoTime() > deadline) {
        throw new TimeoutException();
      }
      if (!endpoint.equals("score")) {
        answer(response, callback, endpoint, start, 200, memory(path, request));
        return;
      }
      ScoreRequest parsed = parser.parse(readBody(request));
      // z_U is computed in the encoder's next batch; the scoring thread is free meanwhile
      ranker
          .scoreAsync(parsed, workers)
          .orTimeout(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
          .whenComplete(
              (result, error) -> {
                if (error == null) {
                  answer(response, callback, endpoint, start, 200, Json.score(result));
                } else {
                  failed(response, callback, endpoint, start, error);
                }
              });
    } catch (RuntimeException | IOException | TimeoutException | BadRequest e) {
      failed(response, callback, endpoint, start, e);
    }
  }

  private void failed(
      Response response, Callback callback, String endpoint, long start, Throwable error) {
    Throwable e =
        error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause()
            : error;
    if (e instanceof BadRequest bad) {
      answer(response, callback, endpoint, start, bad.status(), Json.error(bad.getMessage()));
    } else if (e instanceof TimeoutException) {
      answer(
          response,
          callback,
          endpoint,
          start,
          503,
          Json.error("timed out after " + timeoutNanos / 1_000_000 + " ms (request-timeout)"));
    } else {
      LOG.error("{} failed", endpoint, e);
      answer(response, callback, endpoint, start, 500, Json.error("internal error: " + e));
    }
  }

  /** Sends the answer of an admitted /v1 request and releases its place. */
  private void answer(
      Response response, Callback callback, String endpoint, long start, int status, String json) {
    inFlight.decrementAndGet();
    send(response, callback, endpoint, start, status, json);
  }

  private String memory(String path, Request request) throws BadRequest {
    String encoded = path.substring(USERS_PREFIX.length(), path.length() - "/memory".length());
    if (encoded.isEmpty() || encoded.contains("/")) {
      throw new BadRequest(400, "the user id is missing: use /v1/users/{id}/memory");
    }
    String userId = URLDecoder.decode(encoded, StandardCharsets.UTF_8);
    Fields query = Request.extractQueryParameters(request);
    int topClusters = intParameter(query, "topClusters", 5, 0, 1_000);
    int topItems = intParameter(query, "topItems", 10, 0, 1_000);
    Optional<MemoryView> view = ranker.memory(userId, topClusters, topItems);
    if (view.isEmpty()) {
      throw new BadRequest(404, "no memory for user '" + userId + "'");
    }
    return Json.memory(view.get());
  }

  private static int intParameter(Fields query, String name, int dflt, int min, int max)
      throws BadRequest {
    String v = query.getValue(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new BadRequest(
        400, name + " must be an integer between " + min + " and " + max + ", got '" + v + "'");
  }

  private String readBody(Request request) throws IOException, BadRequest {
    long declared = request.getLength();
    if (declared > maxBodyBytes) {
      throw new BadRequest(
          413, "request body of " + declared + " bytes is larger than " + maxBodyBytes);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 4096);
    try (InputStream in = Content.Source.asInputStream(request)) {
      byte[] buffer = new byte[16_384];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        if (out.size() > maxBodyBytes) {
          throw new BadRequest(413, "request body is larger than " + maxBodyBytes + " bytes");
        }
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private void answerHealth(String method, Response response, Callback callback, long start) {
    if (!method.equals("GET")) {
      send(response, callback, "health", start, 405, Json.error("use GET for /health"));
      return;
    }
    boolean up = !freshness.failed();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", up ? "up" : "down");
    if (!up) {
      body.put("reason", freshness.notReadyReason());
    }
    send(response, callback, "health", start, up ? 200 : 503, Json.object(body));
  }

  private void answerReady(String method, Response response, Callback callback, long start) {
    if (!method.equals("GET")) {
      send(response, callback, "ready", start, 405, Json.error("use GET for /ready"));
      return;
    }
    boolean ready = freshness.ready();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ready", ready);
    if (!ready) {
      body.put("reason", freshness.notReadyReason());
    }
    body.put("modelVersion", ranker.modelVersion());
    body.put("userLagRecords", freshness.userLag());
    body.put("clusterLagRecords", freshness.clusterLag());
    long newest = freshness.newestUserUpdateMs();
    body.put("newestUserUpdateAgeMs", newest == 0 ? null : System.currentTimeMillis() - newest);
    send(response, callback, "ready", start, ready ? 200 : 503, Json.object(body));
  }

  private void answerMetrics(String method, Response response, Callback callback, long start) {
    if (!method.equals("GET")) {
      send(response, callback, "metrics", start, 405, Json.error("use GET for /metrics"));
      return;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(16_384);
    try {
      metrics.write(out);
    } catch (IOException | RuntimeException e) {
      send(response, callback, "metrics", start, 500, Json.error("cannot write metrics: " + e));
      return;
    }
    metrics.request("metrics", 200, start);
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, metrics.contentType());
    response.write(true, ByteBuffer.wrap(out.toByteArray()), callback);
  }

  private void send(
      Response response, Callback callback, String endpoint, long start, int status, String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    metrics.request(endpoint, status, start);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("stopping the HTTP server failed", e);
    }
    workers.shutdownNow();
  }
}
