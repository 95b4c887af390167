package dev.glad.flink.chunk;

import dev.glad.flink.erasure.Erasure;
import dev.glad.schemas.CompletedChunk;

/**
 * What the chunk assembler emits, in one stream so that a user's erasure follows the user's chunks
 * emitted before it through every later stage: exactly one of a completed chunk or an erasure.
 */
public final class ChunkOrErasure {
  public CompletedChunk chunk;
  public Erasure erasure;

  public ChunkOrErasure() {}

  public static ChunkOrErasure of(CompletedChunk chunk) {
    ChunkOrErasure r = new ChunkOrErasure();
    r.chunk = chunk;
    return r;
  }

  public static ChunkOrErasure of(Erasure erasure) {
    ChunkOrErasure r = new ChunkOrErasure();
    r.erasure = erasure;
    return r;
  }

  public boolean isChunk() {
    return chunk != null;
  }

  @Override
  public String toString() {
    return chunk != null ? chunk.toString() : erasure.toString();
  }
}
