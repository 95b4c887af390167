package dev.glad.model.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.glad.model.encoder.EncoderConfig;
import org.junit.jupiter.api.Test;

class GladOptionsTest {
  @Test
  void buildRejectsEachBadValueWithItsName() {
    assertEquals(
        "clusteringFactor must be a finite number >= 1 but was 0.5",
        assertThrows(
                IllegalArgumentException.class,
                () -> GladOptions.builder().optClusteringFactor(0.5).build())
            .getMessage());
    assertEquals(
        "decay must be in [0, 1) but was 1.0",
        assertThrows(
                IllegalArgumentException.class, () -> GladOptions.builder().optDecay(1f).build())
            .getMessage());
    assertEquals(
        "kmeansIterations must be >= 0 but was -1",
        assertThrows(
                IllegalArgumentException.class,
                () -> GladOptions.builder().optKmeansIterations(-1).build())
            .getMessage());
    assertEquals(
        "auxiliaryLossWeight must be a finite number >= 0 but was -1.0",
        assertThrows(
                IllegalArgumentException.class,
                () -> GladOptions.builder().optAuxiliaryLossWeight(-1f).build())
            .getMessage());
  }

  @Test
  void parsersNameTheAcceptedValues() {
    assertEquals(
        "variant must be bert4rec, S, G, GC or GCA but was 'X'",
        assertThrows(IllegalArgumentException.class, () -> GladVariant.parse("X")).getMessage());
    assertEquals(GladVariant.GCA, GladVariant.parse("G+C+A"));
    assertEquals(GladVariant.GC, GladVariant.parse("gc"));
    assertEquals(
        "activation must be sigmoid, tanh, relu or identity but was 'elu'",
        assertThrows(IllegalArgumentException.class, () -> HeadActivation.parse("elu"))
            .getMessage());
  }

  @Test
  void configChecksClusterCountAgainstTheVariant() {
    EncoderConfig encoder = EncoderConfig.builder().setTokenCount(10).build();
    assertEquals(
        "variant GCA needs clusterCount >= 1 but was 0",
        assertThrows(
                IllegalArgumentException.class,
                () -> new GladConfig(encoder, GladVariant.GCA, 0, GladOptions.builder().build()))
            .getMessage());
    assertEquals(
        "variant S has no memory but clusterCount was 3",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new GladConfig(
                        encoder, GladVariant.SHORT_TERM, 3, GladOptions.builder().build()))
            .getMessage());
  }
}
