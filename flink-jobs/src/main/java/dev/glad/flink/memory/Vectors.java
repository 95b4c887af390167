package dev.glad.flink.memory;

import java.util.ArrayList;
import java.util.List;

/** Conversions between Avro's {@code array<float>} and {@code float[]}. */
public final class Vectors {
  private Vectors() {}

  public static float[] toArray(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  public static List<Float> toList(float[] values) {
    List<Float> out = new ArrayList<>(values.length);
    for (float v : values) {
      out.add(v);
    }
    return out;
  }

  /** {@code a + b}, elementwise, into a new array. */
  public static float[] plus(float[] a, float[] b) {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] + b[i];
    }
    return out;
  }

  /** {@code a += b}, elementwise. */
  public static void addInPlace(float[] a, float[] b) {
    for (int i = 0; i < a.length; i++) {
      a[i] += b[i];
    }
  }
}
