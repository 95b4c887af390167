#!/usr/bin/env python3
"""How much a memory could give on a synthetic long-history set (./glad generate): HR@10 of a
topic-frequency oracle that reads the last W items, against the same oracle reading the whole
history, on the test item (the last) of every user: against 100 popularity-sampled negatives, and
in full ranking (every item, the user's seen items other than the target removed, as `glad
evaluate` does).

usage: scripts/synthetic-oracle.py FILE [--items-per-topic 50] [--seed 42] [--window 10]
                                        [--ranks CSV ...] [--json OUT]

The oracle knows the generator's topics (item index // items-per-topic; the defaults' 6,000 items
in 120 topics) and scores an item by P(topic | the items read, add-0.1 smoothed) x P(item | topic)
(the item's share of its topic in the training items). It is not a model: it bounds what reading
the recent items, or the whole history, by topic can reach.

Every number is also split into four groups of users: whether the test item repeats an item the
user has seen, and whether its topic is among the topics of the last `--window` items (the
short-term window, c). `--ranks` takes the files of `glad evaluate --ranks-csv` and splits each
model's HR@10 the same way, with its HR@100 and median rank (0 = first) per group. Needs numpy.
"""
import argparse
import csv
import json
import os
from collections import defaultdict

import numpy as np

WINDOWS = [10, 20, 50, None]  # None: the whole history
GROUPS = {
    "all": lambda repeat, revealed: np.ones_like(repeat),
    "repeat, topic in window": lambda repeat, revealed: repeat & revealed,
    "repeat, topic not in window": lambda repeat, revealed: repeat & ~revealed,
    "new item, topic in window": lambda repeat, revealed: ~repeat & revealed,
    "new item, topic not in window": lambda repeat, revealed: ~repeat & ~revealed,
}


def window_name(w):
    return "whole history" if w is None else f"last {w} items"


def mean_se(hits):
    a = np.asarray(hits, dtype=float)
    if len(a) < 2:
        return {"mean": float(a.mean()) if len(a) else float("nan"), "se": float("nan"), "users": len(a)}
    return {"mean": float(a.mean()), "se": float(a.std(ddof=1) / np.sqrt(len(a))), "users": len(a)}


def by_group(hits, repeat, revealed):
    hits = np.asarray(hits)
    return {name: mean_se(hits[select(repeat, revealed).astype(bool)])
            for name, select in GROUPS.items()}


def print_rows(title, rows):
    print(title)
    print(f"  {'':>24} " + " | ".join(f"{g:>29}" for g in GROUPS))
    for name, groups in rows.items():
        cells = [f"{m['mean']:.4f} +- {m['se']:.4f} ({m['users']:>5})" for m in groups.values()]
        print(f"  {name:>24} " + " | ".join(f"{c:>29}" for c in cells))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--items-per-topic", type=int, default=50)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--window", type=int, default=10,
                        help="the short-term window for the groups (the benchmark's c)")
    parser.add_argument("--ranks", nargs="*", default=[],
                        help="CSV files of glad evaluate --ranks-csv on FILE")
    parser.add_argument("--json")
    args = parser.parse_args()
    users = defaultdict(list)
    with open(args.file) as f:
        for line in f:
            user, item = line.split()
            users[user].append(int(item[1:]))
    n_items = max(max(h) for h in users.values()) + 1
    counts = np.zeros(n_items)
    for history in users.values():
        np.add.at(counts, history[:-1], 1)
    topic_of = np.arange(n_items) // args.items_per_topic
    topics = topic_of[-1] + 1
    topic_counts = np.bincount(topic_of, weights=counts, minlength=topics)
    item_in_topic = counts / np.maximum(topic_counts[topic_of], 1)
    negative_p = counts / counts.sum()
    rng = np.random.default_rng(args.seed)
    hits = {w: [] for w in WINDOWS}
    full_hits = {w: [] for w in WINDOWS}
    repeat, revealed = [], []
    for history in users.values():
        target, context = history[-1], history[:-1]
        seen = set(history)
        seen_items = np.fromiter(seen, dtype=int)  # the full ranking's removed items, once per user
        negatives = []
        while len(negatives) < 100:
            for x in rng.choice(n_items, 200, p=negative_p):
                if x not in seen and len(negatives) < 100:
                    negatives.append(x)
        candidates = np.array([target] + negatives)
        for w in WINDOWS:
            read = context if w is None else context[-w:]
            p_topic = np.bincount(topic_of[read], minlength=topics) + 0.1
            scores = p_topic[topic_of[candidates]] / p_topic.sum() * item_in_topic[candidates]
            hits[w].append(int((scores[1:] > scores[0]).sum() < 10))
            all_scores = p_topic[topic_of] * item_in_topic
            target_score = all_scores[target]
            all_scores[seen_items] = -1.0  # the seen items leave the ranking, the target stays
            full_hits[w].append(int((all_scores > target_score).sum() < 10))
        repeat.append(target in context)
        revealed.append(topic_of[target] in set(topic_of[context[-args.window:]]))
    repeat, revealed = np.array(repeat), np.array(revealed)
    lengths = [len(h) for h in users.values()]
    report = {
        "file": os.path.basename(args.file),
        "users": len(users),
        "items": int(n_items),
        "interactions": int(sum(lengths)),
        "medianHistory": float(np.median(lengths)),
        "negatives": "popularity (100)",
        "seed": args.seed,
        "window": args.window,
        "repeatShare": float(repeat.mean()),
        "revealedShare": float(revealed.mean()),
        "hr10": {},
        "fullRankingHr10": {},
        "models": {},
    }
    print(f"{len(users)} users, {n_items} items, {sum(lengths)} interactions, median history "
          f"{np.median(lengths):.0f}; the test item repeats a seen item for {repeat.mean():.1%}, "
          f"its topic is among the last {args.window} items' for {revealed.mean():.1%}")
    for w in WINDOWS:
        report["hr10"][window_name(w)] = by_group(hits[w], repeat, revealed)
        report["fullRankingHr10"][window_name(w)] = by_group(full_hits[w], repeat, revealed)
    print_rows("oracle HR@10, 100 popularity negatives", report["hr10"])
    print_rows("oracle HR@10, full ranking", report["fullRankingHr10"])
    index = {user: k for k, user in enumerate(users)}
    for path in args.ranks:
        with open(path) as f:
            table = list(csv.DictReader(f))
        rows = [index[row["user"]] for row in table]
        columns = {}
        for column in list(table[0])[2:]:
            ranks = np.array([int(row[column]) for row in table])
            kept = ranks >= 0
            groups = {"HR@10": ranks[kept] < 10, "HR@100": ranks[kept] < 100}
            columns[column] = {
                name: by_group(hits, repeat[rows][kept], revealed[rows][kept])
                for name, hits in groups.items()}
            columns[column]["medianRank"] = {
                name: float(np.median(ranks[kept][select(repeat[rows], revealed[rows])[kept]]))
                for name, select in GROUPS.items()}
        report["models"][os.path.basename(path)] = columns
        for metric in ["HR@10", "HR@100"]:
            print_rows(f"{metric} of {path}", {c: m[metric] for c, m in columns.items()})
        print(f"median rank of {path}")
        for column, m in columns.items():
            print(f"  {column:>24} " + " | ".join(f"{v:>29.0f}" for v in m["medianRank"].values()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
