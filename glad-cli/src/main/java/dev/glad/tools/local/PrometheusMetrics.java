package dev.glad.tools.local;

import org.apache.flink.configuration.Configuration;

/** Flink's Prometheus reporter for a local job: every job and operator metric over HTTP. */
public final class PrometheusMetrics {
  private PrometheusMetrics() {}

  /** Reports through {@code http://localhost:PORT/metrics}. */
  public static void configure(Configuration conf, int port) {
    conf.setString(
        "metrics.reporter.prom.factory.class",
        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    conf.setString("metrics.reporter.prom.port", Integer.toString(port));
  }
}
