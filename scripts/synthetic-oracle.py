#!/usr/bin/env python3
"""How much a memory could give on a synthetic long-history set (./glad generate): HR@10 of a
topic-frequency oracle that reads the last W items, against the same oracle reading the whole
history, on the test item (the last) of every user, against 100 popularity-sampled negatives.

usage: scripts/synthetic-oracle.py FILE [--items-per-topic 50] [--seed 42] [--json OUT]

The oracle knows the generator's topics (item index // items-per-topic; the defaults' 6,000 items
in 120 topics) and scores an item by P(topic | the items read, add-0.1 smoothed) x P(item | topic)
(the item's share of its topic in the training items). It is not a model: it bounds what reading
the recent items, or the whole history, by topic can reach. Needs numpy.
"""
import argparse
import json
from collections import defaultdict

import numpy as np

WINDOWS = [10, 20, 50, None]  # None: the whole history


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--items-per-topic", type=int, default=50)
    parser.add_argument("--seed", type=int, default=42)
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
    for history in users.values():
        target, context = history[-1], history[:-1]
        seen = set(history)
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
    lengths = [len(h) for h in users.values()]
    report = {
        "file": args.file,
        "users": len(users),
        "items": int(n_items),
        "interactions": int(sum(lengths)),
        "medianHistory": float(np.median(lengths)),
        "negatives": "popularity (100)",
        "seed": args.seed,
        "hr10": {},
    }
    print(f"{len(users)} users, {n_items} items, {sum(lengths)} interactions, median history "
          f"{np.median(lengths):.0f}; oracle HR@10 against 100 popularity negatives:")
    for w in WINDOWS:
        a = np.array(hits[w])
        name = "whole history" if w is None else f"last {w} items"
        se = a.std(ddof=1) / np.sqrt(len(a))
        report["hr10"][name] = {"mean": a.mean(), "se": se}
        print(f"  {name:>14}: {a.mean():.4f} +- {se:.4f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
