package dev.glad.flink.job;

import static dev.glad.flink.job.GladJobOptions.BOOTSTRAP_SERVERS;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * Checks, before the job is submitted, that Kafka answers with the job's client properties, so a
 * missing or wrong security setting is one clear error at start instead of sources and sinks
 * retrying without end on the TaskManagers.
 */
public final class KafkaPreflight {
  /** How long Kafka has to answer. */
  public static final Duration TIMEOUT = Duration.ofSeconds(20);

  private KafkaPreflight() {}

  /**
   * @throws IllegalArgumentException naming the servers, the security protocol in use and what to
   *     set; never a secret
   */
  public static void check(GladJobSettings settings) {
    String servers = settings.get(BOOTSTRAP_SERVERS);
    Properties p = KafkaIo.clientProperties(settings);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT.toMillis()));
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT.toMillis()));
    String protocol =
        p.getProperty(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT (the default)");
    try (Admin admin = Admin.create(p)) {
      admin.describeCluster().nodes().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof AuthenticationException || cause instanceof AuthorizationException) {
        throw new IllegalArgumentException(
            "Kafka at "
                + servers
                + " refused the job's credentials ("
                + cause.getMessage()
                + "); check kafka.sasl.* / kafka.ssl.* (docs/OPERATIONS.md, secured Kafka)");
      }
      throw unreachable(servers, protocol, String.valueOf(cause));
    } catch (TimeoutException e) {
      throw unreachable(servers, protocol, "no answer within " + TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking Kafka", e);
    }
  }

  private static IllegalArgumentException unreachable(String servers, String protocol, String why) {
    return new IllegalArgumentException(
        "cannot reach Kafka at "
            + servers
            + " with security.protocol "
            + protocol
            + ": "
            + why
            + ". A cluster that requires SASL or TLS needs kafka.security.protocol and"
            + " kafka.sasl.* / kafka.ssl.* (or kafka-properties FILE); see docs/OPERATIONS.md");
  }
}
