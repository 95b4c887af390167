package dev.glad.tools.local;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The two calls of Flink's REST API that {@code ./glad savepoint} and {@code ./glad stop} need
 * (trigger a savepoint; stop with one), with the operation polled until it completes and its
 * failure cause reported as it is.
 */
public final class FlinkRest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;

  public FlinkRest(int port) {
    this.base = "http://localhost:" + port;
  }

  /** Takes a savepoint into {@code directory}; returns its path. */
  public String savepoint(String jobId, String directory, Duration timeout) throws Exception {
    JsonObject body = new JsonObject();
    body.addProperty("target-directory", directory);
    body.addProperty("cancel-job", false);
    body.addProperty("formatType", "CANONICAL");
    String trigger = post("/jobs/" + jobId + "/savepoints", body).get("request-id").getAsString();
    return await(jobId, trigger, timeout);
  }

  /** Stops the job with a savepoint into {@code directory} (no drain); returns its path. */
  public String stop(String jobId, String directory, Duration timeout) throws Exception {
    JsonObject body = new JsonObject();
    body.addProperty("targetDirectory", directory);
    body.addProperty("drain", false);
    body.addProperty("formatType", "CANONICAL");
    String trigger = post("/jobs/" + jobId + "/stop", body).get("request-id").getAsString();
    return await(jobId, trigger, timeout);
  }

  private String await(String jobId, String trigger, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonObject status = get("/jobs/" + jobId + "/savepoints/" + trigger);
      if ("COMPLETED".equals(status.getAsJsonObject("status").get("id").getAsString())) {
        JsonObject operation = status.getAsJsonObject("operation");
        if (operation.has("failure-cause")) {
          throw new IllegalStateException(
              "the savepoint failed: "
                  + operation
                      .getAsJsonObject("failure-cause")
                      .get("stack-trace")
                      .getAsString()
                      .lines()
                      .findFirst()
                      .orElse("(no cause)"));
        }
        return operation.get("location").getAsString();
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the savepoint did not complete within " + timeout);
  }

  private JsonObject post(String path, JsonObject body) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build());
  }

  private JsonObject get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET().build());
  }

  private JsonObject send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new IllegalStateException(
          request.method()
              + " "
              + request.uri()
              + ": HTTP "
              + response.statusCode()
              + " "
              + response.body());
    }
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }
}
