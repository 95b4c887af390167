package dev.glad.serving.http;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import dev.glad.serving.ScoreRequest;
import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the body of {@code POST /v1/score}:
 *
 * <pre>{"userId": "u1", "recentItems": ["i1", ...], "candidates": ["i7", ...], "useMemory": true}
 * </pre>
 *
 * with a streaming parser, and refuses a bad one with an exact message (HTTP 400): malformed JSON
 * (with where), a missing or mistyped field, an empty candidate list, more candidates or recent
 * items than configured. {@code recentItems} may be missing or empty (cold start); {@code
 * useMemory} defaults to true; unknown fields are ignored (a client may be newer).
 */
public final class ScoreRequestParser {
  private final int maxCandidates;
  private final int maxRecentItems;

  public ScoreRequestParser(int maxCandidates, int maxRecentItems) {
    this.maxCandidates = maxCandidates;
    this.maxRecentItems = maxRecentItems;
  }

  /**
   * @throws BadRequest (400) with the problem
   */
  public ScoreRequest parse(String body) throws BadRequest {
    if (body.isBlank()) {
      throw bad("request body is empty: expected a JSON object with userId and candidates");
    }
    JsonReader in = new JsonReader(new StringReader(body));
    in.setStrictness(com.google.gson.Strictness.STRICT);
    String userId = null;
    List<String> recent = List.of();
    List<String> candidates = null;
    boolean useMemory = true;
    try {
      if (in.peek() != JsonToken.BEGIN_OBJECT) {
        throw bad("the request must be a JSON object, got " + describe(in.peek()));
      }
      in.beginObject();
      while (in.hasNext()) {
        String name = in.nextName();
        switch (name) {
          case "userId" -> {
            if (in.peek() != JsonToken.STRING) {
              throw bad("userId must be a string, got " + describe(in.peek()));
            }
            userId = in.nextString();
          }
          case "recentItems" -> recent = strings(in, "recentItems", maxRecentItems);
          case "candidates" -> candidates = strings(in, "candidates", maxCandidates);
          case "useMemory" -> {
            if (in.peek() != JsonToken.BOOLEAN) {
              throw bad("useMemory must be true or false, got " + describe(in.peek()));
            }
            useMemory = in.nextBoolean();
          }
          default -> in.skipValue();
        }
      }
      in.endObject();
      boolean trailing;
      try {
        trailing = in.peek() != JsonToken.END_DOCUMENT;
      } catch (IOException e) {
        trailing = true;
      }
      if (trailing) {
        throw bad("malformed JSON: more content after the request object");
      }
    } catch (MalformedJsonException | EOFException | IllegalStateException e) {
      throw bad("malformed JSON: " + cleaned(e.getMessage()));
    } catch (IOException e) {
      throw bad("malformed JSON: " + e.getMessage());
    }
    if (userId == null) {
      throw bad("userId is required");
    }
    if (userId.isEmpty()) {
      throw bad("userId must not be empty");
    }
    if (candidates == null) {
      throw bad("candidates is required");
    }
    if (candidates.isEmpty()) {
      throw bad("candidates must not be empty");
    }
    return new ScoreRequest(userId, recent, candidates, useMemory);
  }

  private static List<String> strings(JsonReader in, String field, int max)
      throws IOException, BadRequest {
    if (in.peek() != JsonToken.BEGIN_ARRAY) {
      throw bad(field + " must be an array of item ids, got " + describe(in.peek()));
    }
    List<String> out = new ArrayList<>();
    int count = 0;
    in.beginArray();
    while (in.hasNext()) {
      if (in.peek() != JsonToken.STRING) {
        throw bad(field + "[" + count + "] must be a string item id, got " + describe(in.peek()));
      }
      String item = in.nextString();
      if (count < max) {
        out.add(item);
      }
      count++;
    }
    in.endArray();
    if (count > max) {
      throw bad("too many " + field + ": " + count + " (at most " + max + ")");
    }
    return out;
  }

  private static String describe(JsonToken token) {
    return switch (token) {
      case BEGIN_ARRAY -> "an array";
      case BEGIN_OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case END_DOCUMENT -> "the end of the body";
      default -> token.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** Gson's message without its troubleshooting link. */
  static String cleaned(String message) {
    if (message == null) {
      return "unexpected end of the body";
    }
    int see = message.indexOf("\nSee ");
    String m = see >= 0 ? message.substring(0, see) : message;
    return m.replace("End of input", "unexpected end of the body")
        .replace(
            "Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON",
            "invalid JSON syntax")
        .strip();
  }

  private static BadRequest bad(String message) {
    return new BadRequest(400, message);
  }
}
