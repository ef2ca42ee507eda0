"""Title -> ISCO-08 accuracy on held-out ESCO titles and the hand-written Thai set.

    .venv/bin/python scripts/bench_titles.py [--bucket 0]

Held-out split: ESCO occupations whose SHA-1(conceptUri) mod 5 == 0
(occupations.held_out; buckets 1-4 were used for tuning by cross-validation, bucket 0 never). The
classifier is rebuilt without those occupations' titles, then every preferred and
alternative label of them is classified ("unseen occupations": the title's
occupation is unknown to the index, only its ISCO unit's other occupations are).
"Before" is the previous matcher: text.extract_occupations -> the vocabulary
occupation's ISCO code. Thai: tests/data/thai_titles_heldout.csv (written before
tuning, never tuned on; by the same author as data/thai_titles.tsv).
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fair.matching import occupations as occ  # noqa: E402
from fair.matching.text import extract_occupations  # noqa: E402
from fair.matching.vocabulary import load_vocabulary  # noqa: E402


def report(name, items, predict) -> None:
    n = len(items)
    right = {4: 0, 3: 0, 2: 0}
    none = 0
    for title, code in items:
        got = predict(title)
        if got is None:
            none += 1
            continue
        for k in right:
            right[k] += got[:k] == code[:k]
    print(f"{name:<46} n={n:5d}  4-digit {right[4] / n:6.1%}  3-digit {right[3] / n:6.1%}  "
          f"2-digit {right[2] / n:6.1%}  abstain {none / n:6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bucket", type=int, default=0)
    args = parser.parse_args()
    vocabulary = load_vocabulary()
    held = [o for o in occ.esco_occupations() if occ.held_out(o.uri, 5, args.bucket)]
    t = time.perf_counter()
    classifier = occ.TitleClassifier(occ.default_entries(exclude={o.uuid for o in held}))
    print(f"index without {len(held)} held-out occupations: {len(classifier.entries)} titles, "
          f"built in {time.perf_counter() - t:.1f} s")
    in_vocab = {o.isco for o in vocabulary.occupations.values()}

    def before(title):
        found = extract_occupations(title)
        return vocabulary.occupations[found[0]].isco if found else None

    def after(title):
        return classifier.classify(title).isco08

    def after_always(title):
        _, votes = classifier.votes(title)
        return max(votes.items(), key=lambda x: x[1])[0] if votes else None

    every = [(o.preferred, o.isco08) for o in held] + [(a, o.isco08) for o in held for a in o.alternatives]
    preferred = [(o.preferred, o.isco08) for o in held]
    vocab_units = [x for x in every if x[1] in in_vocab]
    with (Path(__file__).resolve().parent.parent / "tests/data/thai_titles_heldout.csv").open(encoding="utf-8") as f:
        thai = [(r["title"], r["isco08"]) for r in csv.DictReader(f)]
    for name, items in (("ESCO held-out, all titles", every), ("ESCO held-out, preferred labels", preferred),
                        ("ESCO held-out, units in vocabulary", vocab_units), ("Thai hand-written held-out", thai)):
        report(f"{name}: before", items, before)
        report(f"{name}: after", items, after)
        report(f"{name}: after, never abstaining", items, after_always)
    t = time.perf_counter()
    for title, _ in every[:500]:
        classifier.classify(title + " x")
    print(f"classify: {(time.perf_counter() - t) * 2:.2f} ms per title (uncached)")


if __name__ == "__main__":
    main()
