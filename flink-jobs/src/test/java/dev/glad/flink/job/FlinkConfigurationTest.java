package dev.glad.flink.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.junit.jupiter.api.Test;
import org.rocksdb.CompressionType;

class FlinkConfigurationTest {
  @Test
  void stateFilesAreUncompressedByDefault() {
    Configuration conf = GladJob.flinkConfiguration(GladJobSettings.builder().build());

    // read back through the RocksDB backend's own option: the value parses as it will in the job
    assertEquals(
        List.of(CompressionType.NO_COMPRESSION),
        conf.get(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL));
  }

  @Test
  void snappyCanBeChosen() {
    Configuration conf =
        GladJob.flinkConfiguration(GladJobSettings.fromMap(Map.of("state-compression", "SNAPPY")));

    assertEquals(
        List.of(CompressionType.SNAPPY_COMPRESSION),
        conf.get(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL));
  }
}
