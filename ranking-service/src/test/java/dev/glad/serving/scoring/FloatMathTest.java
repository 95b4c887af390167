package dev.glad.serving.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glad.model.memory.HeadActivation;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The scorer's exp, tanh and sigmoid give the library's floats to within two units in the last
 * place.
 */
class FloatMathTest {
  @Test
  void expIsWithinAFloatsResolutionOfMathExp() {
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 200_000; i++) {
      double x = (random.nextDouble() - 0.5) * 160; // e^±80: beyond any logit
      double expected = Math.exp(x);
      assertThat(Math.abs(FloatMath.exp(x) - expected) / expected).as("x = %s", x).isLessThan(1e-8);
    }
    assertThat(FloatMath.exp(0)).isEqualTo(1.0);
    assertThat(FloatMath.exp(Double.NEGATIVE_INFINITY)).isEqualTo(0.0);
    assertThat(FloatMath.exp(1000)).isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void tanhAndSigmoidAreTheModelsActivationsToTwoFloatSteps() {
    SplittableRandom random = new SplittableRandom(2);
    for (int i = 0; i < 200_000; i++) {
      float x = (float) ((random.nextDouble() - 0.5) * (i % 2 == 0 ? 60 : 0.01));
      float tanh = HeadActivation.TANH.apply(x);
      float sigmoid = HeadActivation.sigmoid(x);
      assertThat(FloatMath.tanh(x)).as("tanh(%s)", x).isCloseTo(tanh, ulp(tanh));
      assertThat(FloatMath.sigmoid(x)).as("sigmoid(%s)", x).isCloseTo(sigmoid, ulp(sigmoid));
    }
  }

  /**
   * Two float steps at the value, and at least two at 1: the model's sigmoid adds {@code 1f + e^-x}
   * in float, whose step near 1 (1.2e-7) a last-bit difference in e^-x can flip.
   */
  private static org.assertj.core.data.Offset<Float> ulp(float v) {
    return org.assertj.core.data.Offset.offset(Math.max(Math.ulp(v), Math.ulp(1f)) * 2.01f);
  }
}
