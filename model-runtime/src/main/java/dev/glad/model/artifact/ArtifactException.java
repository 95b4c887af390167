package dev.glad.model.artifact;

/** A model artifact that is missing, corrupt or does not fit; the message names the file. */
public final class ArtifactException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public ArtifactException(String message) {
    super(message);
  }

  /** Creates the exception with a cause. */
  public ArtifactException(String message, Throwable cause) {
    super(message, cause);
  }
}
