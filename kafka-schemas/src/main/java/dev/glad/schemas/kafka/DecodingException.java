package dev.glad.schemas.kafka;

import dev.glad.schemas.DeadLetterReason;

/**
 * A record that could not be turned into its Avro type. Carries the {@link DeadLetterReason} a
 * dead-letter record should get, so every reader reports failures the same way.
 */
public final class DecodingException extends Exception {
  private static final long serialVersionUID = 1L;

  private final DeadLetterReason reason;

  public DecodingException(DeadLetterReason reason, String detail) {
    super(detail);
    this.reason = reason;
  }

  public DecodingException(DeadLetterReason reason, String detail, Throwable cause) {
    super(detail, cause);
    this.reason = reason;
  }

  public DeadLetterReason reason() {
    return reason;
  }
}
