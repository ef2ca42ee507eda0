"""Benchmark server-side QR decoding on the degraded-photo set.

    .venv/bin/python scripts/bench_decode.py [--per-kind 20] [--seed 1]

Prints, for the photos of tests/photos.py:
  1. what each preprocessing pass decodes on its own, per kind, and its cost;
  2. whole strategies (one pass, the shipped pass order, other orders and
     working sizes): decode rate and time per photo, median and p95;
  3. the shipped `decode_image` end to end, per kind.
The pass order in fair/checkin/decode.py is chosen from these figures.
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image  # noqa: E402

from fair.checkin import cards  # noqa: E402
from fair.checkin import decode  # noqa: E402
from tests.photos import KINDS, degraded_set  # noqa: E402

Photo = tuple[str, bytes]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    private, _public = cards.generate_signing_key()
    token = cards.make_token(private, 4_000_000_000)
    started = time.perf_counter()
    photos = degraded_set(token, args.per_kind, seed=args.seed)
    print(f"{len(photos)} photos ({args.per_kind} per kind) generated in "
          f"{time.perf_counter() - started:.1f} s\n")

    loaded = [(kind, *_timed(lambda data=data: decode.load_grayscale(data)))
              for kind, data in photos]
    load_ms = [ms for _kind, _gray, ms in loaded]
    print(f"load + EXIF + grayscale: median {statistics.median(load_ms):.0f} ms, "
          f"p95 {_p95(load_ms):.0f} ms\n")

    print_pass_matrix(loaded, token)
    winners = print_strategies(loaded, token)
    print_end_to_end(photos, token, winners)


def print_pass_matrix(loaded: list[tuple[str, object, float]], token: str) -> None:
    """Each pass alone: per-kind wins, photos only it rescues, its cost."""
    wins: dict[str, Counter[str]] = defaultdict(Counter)
    solved: dict[str, set[int]] = defaultdict(set)
    spent: dict[str, dict[int, float]] = defaultdict(dict)
    rescues: Counter[str] = Counter()
    cost: dict[str, list[float]] = defaultdict(list)
    for index, (kind, gray, _ms) in enumerate(loaded):
        working = decode.working_copy(gray)
        plain_ok = False
        # "plain" first: the rescue column is measured against it.
        for name, make in sorted(decode.ALL_VARIANTS, key=lambda item: item[0] != "plain"):
            found, ms = _timed(lambda make=make: _run_variant(make, gray, working))
            if found is None:
                continue
            cost[name].append(ms)
            spent[name][index] = ms
            ok = found == [token]
            wins[name][kind] += ok
            if ok:
                solved[name].add(index)
            if name == "plain":
                plain_ok = ok
            elif ok and not plain_ok:
                rescues[name] += 1
    per_kind = len(loaded) // len(KINDS)
    short = [kind[:6] for kind in KINDS]
    print(f"1. Each pass alone (working copy {decode.WORKING_SIDE} px), photos decoded of "
          f"{per_kind} per kind")
    print(f"{'pass':<25}" + "".join(f"{k:>7}" for k in short)
          + f"{'all':>7}{'rescue':>7}{'ms med':>8}")
    for name, _make in sorted(decode.ALL_VARIANTS, key=lambda item: item[0] != "plain"):
        if not cost[name]:
            print(f"{name:<25}  (never applies to this set)")
            continue
        row = "".join(f"{wins[name][kind]:>7}" for kind in KINDS)
        total = sum(wins[name].values())
        print(f"{name:<25}{row}{total:>7}{rescues[name]:>7}{statistics.median(cost[name]):>8.0f}")
    print("(rescue = photos this pass decodes that the plain pass does not)")
    print("greedy order (most newly decoded photos per ms spent first): "
          + ", ".join(greedy_order(solved, spent)) + "\n")


def greedy_order(solved: dict[str, set[int]], spent: dict[str, dict[int, float]]) -> list[str]:
    """Passes ordered by photos newly decoded per millisecond they would cost.

    A pass runs on every photo still undecoded when its turn comes, so its
    cost is summed over those photos, not averaged over the whole set.
    Passes adding nothing on this set follow, cheapest first: they cover
    cases the set lacks and should run only once all else failed.
    """
    order: list[str] = []
    undecoded = set().union(*spent.values())
    candidates = set(spent)

    def value(name: str) -> float:
        cost = sum(spent[name].get(index, 0.0) for index in undecoded) or 1e-9
        return len(solved[name] & undecoded) / cost

    while candidates:
        best = max(candidates, key=value)
        if not solved[best] & undecoded:
            break
        order.append(best)
        undecoded -= solved[best]
        candidates.discard(best)
    mean = {name: statistics.mean(spent[name].values()) for name in candidates}
    return order + sorted(candidates, key=mean.__getitem__)


def print_strategies(loaded: list[tuple[str, object, float]], token: str) -> list[str]:
    """Whole pass lists compared; returns the shipped list's winning pass per photo."""
    shipped = decode.PASSES
    by_name = dict(shipped)
    strategies: list[tuple[str, list[tuple[str, decode.Variant]], int]] = [
        ("single pass, working copy", [("plain", by_name["plain"])], decode.WORKING_SIDE),
        ("single pass, full size", [("full", lambda full, working: full)], decode.WORKING_SIDE),
        *[(f"shipped order, working {side}" + (" (shipped)" if side == decode.WORKING_SIDE else ""),
           shipped, side) for side in sorted({1000, 1200, 1600, 2000, decode.WORKING_SIDE})],
        ("plain first (first design)", [(name, by_name[name]) for name in (
            "plain", "inverted", "local_threshold", "denoised", "larger_local_threshold",
            "full_size", "sharpened", "otsu", "local_threshold_inverted", "upscaled")],
         decode.WORKING_SIDE),
        ("full size first, then shipped", [("full", lambda full, working: full)] + shipped,
         decode.WORKING_SIDE),
        ("reversed order", list(reversed(shipped)), decode.WORKING_SIDE),
    ]
    print("2. Strategies: decode rate and time per photo (load included)")
    print(f"{'strategy':<38}{'decoded':>10}{'rate':>8}{'median ms':>11}"
          f"{'p95 ms':>9}{'worst ms':>10}")
    for label, passes, side in strategies:
        decoded, times, won = 0, [], []
        for _kind, gray, load_ms in loaded:
            (winner, found), ms = _timed(
                lambda gray=gray: decode.decode_with_passes(gray, passes, side))
            decoded += found == [token]
            times.append(load_ms + ms)
            won.append(winner or "none")
        if passes is shipped and side == decode.WORKING_SIDE:
            shipped_winners = won
        print(f"{label:<38}{decoded:>5}/{len(loaded):<4}{decoded / len(loaded):>8.1%}"
              f"{statistics.median(times):>11.0f}{_p95(times):>9.0f}{max(times):>10.0f}")
    print()
    return shipped_winners


