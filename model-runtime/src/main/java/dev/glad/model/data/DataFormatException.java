package dev.glad.model.data;

/** An interaction file that cannot be parsed; the message names the file and the line number. */
public final class DataFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception for a bad line. */
  public DataFormatException(String source, long lineNumber, String problem) {
    super(source + ", line " + lineNumber + ": " + problem);
  }

  /** Creates the exception for a problem of the whole file. */
  public DataFormatException(String message) {
    super(message);
  }
}
