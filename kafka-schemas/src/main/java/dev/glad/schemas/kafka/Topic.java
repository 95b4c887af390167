package dev.glad.schemas.kafka;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * A Kafka topic together with the serdes of its key and value and whether it is compacted.
 *
 * @param name topic name
 * @param keySerde serde of record keys
 * @param valueSerde serde of record values
 * @param compacted whether the topic is log-compacted (latest value per key)
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde, boolean compacted) {
  public Topic {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(valueSerde, "valueSerde");
    TopicNames.requireValid(name);
  }

  public byte[] serializeKey(K key) {
    return keySerde.serializer().serialize(name, key);
  }

  public byte[] serializeValue(V value) {
    return valueSerde.serializer().serialize(name, value);
  }

  public K deserializeKey(byte[] key) {
    return keySerde.deserializer().deserialize(name, key);
  }

  public V deserializeValue(byte[] value) {
    return valueSerde.deserializer().deserialize(name, value);
  }
}