def print_end_to_end(photos: list[Photo], token: str, winners_in_order: list[str]) -> None:
    print("3. decode_image() end to end (bytes in, texts out), per kind")
    print(f"{'kind':<12}{'decoded':>9}{'rate':>8}{'median ms':>11}{'p95 ms':>9}  winning passes")
    rows: dict[str, list[tuple[bool, float]]] = defaultdict(list)
    winners: dict[str, Counter[str]] = defaultdict(Counter)
    for (kind, data), winner in zip(photos, winners_in_order):
        found, ms = _timed(lambda data=data: decode.decode_image(data))
        rows[kind].append((found == [token], ms))
        winners[kind][winner] += 1
    every = [row for kind in KINDS for row in rows[kind]]
    for kind in KINDS + ("overall",):
        results = every if kind == "overall" else rows[kind]
        ok = sum(hit for hit, _ms in results)
        times = [ms for _hit, ms in results]
        won = "" if kind == "overall" else ", ".join(
            f"{name} {count}" for name, count in winners[kind].most_common())
        print(f"{kind:<12}{ok:>5}/{len(results):<3}{ok / len(results):>8.1%}"
              f"{statistics.median(times):>11.0f}{_p95(times):>9.0f}  {won}")
    # The worst case: a photo with no code runs every pass, the full-size
    # one included, and holds a worker thread for that long.
    empty = io.BytesIO()
    Image.linear_gradient("L").resize((4000, 3000)).save(empty, "JPEG", quality=85)
    found, ms = _timed(lambda: decode.decode_image(empty.getvalue()))
    print(f"\n12 MP photo with no code (every pass runs): {ms:.0f} ms, found {found}")


def _run_variant(make: decode.Variant, gray, working) -> list[str] | None:
    variant = make(gray, working)
    return None if variant is None else decode._zbar(variant)


def _timed(fn: Callable[[], object]) -> tuple[object, float]:
    started = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - started) * 1000


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


if __name__ == "__main__":
    main()
