#!/usr/bin/env python
"""Markdown tables from `bench_realtime.py --json` files: each run, then ours/floor p99 ratios.

    .venv/bin/python scripts/bench_table.py results.json [more.json ...]

Runs of the same rate, target, mode and durability level are listed one per
row; the ratio table takes the median p99 of each side over its repeats.
"""
from __future__ import annotations

import json
import statistics
import sys
from collections import defaultdict


def fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def main(paths: list[str]) -> None:
    runs = [run for path in paths for run in json.load(open(path))]
    print("| rate offered | server | mode | sustained/s | ack p50 / p99 / max (ms) | dashboards p50 / p99 / max (ms) "
          "| lost / dup | server CPU | RSS |")
    print("|---|---|---|---|---|---|---|---|---|")
    groups: dict[tuple, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for run in sorted(runs, key=lambda r: (r["mode"], r["rate"], r["target"] != "floor")):
        ack, dash = run["ack_ms"], run["dashboard_ms"]
        print(f"| {run['rate']:g}/s | {run['target']} | {run['mode']} | {fmt(run['sustained_scans_per_s'])} "
              f"| {fmt(ack.get('p50'))} / {fmt(ack.get('p99'))} / {fmt(ack.get('max'))} "
              f"| {fmt(dash.get('p50'))} / {fmt(dash.get('p99'))} / {fmt(dash.get('max'))} "
              f"| {run['acked_scans_lost']} / {run['duplicated_rows']} | {fmt(run['server_cpu_percent'], 0)} % "
              f"| {fmt(run['server_rss_mb_max'], 0)} MB |")
        groups[(run["mode"], run["rate"])][run["target"]].append(run)
    print()
    print("| rate | mode | runs | ack p99 ours / floor | ratio | dashboards p99 ours / floor | ratio |")
    print("|---|---|---|---|---|---|---|")
    for (mode, rate), sides in sorted(groups.items()):
        if "ours" not in sides or "floor" not in sides:
            continue
        cells = []
        for key in ("ack_ms", "dashboard_ms"):
            ours = statistics.median(r[key]["p99"] for r in sides["ours"] if r[key].get("p99") is not None)
            floor = statistics.median(r[key]["p99"] for r in sides["floor"] if r[key].get("p99") is not None)
            cells.append(f"{fmt(ours)} / {fmt(floor)} | {ours / floor:.2f}×")
        print(f"| {rate:g}/s | {mode} | {len(sides['ours'])} | {' | '.join(cells)} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
