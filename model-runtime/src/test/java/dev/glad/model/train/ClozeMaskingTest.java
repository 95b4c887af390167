package dev.glad.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glad.model.data.SpecialTokens;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ClozeMaskingTest {
  private static final int M = SpecialTokens.MASK;

  @Test
  void windowsAlignToTheEnd() {
    List<int[]> w = ClozeMasking.windows(new int[] {1, 2, 3, 4, 5, 6, 7}, 3);
    // the oldest single item (1) cannot form a Cloze sample and is dropped
    assertEquals(2, w.size());
    assertArrayEquals(new int[] {5, 6, 7}, w.get(0));
    assertArrayEquals(new int[] {2, 3, 4}, w.get(1));
    assertArrayEquals(new int[] {3, 4}, ClozeMasking.windows(new int[] {3, 4}, 3).get(0));
    assertTrue(ClozeMasking.windows(new int[] {3}, 3).isEmpty());
  }

  @Test
  void lastItemMaskMasksOnlyTheLast() {
    ClozeMasking.MaskedSequence s = ClozeMasking.lastItemMask(new int[] {5, 6, 7});
    assertArrayEquals(new int[] {5, 6, M}, s.tokens());
    assertArrayEquals(new int[] {2}, s.maskedPositions());
    assertArrayEquals(new int[] {7}, s.targets());
  }

  @Test
  void randomMaskReplacesExactlyTheTargets() {
    int[] window = {10, 11, 12, 13, 14, 15, 16, 17};
    ClozeMasking.MaskedSequence s = ClozeMasking.randomMask(window, 0.5, new SplittableRandom(3));
    for (int i = 0; i < s.maskedPositions().length; i++) {
      int p = s.maskedPositions()[i];
      assertEquals(M, s.tokens()[p]);
      assertEquals(window[p], s.targets()[i]);
    }
    long masks = java.util.Arrays.stream(s.tokens()).filter(t -> t == M).count();
    assertEquals(s.targets().length, masks);
  }

  @Test
  void randomMaskAlwaysMasksSomething() {
    ClozeMasking.MaskedSequence s =
        ClozeMasking.randomMask(new int[] {4, 5}, 1e-9, new SplittableRandom(1));
    assertEquals(1, s.targets().length);
  }

  @Test
  void maskRateFollowsTheProbability() {
    SplittableRandom random = new SplittableRandom(5);
    int[] window = new int[50];
    java.util.Arrays.fill(window, 9);
    long masked = 0;
    for (int i = 0; i < 400; i++) {
      masked += ClozeMasking.randomMask(window, 0.6, random).targets().length;
    }
    // 20,000 Bernoulli(0.6) draws: std of the rate is ~0.0035; allow 5 std.
    assertEquals(0.6, masked / 20000.0, 0.0175);
  }

  @Test
  void scheduleWarmsUpThenDecaysToZero() {
    LearningRateSchedule s = new LearningRateSchedule(1e-3f, 10, 110);
    assertEquals(1e-4f, s.rate(0), 1e-9f);
    assertEquals(1e-3f, s.rate(9), 1e-9f);
    assertEquals(1e-3f, s.rate(10), 1e-9f);
    assertEquals(5e-4f, s.rate(60), 1e-9f);
    assertEquals(0f, s.rate(110), 0f);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(1f, 5, 5));
    assertEquals(
        "need 0 <= warmupSteps < totalSteps but got warmupSteps=5, totalSteps=5", e.getMessage());
  }

  @Test
  void progressLinesShowLossRateAndEta() {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.io.PrintStream out =
        new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8);
    ProgressMeter meter = new ProgressMeter(out, 10, 0L);
    meter.step(1_000_000_000L, 4f, 1, 3, 1, 100, 500, 3700); // before the interval: silent
    meter.step(11_000_000_000L, 2f, 1, 3, 2, 100, 512.4, 3661);
    assertEquals(
        "epoch 1/3  step 2/100  loss 3.0000  512 samples/s  ETA 1:01:01\n",
        bytes.toString(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void progressDurationFormat() {
    assertEquals("1:01:05", ProgressMeter.formatDuration(3665));
    assertEquals("0:00:00", ProgressMeter.formatDuration(0.2));
    assertEquals("?", ProgressMeter.formatDuration(Double.NaN));
  }

  @Test
  void trainingConfigNamesBadValues() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TrainingConfig.builder().optMaskProbability(0f).build());
    assertEquals("maskProbability must be in (0, 1] but was 0.0", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> TrainingConfig.builder().optEpochs(0).build());
    assertEquals("epochs must be positive but was 0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> SoftmaxMode.parse("approx"));
    assertEquals("softmax must be full, sampled or mixed but was 'approx'", e.getMessage());
  }
}
