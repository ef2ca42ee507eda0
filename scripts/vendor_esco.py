"""Vendor the ESCO occupations and the ISCO-08 hierarchy into the package, compactly.

    .venv/bin/python scripts/vendor_esco.py [/work/shared/data/esco]

Reads the official ESCO CSVs (occupations_en.csv, ISCOGroups_en.csv) and writes

* fair/matching/data/esco_occupations.tsv.gz: one line per ESCO occupation,
  ``uuid<TAB>isco08<TAB>preferred label<TAB>alt label|alt label|...``
  (descriptions and everything else left out: ~0.4 MB instead of 2.7 MB);
* fair/matching/data/isco08.tsv: ``code<TAB>label_en`` for the 10 major groups,
  sub-major, minor and 436 unit groups.

Thai labels are not in ESCO; they live in fair/matching/data/isco08_th.tsv and
thai_titles.tsv, written by hand for this project. Run again when ESCO is updated.
"""
from __future__ import annotations

import csv
import gzip
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "fair" / "matching" / "data"


def main(source: str = "/work/shared/data/esco") -> None:
    src = Path(source)
    lines = []
    with (src / "occupations_en.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["iscoGroup"].strip()
            if not (len(code) == 4 and code.isdigit()):
                continue
            uuid = row["conceptUri"].rsplit("/", 1)[-1]
            alts = [a.strip() for a in row["altLabels"].split("\n") if a.strip()]
            clean = [t.replace("\t", " ").replace("|", "/") for t in alts]
            lines.append("\t".join([uuid, code, row["preferredLabel"].strip().replace("\t", " "),
                                    "|".join(dict.fromkeys(clean))]))
    lines.sort()
    with gzip.open(OUT / "esco_occupations.tsv.gz", "wt", encoding="utf-8", compresslevel=9) as out:
        out.write("\n".join(lines) + "\n")
    groups = []
    with (src / "ISCOGroups_en.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["code"].strip()
            if code.isdigit():
                groups.append((code, row["preferredLabel"].strip()))
    groups.sort()
    (OUT / "isco08.tsv").write_text("".join(f"{c}\t{label}\n" for c, label in groups), "utf-8")
    print(f"{len(lines)} occupations, {len(groups)} ISCO-08 groups")


if __name__ == "__main__":
    main(*sys.argv[1:])
