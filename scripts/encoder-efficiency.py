#!/usr/bin/env python3
"""The encoder's share of the engine's fp32 matmul peak, from one JMH run of
'ChunkEncodingBenchmark|MatmulPeakBenchmark' (-rf json; docs/BENCHMARKS.md).

usage: scripts/encoder-efficiency.py JMH.json [--json OUT.json] [--full-forward]

--full-forward: the run's code computed every position of the top layer (before 2026-12-01), so
its performed FLOPs are the model's.

Every time is the median of the run's measurement iterations (rawData), with their range. The
peak is the best median GFLOP/s of MatmulPeakBenchmark (n x n by n x n, 2n^3 flops) in the same
file. Two FLOP counts per chunk (c = 20 items + MASK = T tokens, the benchmark's 2 layers):
  model:     every position of every layer, layers * T * (24e^2 + 4Te): QKV 6e^2, attention output
             2e^2, feed-forward 16e^2 per token, scores and context 4Te; what a full forward pass
             costs, so model GFLOP/s measures chunks/s against the model's size;
  performed: what SequenceEncoder computes since it evaluates the top layer at the MASK only:
             (layers - 1) full layers, then keys and values at T positions (4e^2 each) and query,
             attention output and feed-forward (20e^2) plus scores and context (4Te) at one.
"""
import json
import statistics
import sys

TOKENS = 21
LAYERS = 2


def model_flops(e, layers=LAYERS, t=TOKENS):
    return layers * t * (24.0 * e * e + 4.0 * t * e)


def performed_flops(e, layers=LAYERS, t=TOKENS):
    top = t * 4.0 * e * e + 20.0 * e * e + 4.0 * t * e
    return model_flops(e, layers - 1, t) + top


def iterations(result):
    return [value for fork in result["primaryMetric"]["rawData"] for value in fork]


def to_seconds(value, unit):
    return value * {"us/op": 1e-6, "ms/op": 1e-3, "s/op": 1.0}[unit]


def main(args):
    with open(args[0]) as f:
        results = json.load(f)
    peak = 0.0
    matmul = []
    for r in results:
        if r["benchmark"].endswith("MatmulPeakBenchmark.matmul"):
            n = int(r["params"]["n"])
            times = [to_seconds(v, r["primaryMetric"]["scoreUnit"]) for v in iterations(r)]
            median = statistics.median(times)
            gflops = 2.0 * n**3 / median / 1e9
            matmul.append({"n": n, "median_ms": median * 1e3, "gflops": gflops})
            peak = max(peak, gflops)
    if peak == 0.0:
        sys.exit("no MatmulPeakBenchmark result in " + args[0])
    rows = []
    for r in results:
        if not r["benchmark"].endswith("ChunkEncodingBenchmark.encodeBatch"):
            continue
        e, batch = int(r["params"]["dim"]), int(r["params"]["batch"])
        times = [to_seconds(v, r["primaryMetric"]["scoreUnit"]) for v in iterations(r)]
        median = statistics.median(times)
        chunks = batch / median
        performed = model_flops(e) if "--full-forward" in args else performed_flops(e)
        rows.append({
            "e": e, "batch": batch, "median_us": median * 1e6,
            "range_us": [min(times) * 1e6, max(times) * 1e6], "chunks_per_s": chunks,
            "model_gflops": chunks * model_flops(e) / 1e9,
            "performed_gflops": chunks * performed / 1e9,
        })
    for row in rows:
        row["model_share_of_peak"] = row["model_gflops"] / peak
        row["performed_share_of_peak"] = row["performed_gflops"] / peak
    print(f"matmul peak {peak:.1f} GFLOP/s (" + ", ".join(
        f"n={m['n']}: {m['gflops']:.1f}" for m in matmul) + ")")
    print("| e | batch | median µs/call | range µs | chunks/s | model GFLOP/s | % of peak |"
          " performed GFLOP/s | % of peak |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in sorted(rows, key=lambda r: (r["e"], r["batch"])):
        print(f"| {r['e']} | {r['batch']} | {r['median_us']:,.0f} | {r['range_us'][0]:,.0f}–"
              f"{r['range_us'][1]:,.0f} | {r['chunks_per_s']:,.0f} | {r['model_gflops']:.1f} | "
              f"{100 * r['model_share_of_peak']:.1f}% | {r['performed_gflops']:.1f} | "
              f"{100 * r['performed_share_of_peak']:.1f}% |")
    if "--json" in args:
        with open(args[args.index("--json") + 1], "w") as f:
            json.dump({"source": args[0], "full_forward": "--full-forward" in args,
                       "peak_gflops": peak, "matmul": matmul, "tokens": TOKENS, "layers": LAYERS,
                       "encoder": rows}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
