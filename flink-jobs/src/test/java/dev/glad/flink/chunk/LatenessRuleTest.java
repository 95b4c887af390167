package dev.glad.flink.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LatenessRuleTest {
  @Test
  void beforeTheFirstWatermarkEverythingIsInOrder() {
    assertEquals(LatenessRule.IN_ORDER, LatenessRule.classify(0, Long.MIN_VALUE, 0));
  }

  @Test
  void anEventAtTheWatermarkIsLateButAppendedWithinTheLateness() {
    assertEquals(LatenessRule.IN_ORDER, LatenessRule.classify(1_001, 1_000, 0));
    assertEquals(LatenessRule.LATE_APPENDED, LatenessRule.classify(1_000, 1_000, 0));
    assertEquals(LatenessRule.LATE_APPENDED, LatenessRule.classify(500, 1_000, 500));
    assertEquals(LatenessRule.TOO_LATE, LatenessRule.classify(499, 1_000, 500));
  }
}
