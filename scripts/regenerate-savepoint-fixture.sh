#!/usr/bin/env bash
# Writes the committed savepoint fixture (integration-tests/src/test/resources/savepoint-v1):
# this version of the job, stopped with a savepoint mid-stream, and the model it ran.
# Only for a deliberate, documented break of state compatibility (docs/OPERATIONS.md).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
./mvnw -B -q -DskipTests -Dspotless.check.skip=true install -pl integration-tests -am
./mvnw -B -q dependency:build-classpath -pl integration-tests -Dmdep.includeScope=test \
  -Dmdep.outputFile="$ROOT/integration-tests/target/test.classpath"
java -Xmx3g -Dai.djl.offline=true --add-opens=java.base/java.util=ALL-UNNAMED \
  --add-opens=java.base/java.lang=ALL-UNNAMED \
  -cp "integration-tests/target/test-classes:$(cat integration-tests/target/test.classpath)" \
  dev.glad.it.SavepointFixture integration-tests/src/test/resources/savepoint-v1
