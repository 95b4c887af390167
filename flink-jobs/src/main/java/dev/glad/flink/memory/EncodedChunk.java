package dev.glad.flink.memory;

/**
 * A completed chunk after the encoder: its embedding s and the cluster it was assigned to. A Flink
 * POJO (public fields, no-arg constructor).
 */
public final class EncodedChunk {
  public String userId;
  public long sequenceNumber;
  public float[] embedding;
  public int clusterId;

  /** Size of the assigned cluster as the encoder knew it: measures the feedback loop's lag. */
  public long clusterSizeSeen;

  public long firstEventTime;
  public long lastEventTime;
  public long lastIngestTime;

  /** The chunk's items (kept in the user's memory for a rebuild under another model). */
  public String[] itemIds;

  public EncodedChunk() {}

  public EncodedChunk(
      String userId,
      long sequenceNumber,
      float[] embedding,
      int clusterId,
      long clusterSizeSeen,
      long firstEventTime,
      long lastEventTime,
      long lastIngestTime) {
    this.userId = userId;
    this.sequenceNumber = sequenceNumber;
    this.embedding = embedding;
    this.clusterId = clusterId;
    this.clusterSizeSeen = clusterSizeSeen;
    this.firstEventTime = firstEventTime;
    this.lastEventTime = lastEventTime;
    this.lastIngestTime = lastIngestTime;
  }

  /** With the chunk's item ids. */
  public EncodedChunk withItemIds(String[] itemIds) {
    this.itemIds = itemIds;
    return this;
  }

  @Override
  public String toString() {
    return "EncodedChunk{" + userId + "#" + sequenceNumber + " -> cluster " + clusterId + "}";
  }
}
