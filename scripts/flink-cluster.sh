#!/usr/bin/env bash
# A real multi-process Flink 2.2 session cluster without flink-dist, for checking that the shaded
# job jar runs with `flink run` the way it would on an existing cluster:
#   - JobManager and TaskManager are separate JVMs started from Flink's own entry points;
#   - their classpath is Flink plus DJL (DJL must live on the TaskManager classpath, with
#     classloader.parent-first-patterns.additional: ai.djl.;com.sun.jna. — see ARCHITECTURE.md);
#   - the job jar (flink-jobs/target/flink-jobs-*-job.jar) brings our code, the Kafka connector,
#     kafka-clients and Avro, and is submitted with Flink's CliFrontend (the `flink` command).
#
# usage: scripts/flink-cluster.sh start DIR      start JM + TM, state in DIR
#        scripts/flink-cluster.sh run DIR ARGS   submit the job jar (detached) with job ARGS
#        scripts/flink-cluster.sh stop DIR       stop both
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cmd="${1:?start|run|stop}"; dir="${2:?state directory}"; shift 2
mkdir -p "$dir/conf" "$dir/log"

cluster_classpath() {
  # Flink and DJL from the launcher's classpath; everything the job jar brings is left out.
  tr ':' '\n' < "$ROOT/glad-cli/target/glad.classpath" \
    | grep -v -E '/dev/glad/|picocli|flink-connector-kafka|flink-avro|/org/apache/avro/|/org/apache/kafka/|/org/scala-lang/|scala-logging|jfreechart' \
    | paste -sd: -
}

case "$cmd" in
  start)
    [[ -f "$ROOT/glad-cli/target/glad.classpath" ]] || "$ROOT/glad" --help >/dev/null
    port=${FLINK_REST_PORT:-18081}
    cat > "$dir/conf/config.yaml" <<CONF
jobmanager.rpc.address: localhost
jobmanager.rpc.port: ${FLINK_RPC_PORT:-16123}
rest.port: $port
rest.address: localhost
jobmanager.memory.process.size: 1g
taskmanager.memory.process.size: 3g
taskmanager.numberOfTaskSlots: 2
parallelism.default: 2
state.backend.type: rocksdb
execution.checkpointing.dir: file://$dir/checkpoints
io.tmp.dirs: $dir/tmp
classloader.parent-first-patterns.additional: ai.djl.;com.sun.jna.
env.java.opts.all: -Dai.djl.offline=true --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
CONF
    cp "$ROOT/glad-cli/src/main/resources/glad-log4j2.xml" "$dir/conf/log4j2.xml"
    CP="$(cluster_classpath)"
    nohup java -Xmx768m -Dlog4j2.configurationFile="$dir/conf/log4j2.xml" \
      --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
      -cp "$CP" org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
      --configDir "$dir/conf" > "$dir/log/jobmanager.log" 2>&1 &
    echo $! > "$dir/jobmanager.pid"
    # TaskManager memory settings as Flink's own scripts compute them
    mapfile -t params < <(java -cp "$CP" org.apache.flink.runtime.util.bash.BashJavaUtils \
      GET_TM_RESOURCE_PARAMS --configDir "$dir/conf" 2>/dev/null | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://')
    # shellcheck disable=SC2086
    nohup java ${params[0]} -Dai.djl.offline=true -Dlog4j2.configurationFile="$dir/conf/log4j2.xml" \
      --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
      -cp "$CP" org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
      --configDir "$dir/conf" ${params[1]} > "$dir/log/taskmanager.log" 2>&1 &
    echo $! > "$dir/taskmanager.pid"
    for _ in $(seq 1 60); do
      if curl -sf "http://localhost:$port/taskmanagers" | grep -q '"id"'; then
        echo "Flink session cluster up: http://localhost:$port"; exit 0
      fi
      sleep 1
    done
    echo "cluster did not come up; see $dir/log" >&2; exit 1
    ;;
  run)
    JAR="$(ls "$ROOT"/flink-jobs/target/flink-jobs-*-job.jar | head -1)"
    CP="$(cluster_classpath)"
    FLINK_CONF_DIR="$dir/conf" exec java --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
      -Dlog4j2.configurationFile="$dir/conf/log4j2.xml" -cp "$CP" \
      org.apache.flink.client.cli.CliFrontend run -d "$JAR" "$@"
    ;;
  stop)
    for p in taskmanager jobmanager; do
      [[ -f "$dir/$p.pid" ]] && kill "$(cat "$dir/$p.pid")" 2>/dev/null || true
    done
    ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
