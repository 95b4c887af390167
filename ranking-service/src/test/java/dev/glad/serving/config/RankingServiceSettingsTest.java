package dev.glad.serving.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings: defaults, parsing, the rules and their exact messages, secrets never printed. */
class RankingServiceSettingsTest {
  private static Map<String, String> minimal() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("bootstrap-servers", "k:9092");
    m.put("model-dir", "/models/glad");
    return m;
  }

  private static RankingServiceSettings of(Map<String, String> texts) {
    return RankingServiceSettings.fromMap(texts, name -> name.equals("TOKEN") ? "s3cret" : null);
  }

  @Test
  void everySettingHasItsDefault() {
    RankingServiceSettings s = of(minimal());
    assertThat(s.get(RankingServiceOptions.PORT)).isEqualTo(8080);
    assertThat(s.get(RankingServiceOptions.MAX_CANDIDATES)).isEqualTo(10_000);
    assertThat(s.get(RankingServiceOptions.REQUEST_TIMEOUT)).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.get(RankingServiceOptions.AUTH)).isEqualTo(RankingServiceOptions.Auth.NONE);
    assertThat(s.get(RankingServiceOptions.TOPIC_PREFIX)).isEqualTo("glad.");
    assertThat(s.scoringThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(s.kafka().isEmpty()).isTrue();
  }

  @Test
  void valuesAreParsedFromText() {
    Map<String, String> m = minimal();
    m.put("port", "9000");
    m.put("request-timeout", "250ms");
    m.put("auth", "token");
    m.put("auth-token", "${env:TOKEN}");
    m.put("kafka.security.protocol", "SASL_SSL");
    m.put("kafka.sasl.jaas.config", "secret-jaas");
    RankingServiceSettings s = of(m);
    assertThat(s.get(RankingServiceOptions.PORT)).isEqualTo(9000);
    assertThat(s.get(RankingServiceOptions.REQUEST_TIMEOUT)).isEqualTo(Duration.ofMillis(250));
    assertThat(s.get(RankingServiceOptions.AUTH_TOKEN)).isEqualTo("s3cret");
    assertThat(s.kafka().asMap())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.jaas.config", "secret-jaas");
    assertThat(s.toString())
        .contains("auth=token", "auth-token=[hidden]", "security.protocol=SASL_SSL")
        .doesNotContain("s3cret", "secret-jaas");
  }

  @Test
  void badValuesAndMissingOnesAreRefusedWithExactMessages() {
    assertMessage(Map.of("model-dir", "/m"), "bootstrap-servers is required");
    assertMessage(Map.of("bootstrap-servers", "k:1"), "model-dir is required");
    assertMessage(with("port", "70000"), "port must be between 0 and 65535, got 70000");
    assertMessage(with("port", "eighty"), "port: cannot parse 'eighty'");
    assertMessage(
        with("max-candidates", "0"), "max-candidates must be between 1 and 1000000, got 0");
    assertMessage(
        with("request-timeout", "soon"),
        "request-timeout: cannot parse duration 'soon' (use e.g. 500ms, 5s, 10m, 2h or PT5S)");
    assertMessage(with("request-timeout", "0s"), "request-timeout must be > 0, got PT0S");
    assertMessage(with("auth", "basic"), "auth: must be one of none, token or mtls, got 'basic'");
    assertMessage(with("auth", "token"), "auth=token needs auth-token");
    assertMessage(
        with("auth-token", "abc"),
        "auth-token is set but auth is none: set auth=token to require it");
    assertMessage(with("auth", "mtls"), "auth=mtls needs tls-keystore and tls-truststore");
    assertMessage(with("tls-keystore", "/k.p12"), "tls-keystore needs tls-keystore-password");
    assertMessage(
        with("auth-token", "${env:NOPE}"), "auth-token: environment variable NOPE is not set");
    assertMessage(with("colour", "red"), "unknown setting 'colour'");
  }

  private static Map<String, String> with(String key, String value) {
    Map<String, String> m = minimal();
    m.put(key, value);
    return m;
  }

  private static void assertMessage(Map<String, String> texts, String message) {
    assertThatThrownBy(() -> of(texts))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void theDocumentationTableListsEverySetting() {
    String table = RankingServiceOptions.markdownTable();
    for (ServiceSetting<?> s : RankingServiceOptions.ALL) {
      assertThat(table).contains("| `" + s.key() + "` |");
    }
  }
}
