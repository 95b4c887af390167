package dev.glad.serving.http;

/** A request the service refuses, with the HTTP status and the exact message the client gets. */
public final class BadRequest extends Exception {
  private static final long serialVersionUID = 1L;

  private final int status;

  public BadRequest(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
