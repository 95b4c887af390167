package dev.glad.model.encoder;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An encoder block together with the manager that owns its parameters on one device. Not
 * thread-safe: one instance per thread (a Flink subtask, the trainer).
 */
public final class Bert4RecModel implements AutoCloseable {
  private final EncoderConfig config;
  private final NDManager manager;
  private final Bert4RecBlock block;
  private final ParameterStore parameterStore;

  private Bert4RecModel(EncoderConfig config, NDManager manager, Bert4RecBlock block) {
    this.config = config;
    this.manager = manager;
    this.block = block;
    this.parameterStore = new ParameterStore(manager, false);
  }

  /** A freshly initialised model; the initial values depend only on {@code seed}. */
  public static Bert4RecModel create(EncoderConfig config, Device device, long seed) {
    NDManager manager = NDManager.newBaseManager(device);
    try {
      Bert4RecBlock block = new Bert4RecBlock(config);
      block.initializeSeeded(manager, seed);
      return new Bert4RecModel(config, manager, block);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /**
   * A model whose parameters are {@code values} (named as {@link #parameterNames()}). Every
   * parameter must be present with its exact shape.
   *
   * @throws IllegalArgumentException naming the missing or mis-shaped parameter
   */
  public static Bert4RecModel fromParameters(EncoderConfig config, Device device, NDList values) {
    Bert4RecModel model = create(config, device, 0L);
    try {
      model.setParameters(values);
      return model;
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  public EncoderConfig config() {
    return config;
  }

  public Bert4RecBlock block() {
    return block;
  }

  public ParameterStore parameterStore() {
    return parameterStore;
  }

  public NDManager manager() {
    return manager;
  }

  public Device device() {
    return manager.getDevice();
  }

  /** Parameters by their stable names (block path + parameter name), in block order. */
  public Map<String, Parameter> parameters() {
    Map<String, Parameter> byName = new LinkedHashMap<>();
    for (Pair<String, Parameter> entry : block.getParameters()) {
      byName.put(entry.getKey(), entry.getValue());
    }
    return byName;
  }

  /** The names {@link #fromParameters} expects. */
  public List<String> parameterNames() {
    return new ArrayList<>(parameters().keySet());
  }

  /** Named copies of all parameter values, on the CPU, in {@code target}. */
  public NDList copyParameters(NDManager target) {
    NDList list = new NDList();
    for (Map.Entry<String, Parameter> entry : parameters().entrySet()) {
      NDArray copy = entry.getValue().getArray().toDevice(Device.cpu(), true);
      copy = copy.duplicate();
      copy.attach(target);
      copy.setName(entry.getKey());
      list.add(copy);
    }
    return list;
  }

  /** Overwrites every parameter with the equally named array of {@code values}. */
  public void setParameters(NDList values) {
    Map<String, NDArray> byName = new LinkedHashMap<>();
    for (NDArray array : values) {
      byName.put(array.getName(), array);
    }
    for (Map.Entry<String, Parameter> entry : parameters().entrySet()) {
      NDArray source = byName.get(entry.getKey());
      NDArray target = entry.getValue().getArray();
      if (source == null) {
        throw new IllegalArgumentException("parameter '" + entry.getKey() + "' is missing");
      }
      if (!source.getShape().equals(target.getShape())) {
        throw new IllegalArgumentException(
            "parameter '"
                + entry.getKey()
                + "' has shape "
                + source.getShape()
                + " but the config requires "
                + target.getShape());
      }
      EngineArrays.copyInto(target, source);
    }
  }

  /** Total number of scalar parameters. */
  public long parameterCount() {
    long count = 0;
    for (Parameter p : parameters().values()) {
      count += p.getShape().size();
    }
    return count;
  }

  /** Shape of the token input for {@code rows} rows of {@code width} columns. */
  static Shape tokenShape(int rows, int width) {
    return new Shape(rows, width);
  }

  @Override
  public void close() {
    manager.close();
  }
}
