package dev.glad.serving.memory;

import dev.glad.schemas.ClusterEdge;
import dev.glad.schemas.UserMemory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What the service keeps of a user's latest {@link UserMemory} record: the fields scoring and the
 * memory endpoint need, in a compact binary form for the RocksDB store (no Avro decoding and no
 * boxed floats on the request path).
 *
 * @param modelVersion the artifact that wrote the memory
 * @param sequenceNumber the stream's per-user update counter (the highest one wins)
 * @param eventTimeMs event time of the newest interaction in the memory
 * @param updateTimeMs processing time of the update in the job
 * @param chunkCount complete chunks in the memory
 * @param clusterIds the user's clusters, as the record lists them
 * @param edgeWeights chunks of the user in each cluster
 * @param hU0 h_U^0, the user node's input
 * @param shortTerm the stream's z_U (encode of the last complete chunk)
 */
public record StoredUserMemory(
    String modelVersion,
    long sequenceNumber,
    long eventTimeMs,
    long updateTimeMs,
    long chunkCount,
    int[] clusterIds,
    int[] edgeWeights,
    float[] hU0,
    float[] shortTerm) {

  /** The format byte of {@link #encode()}; a store of another format is rebuilt, never read. */
  static final byte FORMAT = 1;

  /** The stored form of a record from the user-memory topic. */
  public static StoredUserMemory of(UserMemory record) {
    List<ClusterEdge> edges = record.getClusters();
    int[] ids = new int[edges.size()];
    int[] weights = new int[edges.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = edges.get(i).getClusterId();
      weights[i] = edges.get(i).getWeight();
    }
    return new StoredUserMemory(
        record.getModelVersion(),
        record.getSequenceNumber(),
        record.getEventTime().toEpochMilli(),
        record.getUpdateTime().toEpochMilli(),
        record.getChunkCount(),
        ids,
        weights,
        floats(record.getHU0()),
        floats(record.getShortTerm()));
  }

  private static float[] floats(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  /** Whether the user has at least one memory edge. */
  public boolean hasEdges() {
    return clusterIds.length > 0;
  }

  /** The binary form kept in the store. */
  public byte[] encode() {
    byte[] version = modelVersion.getBytes(StandardCharsets.UTF_8);
    int size =
        1
            + 4
            + version.length
            + 8 * 4
            + 4
            + 8 * clusterIds.length
            + 4
            + 4 * hU0.length
            + 4
            + 4 * shortTerm.length;
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put(FORMAT).putInt(version.length).put(version);
    b.putLong(sequenceNumber).putLong(eventTimeMs).putLong(updateTimeMs).putLong(chunkCount);
    b.putInt(clusterIds.length);
    for (int i = 0; i < clusterIds.length; i++) {
      b.putInt(clusterIds[i]).putInt(edgeWeights[i]);
    }
    putFloats(b, hU0);
    putFloats(b, shortTerm);
    return b.array();
  }

  private static void putFloats(ByteBuffer b, float[] values) {
    b.putInt(values.length);
    for (float v : values) {
      b.putFloat(v);
    }
  }

  /**
   * Reads {@link #encode()}'s form.
   *
   * @throws IllegalStateException for bytes of another format
   */
  public static StoredUserMemory decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    byte format = b.get();
    if (format != FORMAT) {
      throw new IllegalStateException("stored user memory of format " + format + ", not " + FORMAT);
    }
    byte[] version = new byte[b.getInt()];
    b.get(version);
    long sequence = b.getLong();
    long eventTime = b.getLong();
    long updateTime = b.getLong();
    long chunks = b.getLong();
    int n = b.getInt();
    int[] ids = new int[n];
    int[] weights = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = b.getInt();
      weights[i] = b.getInt();
    }
    return new StoredUserMemory(
        new String(version, StandardCharsets.UTF_8),
        sequence,
        eventTime,
        updateTime,
        chunks,
        ids,
        weights,
        getFloats(b),
        getFloats(b));
  }

  private static float[] getFloats(ByteBuffer b) {
    float[] out = new float[b.getInt()];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.getFloat();
    }
    return out;
  }
}
