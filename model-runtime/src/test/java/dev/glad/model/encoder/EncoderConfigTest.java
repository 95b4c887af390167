package dev.glad.model.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class EncoderConfigTest {

  private static String error(EncoderConfig.Builder builder) {
    return assertThrows(IllegalArgumentException.class, builder::build).getMessage();
  }

  @Test
  void defaultsAreBert4RecBeauty() {
    EncoderConfig c = EncoderConfig.builder().setTokenCount(100).build();
    assertEquals(64, c.hiddenSize());
    assertEquals(2, c.layers());
    assertEquals(2, c.heads());
    assertEquals(256, c.innerSize());
    assertEquals(50, c.maxLength());
    assertEquals(20, c.chunkSize());
    assertEquals(32, c.headSize());
  }

  @Test
  void buildNamesTheBadValue() {
    assertEquals("tokenCount is required (call setTokenCount)", error(EncoderConfig.builder()));
    assertEquals(
        "tokenCount must be at least 4 (3 special tokens and one item) but was 3",
        error(EncoderConfig.builder().setTokenCount(3)));
    assertEquals(
        "heads must be positive and divide hiddenSize 64 but was 3",
        error(EncoderConfig.builder().setTokenCount(10).optHeads(3)));
    assertEquals(
        "maxLength must be at least chunkSize + 1 = 21 (a chunk plus the appended MASK) but was 20",
        error(EncoderConfig.builder().setTokenCount(10).optMaxLength(20)));
    assertEquals(
        "hiddenDropout must be in [0, 1) but was 1.0",
        error(EncoderConfig.builder().setTokenCount(10).optHiddenDropout(1f)));
    assertEquals(
        "layers must be positive but was 0",
        error(EncoderConfig.builder().setTokenCount(10).optLayers(0)));
  }
}
