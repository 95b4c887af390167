package dev.glad.flink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArgsTest {
  @Test
  void parsesValuesFlagsAndEqualsForm() {
    Args a = Args.parse(List.of("--users", "10", "--fast", "--seed=3"), Set.of("fast"));
    assertEquals(10, a.integer("users", 0));
    assertTrue(a.flag("fast"));
    assertEquals(3L, a.longValue("seed", 0));
    assertEquals(7, a.integer("missing", 7));
    assertEquals(Map.of("users", "10"), a.subset(Set.of("users")));
  }

  @Test
  void errorsAreExact() {
    assertEquals(
        "--users needs a value",
        assertThrows(IllegalArgumentException.class, () -> Args.parse(List.of("--users"), Set.of()))
            .getMessage());
    assertEquals(
        "unexpected argument 'demo' (flags look like --name value)",
        assertThrows(IllegalArgumentException.class, () -> Args.parse(List.of("demo"), Set.of()))
            .getMessage());
    assertEquals(
        "unknown option(s) [--usrs]; known: [--events, --users]",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    Args.parse(List.of("--usrs", "1"), Set.of())
                        .requireOnly(Set.of("users", "events")))
            .getMessage());
    assertEquals(
        "--users expects a whole number, got 'ten'",
        assertThrows(
                IllegalArgumentException.class,
                () -> Args.parse(List.of("--users", "ten"), Set.of()).integer("users", 0))
            .getMessage());
  }
}
