package dev.glad.flink.memory;

import dev.glad.flink.erasure.Erasure;

/**
 * What the chunk encoder emits: exactly one of an encoded chunk or an erasure, in the order the
 * chunk assembler emitted them (the encoder flushes its batch before it passes an erasure on).
 */
public final class EncodedOrErasure {
  public EncodedChunk chunk;
  public Erasure erasure;

  public EncodedOrErasure() {}

  public static EncodedOrErasure of(EncodedChunk chunk) {
    EncodedOrErasure r = new EncodedOrErasure();
    r.chunk = chunk;
    return r;
  }

  public static EncodedOrErasure of(Erasure erasure) {
    EncodedOrErasure r = new EncodedOrErasure();
    r.erasure = erasure;
    return r;
  }

  public boolean isChunk() {
    return chunk != null;
  }

  /** The user this element belongs to: the key of the user-memory stage. */
  public String userId() {
    return chunk != null ? chunk.userId : erasure.userId;
  }

  @Override
  public String toString() {
    return chunk != null ? chunk.toString() : erasure.toString();
  }
}
