package dev.glad.model.cli;

/** A bad command line; the CLI prints the message and returns exit code 2. */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
