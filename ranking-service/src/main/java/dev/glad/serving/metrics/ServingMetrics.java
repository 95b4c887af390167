package dev.glad.serving.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.DoubleSupplier;

/**
 * The service's Prometheus metrics, in one registry per service instance (tests run several in one
 * JVM). Names start with {@code glad_serving_}; docs/OPERATIONS.md says which to alert on.
 */
public final class ServingMetrics {
  private static final double[] LATENCY_BOUNDS = {
    0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5
  };

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  private final Counter requests =
      Counter.builder()
          .name("glad_serving_requests_total")
          .help("HTTP requests by endpoint and status code")
          .labelNames("endpoint", "status")
          .register(registry);
  private final Histogram latency =
      Histogram.builder()
          .name("glad_serving_request_duration_seconds")
          .help("time from receiving a request to its answer, queue wait included")
          .labelNames("endpoint")
          .classicUpperBounds(LATENCY_BOUNDS)
          .classicOnly()
          .register(registry);
  private final Counter scored =
      Counter.builder()
          .name("glad_serving_scored_requests_total")
          .help(
              "score requests by how they were scored (glad, short_term, popularity) and what"
                  + " happened to the user's memory (used, none, other_model_version,"
                  + " not_requested)")
          .labelNames("scoring", "memory")
          .register(registry);
  private final Counter candidates =
      Counter.builder()
          .name("glad_serving_candidates_total")
          .help("candidates scored")
          .register(registry);
  private final Counter unknownItems =
      Counter.builder()
          .name("glad_serving_unknown_items_total")
          .help("item ids the model does not know, by role (candidate, recent)")
          .labelNames("role")
          .register(registry);
  private final Histogram memoryAge =
      Histogram.builder()
          .name("glad_serving_memory_age_seconds")
          .help("age of the memory a score used: now minus the job's update time")
          .classicUpperBounds(1, 5, 15, 60, 300, 900, 3600, 6 * 3600, 86_400, 7 * 86_400)
          .classicOnly()
          .register(registry);
  private final Histogram encoderBatch =
      Histogram.builder()
          .name("glad_serving_encoder_batch_size")
          .help("requests whose z_U one encoder forward pass computed (dynamic batching)")
          .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256)
          .classicOnly()
          .register(registry);
  private final Histogram encoderTime =
      Histogram.builder()
          .name("glad_serving_encoder_batch_seconds")
          .help("time of one encoder forward pass")
          .classicUpperBounds(LATENCY_BOUNDS)
          .classicOnly()
          .register(registry);
  private final Counter topicRecords =
      Counter.builder()
          .name("glad_serving_topic_records_total")
          .help(
              "records read from the memory topics by topic and outcome (stored, kept_newer,"
                  + " applied, other_model_version, rejected, undecodable, tombstone)")
          .labelNames("topic", "outcome")
          .register(registry);

  /** Adds a gauge whose value is read at every scrape. */
  public void gauge(String name, String help, DoubleSupplier value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(value.getAsDouble()))
        .register(registry);
  }

  /** Adds a gauge with one label, one series per label value. */
  public void gauge(String name, String help, String label, String[] values, DoubleSupplier[] of) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames(label)
        .callback(
            cb -> {
              for (int i = 0; i < values.length; i++) {
                cb.call(of[i].getAsDouble(), values[i]);
              }
            })
        .register(registry);
  }

  public void request(String endpoint, int status, long startNanos) {
    requests.labelValues(endpoint, Integer.toString(status)).inc();
    latency.labelValues(endpoint).observe((System.nanoTime() - startNanos) / 1e9);
  }

  public void scored(String scoring, String memory, int candidateCount) {
    scored.labelValues(scoring, memory).inc();
    candidates.inc(candidateCount);
  }

  public void unknownItems(String role, int count) {
    if (count > 0) {
      unknownItems.labelValues(role).inc(count);
    }
  }

  public void memoryAge(double seconds) {
    memoryAge.observe(Math.max(0, seconds));
  }

  public void encoderBatch(int size, long nanos) {
    encoderBatch.observe(size);
    encoderTime.observe(nanos / 1e9);
  }

  public void topicRecord(String topic, String outcome) {
    topicRecords.labelValues(topic, outcome).inc();
  }

  /** A counter's current value (tests, the demo's report). */
  public double topicRecords(String topic, String outcome) {
    return topicRecords.labelValues(topic, outcome).get();
  }

  public double scoredRequests(String scoring, String memory) {
    return scored.labelValues(scoring, memory).get();
  }

  public String contentType() {
    return writer.getContentType();
  }

  /** Writes every metric in Prometheus's text format. */
  public void write(OutputStream out) throws IOException {
    writer.write(out, registry.scrape());
  }
}
