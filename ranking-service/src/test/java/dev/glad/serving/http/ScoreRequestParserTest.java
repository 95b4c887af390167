package dev.glad.serving.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glad.serving.ScoreRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every refused body gets its exact message. */
class ScoreRequestParserTest {
  private final ScoreRequestParser parser = new ScoreRequestParser(3, 2);

  @Test
  void readsARequestAndIgnoresUnknownFields() throws BadRequest {
    ScoreRequest r =
        parser.parse(
            "{\"userId\":\"u1\",\"recentItems\":[\"a\",\"b\"],\"candidates\":[\"x\",\"y\"],"
                + "\"trace\":{\"id\":[1,2]},\"useMemory\":false}");
    assertThat(r.userId()).isEqualTo("u1");
    assertThat(r.recentItems()).containsExactly("a", "b");
    assertThat(r.candidates()).containsExactly("x", "y");
    assertThat(r.useMemory()).isFalse();
  }

  @Test
  void recentItemsMayBeMissingOrEmpty() throws BadRequest {
    assertThat(parser.parse("{\"userId\":\"u\",\"candidates\":[\"x\"]}").recentItems()).isEmpty();
    assertThat(
            parser
                .parse("{\"userId\":\"u\",\"recentItems\":[],\"candidates\":[\"x\"]}")
                .useMemory())
        .isTrue();
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "``|request body is empty: expected a JSON object with userId and candidates",
        "[1]|the request must be a JSON object, got an array",
        "{\"userId\":\"u\",|malformed JSON: unexpected end of the body at line 1 column 15 path"
            + " $.userId",
        "{'userId':'u'}|malformed JSON: invalid JSON syntax at line 1 column 3 path $.",
        "{\"userId\":\"u\" \"candidates\":[]}|malformed JSON: Unterminated object at line 1 column"
            + " 16 path $.userId",
        "{\"userId\":\"u\",\"candidates\":[\"x\"]} {}|malformed JSON: more content after the"
            + " request object",
        "{\"candidates\":[\"x\"]}|userId is required",
        "{\"userId\":7,\"candidates\":[\"x\"]}|userId must be a string, got a number",
        "{\"userId\":\"\",\"candidates\":[\"x\"]}|userId must not be empty",
        "{\"userId\":\"u\"}|candidates is required",
        "{\"userId\":\"u\",\"candidates\":[]}|candidates must not be empty",
        "{\"userId\":\"u\",\"candidates\":\"x\"}|candidates must be an array of item ids, got a"
            + " string",
        "{\"userId\":\"u\",\"candidates\":[\"x\",null]}|candidates[1] must be a string item id,"
            + " got null",
        "{\"userId\":\"u\",\"candidates\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}|too many candidates: 5"
            + " (at most 3)",
        "{\"userId\":\"u\",\"recentItems\":[\"a\",\"b\",\"c\"],\"candidates\":[\"x\"]}|too many"
            + " recentItems: 3 (at most 2)",
        "{\"userId\":\"u\",\"recentItems\":{},\"candidates\":[\"x\"]}|recentItems must be an array"
            + " of item ids, got an object",
        "{\"userId\":\"u\",\"candidates\":[\"x\"],\"useMemory\":\"no\"}|useMemory must be true or"
            + " false, got a string"
      })
  void aBadRequestGetsItsExactMessage(String body, String message) {
    assertThatThrownBy(() -> parser.parse(body))
        .isInstanceOf(BadRequest.class)
        .hasMessage(message)
        .extracting(e -> ((BadRequest) e).status())
        .isEqualTo(400);
  }
}
