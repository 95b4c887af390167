#!/usr/bin/env bash
# Copies what the job jar leaves out for the TaskManagers' classpath into DIR: DJL, its PyTorch
# engine and the linux-x86_64 CPU native package, and their dependencies (gson, jna,
# commons-compress). DJL must be on the TaskManager classpath, not in the job jar (a second job on
# the same TaskManager would load libc10.so again in another classloader), with
# classloader.parent-first-patterns.additional: ai.djl.;com.sun.jna. (docker-compose.yml mounts
# DIR as /opt/flink/lib/djl; on your own cluster copy DIR's jars into Flink's lib/.)
#
# usage: scripts/flink-lib.sh DIR        (default DIR: .glad/flink-lib)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-$ROOT/.glad/flink-lib}"
[[ -f "$ROOT/glad-cli/target/glad.classpath" ]] || "$ROOT/glad" --help >/dev/null
mkdir -p "$dir"
tr ':' '\n' < "$ROOT/glad-cli/target/glad.classpath" \
  | grep -E '/ai/djl/|/net/java/dev/jna/|/com/google/code/gson/|/org/apache/commons/commons-compress/' \
  | while read -r jar; do cp "$jar" "$dir/"; done
echo "DJL and PyTorch for the TaskManagers' classpath in $dir:"
ls -1 "$dir"
