#!/usr/bin/env python3
"""Medians of scripts/bench_compare.sh's runs, old against new.

    python3 scripts/bench_median.py runs.jsonl

For each benchmark's headline figures: the median of each binary's runs, and how the new median
stands against the old one (+ is better: more per second, or a lower latency). Exits 1 when a
new median is more than 5% worse than the old one."""
import json
import statistics
import sys

# (benchmark, figure, higher is better)
FIGURES = [
    ("append64", "events_per_s", True),
    ("batch1000", "events_per_s", True),
    ("replay", "events_per_s", True),
    ("verify", "mb_per_s", True),
    ("verify", "export_mb_per_s", True),
    ("verify", "proof_p50_us", False),
    ("proof", "inclusion_p50_us", False),
    ("proof", "consistency_p50_us", False),
]


def main(path):
    runs = {}
    with open(path) as f:
        for line in f:
            run = json.loads(line)
            runs.setdefault((run["binary"], run["bench"]), []).append(run["result"])
    worse = []
    print(f"{'benchmark':<10} {'figure':<20} {'old median':>12} {'new median':>12} {'new vs old':>10}  runs")
    for bench, figure, higher in FIGURES:
        old = [r[figure] for r in runs.get(("old", bench), [])]
        new = [r[figure] for r in runs.get(("new", bench), [])]
        if not old or not new:
            continue
        o, n = statistics.median(old), statistics.median(new)
        change = (n / o - 1) if higher else (o / n - 1)
        print(f"{bench:<10} {figure:<20} {o:>12.1f} {n:>12.1f} {change:>+9.1%}  {len(old)}/{len(new)}")
        if change < -0.05:
            worse.append(f"{bench} {figure}")
    if worse:
        print("more than 5% worse: " + ", ".join(worse))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
