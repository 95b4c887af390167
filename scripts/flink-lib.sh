#!/usr/bin/env bash
# Copies what the job jar leaves out for the TaskManagers' classpath into DIR: DJL, its PyTorch
# engine and the linux-x86_64 native package, and their dependencies (gson, jna,
# commons-compress). DJL must be on the TaskManager classpath, not in the job jar (a second job on
# the same TaskManager would load libc10.so again in another classloader), with
# classloader.parent-first-patterns.additional: ai.djl.;com.sun.jna. (docker-compose.yml mounts
# DIR as /opt/flink/lib/djl; on your own cluster copy DIR's jars into Flink's lib/.)
#
# --cuda: the Maven profile cuda's jars for GPU TaskManagers (DJL 0.33.0, PyTorch 2.5.1 built for
# CUDA 12.4; the native jar is 2.46 GB, downloaded once from Maven Central), plus DIR/cuda/libcudart.so,
# the CUDA runtime that package bundles, for DJL's GPU detection: start the TaskManager with
# -Djna.library.path=DIR/cuda (docs/OPERATIONS.md, "GPU workers"). The job jar is the same for both.
#
# DIR's jars are replaced (a directory holding two DJL versions would load either).
#
# usage: scripts/flink-lib.sh [--cuda] [DIR]   (default DIR: .glad/flink-lib, with --cuda .glad/flink-lib-cuda)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
profile=()
dir="$ROOT/.glad/flink-lib"
if [[ "${1:-}" == "--cuda" ]]; then
  profile=(-Pcuda)
  dir="$ROOT/.glad/flink-lib-cuda"
  shift
fi
dir="${1:-$dir}"
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
# model-runtime holds the engine dependencies; its runtime classpath is what glad-cli and the job use
"$ROOT/mvnw" -B -q -f "$ROOT/pom.xml" "${profile[@]}" -pl model-runtime dependency:build-classpath \
  -Dmdep.includeScope=runtime -Dmdep.outputFile="$cp_file" >&2
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
rm -f "$dir"/*.jar
tr ':' '\n' < "$cp_file" \
  | grep -E '/ai/djl/|/net/java/dev/jna/|/com/google/code/gson/|/org/apache/commons/commons-compress/' \
  | while read -r jar; do
      # a hard link when on the same file system (the CUDA package is 2.46 GB), else a copy
      ln -f "$jar" "$dir/" 2>/dev/null || cp "$jar" "$dir/"
    done
rm -rf "$dir/cuda"
for native in "$dir"/pytorch-native-cu*.jar; do
  [[ -f "$native" ]] || continue
  # DJL detects a GPU by loading libcudart.so through JNA before it loads PyTorch; the package's
  # own runtime (CUDA 12.4) matches it, where a system CUDA older than 12.4, or none, does not
  cudart="$(jar tf "$native" | grep -E '/libcudart[^/]*\.so[^/]*$' | head -1)"
  [[ -n "$cudart" ]] || { echo "no libcudart in $native" >&2; exit 1; }
  extract="$(mktemp -d)"
  (cd "$extract" && jar xf "$native" "$cudart")
  mkdir -p "$dir/cuda"
  mv "$extract/$cudart" "$dir/cuda/libcudart.so"
  rm -rf "$extract"
done
echo "DJL and PyTorch for the TaskManagers' classpath in $dir:"
ls -1 "$dir"
if [[ -d "$dir/cuda" ]]; then
  echo "GPU TaskManagers: -Djna.library.path=$dir/cuda (in docker-compose.yml: /opt/flink/lib/djl/cuda)"
fi
