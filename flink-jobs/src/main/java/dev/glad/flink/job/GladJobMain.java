package dev.glad.flink.job;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;

/**
 * Entry point of the shaded job jar on an existing Flink cluster:
 *
 * <pre>
 * flink run flink-jobs-*-job.jar \
 *     --bootstrap-servers kafka:9092 --model-dir /models/glad --checkpoint-dir s3://bucket/ckpt
 * </pre>
 *
 * Takes every {@link GladJobOptions} setting as {@code --key value} (read with Flink's own {@link
 * ParameterTool}; an unknown key is an error). The cluster's own configuration (state backend,
 * checkpoint storage, restart strategy) is overlaid with the job's, so the job always runs with
 * RocksDB, exactly-once checkpoints and a bounded restart strategy.
 */
public final class GladJobMain {
  private GladJobMain() {}

  public static void main(String[] args) throws Exception {
    GladJobSettings settings = GladJobSettings.fromMap(ParameterTool.fromArgs(args).toMap());
    KafkaPreflight.check(settings);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(GladJob.flinkConfiguration(settings));
    KafkaIo.job(settings).addTo(env);
    env.execute("glad-memory");
  }
}
