package dev.glad.schemas.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientConfigTest {
  @Test
  void inlineSettingsWinOverTheFileAndEnvironmentReferencesAreResolved(@TempDir Path tmp)
      throws IOException {
    Path file = tmp.resolve("client.properties");
    Files.writeString(
        file,
        "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=from-file\n");
    KafkaClientConfig config =
        KafkaClientConfig.fromSettings(
            Map.of(
                "kafka-properties", file.toString(),
                "kafka.sasl.mechanism", "SCRAM-SHA-512",
                "kafka.sasl.jaas.config", "user ${env:GLAD_SECRET}!",
                "chunk-size", "5"),
            name -> name.equals("GLAD_SECRET") ? "s3cr3t" : null);
    assertEquals("SASL_PLAINTEXT", config.asMap().get("security.protocol"));
    assertEquals("SCRAM-SHA-512", config.asMap().get("sasl.mechanism"));
    assertEquals("user s3cr3t!", config.asMap().get("sasl.jaas.config"));
    assertFalse(config.asMap().containsKey("chunk-size"));
  }

  @Test
  void secretsNeverPrint() {
    KafkaClientConfig config =
        KafkaClientConfig.of(
            Map.of(
                "sasl.jaas.config", "org.apache...ScramLoginModule required password=\"p\";",
                "ssl.keystore.password", "p",
                "ssl.truststore.location", "/t.jks",
                "my.custom.secret", "p"));
    String printed = config.toString();
    assertFalse(printed.contains("\"p\""), printed);
    assertFalse(printed.contains("=p"), printed);
    assertTrue(printed.contains("ssl.truststore.location=/t.jks"), printed);
    assertEquals("[hidden]", config.redacted().get("sasl.jaas.config"));
    assertEquals("[hidden]", config.redacted().get("my.custom.secret"));
  }

  @Test
  void aMissingVariableOrFileIsNamedWithoutAnyValue() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                KafkaClientConfig.fromSettings(
                    Map.of("kafka.sasl.jaas.config", "x ${env:NOPE}"), name -> null));
    assertEquals("kafka.sasl.jaas.config: environment variable NOPE is not set", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> KafkaClientConfig.fromSettings(Map.of("kafka-properties", "/no/such/file")));
    assertEquals(
        "kafka-properties: cannot read /no/such/file (NoSuchFileException)", e.getMessage());
  }
}
