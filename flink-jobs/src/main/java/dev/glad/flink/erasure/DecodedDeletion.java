package dev.glad.flink.erasure;

import dev.glad.schemas.DeletionAudit;

/**
 * What the deletions source emits for each Kafka record: exactly one of a valid request or the
 * audit record of a rejected one.
 */
public final class DecodedDeletion {
  public Erasure erasure;
  public DeletionAudit rejected;

  public DecodedDeletion() {}

  public static DecodedDeletion valid(Erasure erasure) {
    DecodedDeletion d = new DecodedDeletion();
    d.erasure = erasure;
    return d;
  }

  public static DecodedDeletion rejected(DeletionAudit audit) {
    DecodedDeletion d = new DecodedDeletion();
    d.rejected = audit;
    return d;
  }

  public boolean isValid() {
    return erasure != null;
  }
}
