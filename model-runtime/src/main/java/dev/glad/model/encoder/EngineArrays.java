package dev.glad.model.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays made from Java values, always in memory the engine owns: the one place for this rule.
 *
 * <p>Why: DJL 0.36's PyTorch engine builds an array from Java data ({@code NDManager.create(float[]
 * ...)}, {@code NDArray.set(Buffer)}, and the scalar of every {@code array.mul(Number)}, {@code
 * div(Number)}, ...) as a tensor over a Java direct {@code ByteBuffer} ({@code from_blob}, or a
 * storage without a deleter); only the Java wrapper's reference keeps that buffer alive. A native
 * reference that outlives the wrapper - a view, or a tensor autograd saved for the backward pass -
 * then reads memory the garbage collector freed. {@code x.mul(0.125f)} is such a case: DJL creates
 * the scalar, closes it when {@code mul} returns, and autograd keeps it to compute {@code x}'s
 * gradient; after a collection the backward pass multiplies by whatever the freed memory holds
 * (RESULTS §7.7: the attention scale made phase 2 depend on garbage collection).
 *
 * <p>Rules: build arrays from Java values with {@link #create} (a copy into engine memory),
 * overwrite an existing array with {@link #copyInto} (never {@code set(Buffer)}, which swaps the
 * array's storage for Java memory), and in code that autograd records multiply or divide by {@link
 * #scalar}, never by a {@code Number}. {@code add/sub(Number)} are safe (their backward pass does
 * not read the scalar), and so is any {@code op(Number)} outside a gradient collector.
 */
public final class EngineArrays {
  private EngineArrays() {}

  /** float32 array of {@code shape} holding {@code values}. */
  public static NDArray create(NDManager manager, float[] values, Shape shape) {
    return owned(manager.create(values, shape));
  }

  /** float32 vector holding {@code values}. */
  public static NDArray create(NDManager manager, float[] values) {
    return owned(manager.create(values));
  }

  /** float32 matrix holding {@code values} (rows of equal length). */
  public static NDArray create(NDManager manager, float[][] values) {
    return owned(manager.create(values));
  }

  /** int64 array of {@code shape} holding {@code values}. */
  public static NDArray create(NDManager manager, long[] values, Shape shape) {
    return owned(manager.create(values, shape));
  }

  /** int64 vector holding {@code values}. */
  public static NDArray create(NDManager manager, long[] values) {
    return owned(manager.create(values));
  }

  /** int32 matrix holding {@code values} (rows of equal length). */
  public static NDArray create(NDManager manager, int[][] values) {
    return owned(manager.create(values));
  }

  /** float64 vector holding {@code values}. */
  public static NDArray create(NDManager manager, double[] values) {
    return owned(manager.create(values));
  }

  /**
   * A 0-d array of {@code value} with {@code like}'s type, on its manager and device, allocated by
   * the engine ({@code full}): the factor to use instead of a {@code Number} in recorded code.
   */
  public static NDArray scalar(NDArray like, float value) {
    return like.getManager().full(new Shape(), value, like.getDataType());
  }

  /**
   * Copies {@code source}'s values into {@code target}'s own memory (an indexed assignment: views
   * of {@code target} see the new values, and no Java memory is attached to it). Not recorded by
   * autograd, so {@code target} may be a parameter that requires gradients.
   */
  public static void copyInto(NDArray target, NDArray source) {
    if (!source.getShape().equals(target.getShape())) {
      throw new IllegalArgumentException(
          "cannot copy an array of shape " + source.getShape() + " into " + target.getShape());
    }
    // through a detached alias of the same memory: autograd does not see the write, so it works
    // on a parameter that requires gradients whatever the thread's grad mode (PyTorch keeps it per
    // thread; DJL switches it off only on the thread that loaded the engine)
    try (NDArray alias = target.stopGradient()) {
      alias.set(new NDIndex(":"), source.toType(target.getDataType(), false));
    }
  }

  /** {@link #copyInto(NDArray, NDArray)} from float32 values in {@code target}'s layout. */
  public static void copyInto(NDArray target, float[] values) {
    // a Java-backed temporary is safe here: it is read during the copy and by nothing later
    try (NDArray source = target.getManager().create(values, target.getShape())) {
      copyInto(target, source);
    }
  }

  /** An engine-owned copy of {@code javaBacked}, an array just made from Java data; closes it. */
  private static NDArray owned(NDArray javaBacked) {
    try (javaBacked) {
      return javaBacked.duplicate();
    }
  }
}
