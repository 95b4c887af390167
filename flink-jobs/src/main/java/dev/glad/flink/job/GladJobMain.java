package dev.glad.flink.job;

import dev.glad.flink.cli.Args;
import java.util.Arrays;
import java.util.Set;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Entry point of the shaded job jar on an existing Flink cluster:
 *
 * <pre>
 * flink run -c dev.glad.flink.job.GladJobMain flink-jobs-*-job.jar \
 *     --bootstrap-servers kafka:9092 --chunk-size 20 --checkpoint-dir s3://bucket/ckpt
 * </pre>
 *
 * Takes every {@link GladJobSettings} key as {@code --key value}. The cluster's own configuration
 * (state backend, checkpoint storage, restart strategy) is overlaid with the job's, so the job
 * always runs with RocksDB, exactly-once checkpoints and a bounded restart strategy.
 */
public final class GladJobMain {
  private GladJobMain() {}

  public static void main(String[] args) throws Exception {
    GladJobSettings settings =
        GladJobSettings.fromMap(
            Args.parse(Arrays.asList(args), Set.of())
                .requireOnly(Set.copyOf(GladJobSettings.keys()))
                .subset(Set.copyOf(GladJobSettings.keys())));
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(GladJob.flinkConfiguration(settings));
    KafkaIo.job(settings).addTo(env);
    env.execute("glad-memory");
  }
}
