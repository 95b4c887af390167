#!/usr/bin/env python3
"""Mean and standard error over seeds of the phase-2 evaluation JSONs (./glad evaluate --json).

usage: scripts/summarize-results.py DIR   (files DIR/<data>-<variant>[-<tag>]-s<seed>.json)

Prints one markdown table per data set and writes DIR/../phase2-summary.json. For each model the
mean over its seeds and the standard error of that mean (sample standard deviation / sqrt(seeds));
"evalSE" (JSON only) is the mean over seeds of the evaluator's own standard error over users. A
difference of two models' means gets the standard error sqrt(SE_a^2 + SE_b^2) (independently
trained seeds). "top-15% HR@10" is HR@10 on the users with the longest 15 % of histories.
"""
import json
import math
import os
import re
import sys
from collections import defaultdict

PROTOCOLS = ["uniform", "popularity", "all"]
METRICS = ["HR@10", "NDCG@10"]
# HR@10 over the users with the longest 15 % of histories (evaluate --segments); the segment is
# the same set of users in every file of a data set (sorted by history length, ties by user id)
SEGMENT = "top 15%"
SEGMENT_METRIC = "top-15% HR@10"
ALL_METRICS = METRICS + [SEGMENT_METRIC]
NAME = re.compile(r"^(?P<data>[a-z0-9]+)-(?P<model>.+)-s(?P<seed>\d+)\.json$")


def mean_se(values):
    n = len(values)
    if n == 0:
        return None, None
    m = sum(values) / n
    if n < 2:
        return m, float("nan")
    var = sum((v - m) ** 2 for v in values) / (n - 1)
    return m, math.sqrt(var / n)


def load(directory):
    """{data: {row: {protocol: {metric: [values over seeds]}}}} plus eval SEs and seeds."""
    table = defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(list))))
    eval_se = defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(list))))
    seeds = defaultdict(lambda: defaultdict(list))
    for file in sorted(os.listdir(directory)):
        match = NAME.match(file)
        if not match:
            continue
        data, model, seed = match["data"], match["model"], int(match["seed"])
        with open(os.path.join(directory, file)) as f:
            report = json.load(f)
        for scorer, by_protocol in report["results"].items():
            if scorer == "bert4rec":
                row = "Bert4Rec (phase 1, full window)"
            elif scorer == "short-term":
                row = model + ": its short-term vector alone"
            else:
                row = model
            if row.startswith("Bert4Rec") and seed in seeds[data][row]:
                continue
            seeds[data][row].append(seed)
            for protocol, metrics in by_protocol.items():
                for metric in METRICS:
                    table[data][row][protocol][metric].append(metrics[metric])
                    se = metrics.get("standardErrors", {}).get(metric)
                    if se is not None:
                        eval_se[data][row][protocol][metric].append(se)
                segment = segment_hr10(report, scorer, protocol)
                if segment is not None:
                    hr, users = segment
                    table[data][row][protocol][SEGMENT_METRIC].append(hr)
                    # HR@10 is 0/1 per user: its sample standard deviation follows from the mean
                    if users > 1:
                        eval_se[data][row][protocol][SEGMENT_METRIC].append(
                            math.sqrt(hr * (1 - hr) / (users - 1)))
    return table, eval_se, seeds


def segment_hr10(report, scorer, protocol):
    """(HR@10, users) of one scorer on the SEGMENT users, from the evaluator's segment tables."""
    segments = report.get("segments") or {}
    if scorer in segments:  # a baseline: its own column of its table against the model
        rows, key = segments[scorer].get(protocol), "baselineHR10"
    elif scorer.startswith("GLAD-") and "bert4rec" in segments:
        rows, key = segments["bert4rec"].get(protocol), "modelHR10"
    else:
        return None
    for row in rows or []:
        if row["segment"] == SEGMENT:
            return row[key], row["users"]
    return None


def fmt(m, se):
    if m is None:
        return "—"
    if se is None or math.isnan(se):
        return f"{m:.4f}"
    return f"{m:.4f} ± {se:.4f}"


