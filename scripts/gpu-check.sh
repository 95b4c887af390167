#!/usr/bin/env bash
# GPU check, for a machine with an NVIDIA GPU (docs/OPERATIONS.md, "GPU workers"). With the
# Maven profile cuda (PyTorch 2.5.1 for CUDA 12.4, DJL 0.33.0) it runs on GPU N:
#   1. the encoder benchmark (ChunkEncodingBenchmark, next to MatmulPeakBenchmark: JMH with
#      -p device=gpu:N), results in .glad/gpu-check/jmh-gpu.json;
#   2. the stream-equals-offline test (MemoryPipelineITCase, the job's encoder on gpu:N, the
#      offline reference on the CPU) with a tolerance for GPU arithmetic.
# Both fail rather than run on the CPU when DJL sees no GPU. The first run downloads the CUDA
# package once (2.46 GB from Maven Central); the first engine load unpacks it (3.8 GB) into DJL's
# cache (~/.djl.ai).
#
# usage: scripts/gpu-check.sh
#   GLAD_GPU=N                  the GPU to use (default 0)
#   GLAD_GPU_TOLERANCE=x        largest difference per vector component (default 1e-3; the CPU's
#                               test uses 1e-4)
#   GLAD_GPU_BENCH_ARGS="..."   JMH options instead of the full run, e.g. "-p dim=64 -wi 1 -i 2"
# Exit code 2, with the reason, on a machine without a usable NVIDIA GPU.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
gpu="${GLAD_GPU:-0}"
tolerance="${GLAD_GPU_TOLERANCE:-1e-3}"
# the CUDA 12.4 build needs a driver that supports CUDA 12.4 or newer (Linux driver >= 550.54)
cuda_needed=12.4

no_gpu() {
  echo "gpu-check: $1" >&2
  echo "gpu-check: this check needs an NVIDIA GPU and its driver; nothing was built or run." >&2
  exit 2
}

command -v nvidia-smi >/dev/null 2>&1 \
  || no_gpu "no NVIDIA GPU on this machine (nvidia-smi not found)."
if ! smi="$(nvidia-smi 2>&1)"; then
  no_gpu "nvidia-smi fails, the NVIDIA driver is not usable: $(head -1 <<<"$smi")"
fi
gpus="$(nvidia-smi --query-gpu=index,name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true)"
[[ -n "$gpus" ]] || no_gpu "nvidia-smi lists no GPU."
grep -qE "^$gpu," <<<"$gpus" || no_gpu "no GPU $gpu (GLAD_GPU); nvidia-smi lists: $gpus"
driver_cuda="$(grep -oE 'CUDA Version: *[0-9]+\.[0-9]+' <<<"$smi" | grep -oE '[0-9]+\.[0-9]+' || true)"
if [[ -n "$driver_cuda" && "$(printf '%s\n%s\n' "$cuda_needed" "$driver_cuda" | sort -V | head -1)" != "$cuda_needed" ]]; then
  no_gpu "the driver supports CUDA $driver_cuda; the cuda profile's PyTorch needs $cuda_needed or newer."
fi
echo "gpu-check: GPUs (index, name, driver, memory):"
echo "$gpus"
echo "gpu-check: using gpu:$gpu, driver's CUDA ${driver_cuda:-unknown}, tolerance $tolerance"

failed() {
  echo "gpu-check: FAILED: $1 (log in $out)." >&2
  echo "gpu-check: 'EngineException: Failed to save pytorch index file' with 'Offline mode is" \
    "enabled' means DJL found no CUDA GPU for the CUDA 12.4 package and wanted to download another" \
    "build; the warning 'Failed to detect GPU count: <CUDA error>' above it says why." >&2
  exit 1
}

out="$ROOT/.glad/gpu-check"
mkdir -p "$out"
cd "$ROOT"

# The TaskManagers' jars of the profile, with the CUDA runtime DJL's GPU detection loads (as a GPU
# TaskManager gets them in docker-compose.yml)
lib="$ROOT/.glad/flink-lib-cuda"
scripts/flink-lib.sh --cuda "$lib" >/dev/null
jna="-Djna.library.path=$lib/cuda"

echo "gpu-check: 1/2 encoder benchmark on gpu:$gpu (JMH)"
./mvnw -B -q -Pcuda -pl model-runtime test-compile dependency:build-classpath \
  -Dmdep.outputFile="$out/model-runtime.classpath" -Dmdep.includeScope=test
read -r -a bench_args <<<"${GLAD_GPU_BENCH_ARGS:-}"
java -cp "model-runtime/target/test-classes:model-runtime/target/classes:$(cat "$out/model-runtime.classpath")" \
  org.openjdk.jmh.Main 'ChunkEncodingBenchmark|MatmulPeakBenchmark' -p device="gpu:$gpu" \
  -jvmArgsPrepend "$jna -Dlog4j2.level=WARN" -foe true -rf json -rff "$out/jmh-gpu.json" "${bench_args[@]}" \
  | tee "$out/jmh-gpu.txt" || failed "the encoder benchmark on gpu:$gpu"

echo "gpu-check: 2/2 stream equals offline, the job's encoder on gpu:$gpu, tolerance $tolerance"
./mvnw -B -Pcuda -pl integration-tests -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test='MemoryPipelineITCase#withFrozenClustersTheStreamEqualsTheOfflineModelCode' \
  -Dglad.it.device="gpu:$gpu" -Dglad.it.tolerance="$tolerance" -Djna.library.path="$lib/cuda" \
  | tee "$out/stream-equals-offline.txt" | grep -E 'Tests run:|FAIL|ERROR|BUILD' \
  || failed "the stream-equals-offline test on gpu:$gpu"

echo "gpu-check: passed on gpu:$gpu; JMH results in $out/jmh-gpu.json (docs/BENCHMARKS.md)"
