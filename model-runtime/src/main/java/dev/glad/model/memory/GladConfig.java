package dev.glad.model.memory;

import dev.glad.model.encoder.EncoderConfig;

/**
 * Everything that fixes the shape and behaviour of a GLAD model: the encoder (whose {@code
 * chunkSize} is the chunk size c), the variant, the number of memory nodes K and the options.
 *
 * @param encoder the encoder's shape; {@code encoder.hiddenSize()} is e, {@code
 *     encoder.chunkSize()} is c
 * @param variant which parts of GLAD are used
 * @param clusterCount K, the memory nodes in the artifact state (unique chunks for {@link
 *     GladVariant#G}); 0 for variants without memory
 * @param options the open choices
 */
public record GladConfig(
    EncoderConfig encoder, GladVariant variant, int clusterCount, GladOptions options) {

  /** Validates. */
  public GladConfig {
    if (encoder == null || variant == null || options == null) {
      throw new IllegalArgumentException("encoder, variant and options are required");
    }
    if (variant.hasMemory() && clusterCount < 1) {
      throw new IllegalArgumentException(
          "variant " + variant.flag() + " needs clusterCount >= 1 but was " + clusterCount);
    }
    if (!variant.hasMemory() && clusterCount != 0) {
      throw new IllegalArgumentException(
          "variant " + variant.flag() + " has no memory but clusterCount was " + clusterCount);
    }
  }

  /** e. */
  public int hiddenSize() {
    return encoder.hiddenSize();
  }

  /** c. */
  public int chunkSize() {
    return encoder.chunkSize();
  }
}