def main():
    directory = sys.argv[1]
    table, eval_se, seeds = load(directory)
    summary = {}
    for data in sorted(table):
        rows = table[data]
        # the phase-1 encoder is deterministic: one value, reported once
        bert = "Bert4Rec (phase 1, full window)"
        if bert in rows:
            for protocol in rows[bert]:
                for metric in rows[bert][protocol]:
                    rows[bert][protocol][metric] = rows[bert][protocol][metric][:1]
        print(f"\n### {data}\n")
        header = "| model | seeds |"
        rule = "|---|---|"
        for protocol in PROTOCOLS:
            for metric in ALL_METRICS:
                header += f" {protocol} {metric} |"
                rule += "---|"
        print(header)
        print(rule)
        summary[data] = {}
        for row in sorted(rows, key=order):
            # the phase-1 encoder is one model: its ± is the evaluator's SE over users
            count = "— (one encoder; ± over users)" if row == bert else len(set(seeds[data][row]))
            line = f"| {row} | {count} |"
            summary[data][row] = {"seeds": sorted(set(seeds[data][row]))}
            for protocol in PROTOCOLS:
                for metric in ALL_METRICS:
                    values = rows[row].get(protocol, {}).get(metric, [])
                    m, se = mean_se(values)
                    if row == bert and m is not None:
                        ses = eval_se[data][row][protocol][metric]
                        se = ses[0] if ses else None
                    line += f" {fmt(m, se)} |"
                    if m is not None:
                        summary[data][row].setdefault(protocol, {})[metric] = {
                            "mean": m,
                            "seedSE": se,
                            "values": values,
                            "evalSE": mean_se(eval_se[data][row][protocol][metric])[0],
                        }
            print(line)
        differences(data, rows, summary)
    out = os.path.join(os.path.dirname(os.path.abspath(directory)), "phase2-summary.json")
    with open(out, "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
    print(f"\nWrote {out}")


def control(row, rows):
    """The no-memory control a row is compared with: S trained the same way (S-<tag> for a row
    <variant>-<tag>, when it was run), else plain S."""
    if "-" in row:
        tagged = "S-" + row.split("-", 1)[1]
        if tagged in rows:
            return tagged
    return "S" if "S" in rows else None


def differences(data, rows, summary):
    """Each GLAD row with a memory minus its no-memory control (see control())."""
    lines = []
    for row in sorted(rows, key=order):
        if row == "S" or row.startswith("S-") or row.startswith("Bert4Rec") or "short-term" in row:
            continue
        s = control(row, rows)
        if s is None:
            continue
        line = f"| {row} − {s} |"
        for protocol in PROTOCOLS:
            for metric in ALL_METRICS:
                a = rows[row].get(protocol, {}).get(metric, [])
                b = rows[s].get(protocol, {}).get(metric, [])
                if not a or not b:
                    line += " — |"
                    continue
                ma, sa = mean_se(a)
                mb, sb = mean_se(b)
                se = math.sqrt(sa**2 + sb**2) if not (math.isnan(sa) or math.isnan(sb)) else float("nan")
                line += f" {ma - mb:+.4f} ± {se:.4f} |"
                summary[data].setdefault(f"{row} - {s}", {}).setdefault(protocol, {})[metric] = {
                    "difference": ma - mb,
                    "se": se,
                    "differenceOverSE": (ma - mb) / se if se and not math.isnan(se) else None,
                }
        lines.append(line)
    if lines:
        print()
        print("| difference | " + " | ".join(f"{p} {m}" for p in PROTOCOLS for m in ALL_METRICS) + " |")
        print("|---|" + "---|" * (len(PROTOCOLS) * len(ALL_METRICS)))
        for line in lines:
            print(line)
        target(data, summary)


def target(data, summary):
    """Issue 13's phase-2 target per comparison and protocol: the memory model beats its control
    on HR@10 for the top-15 % histories by at least 2 standard errors of the difference, and is
    not worse overall (read here as: the overall difference is not below -2 standard errors)."""
    print()
    print("| comparison | negatives | overall ΔHR@10 ± SE | top-15% ΔHR@10 ± SE | target |")
    print("|---|---|---|---|---|")
    for name, by_protocol in summary[data].items():
        if " - " not in name:
            continue
        for protocol in PROTOCOLS:
            overall = by_protocol.get(protocol, {}).get("HR@10")
            top = by_protocol.get(protocol, {}).get(SEGMENT_METRIC)
            if not overall or not top:
                continue
            met = (
                top["differenceOverSE"] is not None
                and overall["differenceOverSE"] is not None
                and top["differenceOverSE"] >= 2
                and overall["differenceOverSE"] > -2
            )
            by_protocol[protocol]["targetMet"] = met
            print(
                f"| {name.replace(' - ', ' − ')} | {protocol} "
                f"| {overall['difference']:+.4f} ± {overall['se']:.4f} "
                f"| {top['difference']:+.4f} ± {top['se']:.4f} | {'met' if met else 'not met'} |"
            )


def order(row):
    if row.startswith("Bert4Rec"):
        return (0, row)
    if row == "S" or row.startswith("S-"):
        return (1, row)
    return (2 if "short-term" not in row else 3, row)


if __name__ == "__main__":
    main()
