"""Vendor the ESCO occupations and the ISCO-08 hierarchy into the package, compactly.

    .venv/bin/python scripts/vendor_esco.py [/work/shared/data/esco]

Reads the official ESCO CSVs (occupations_en.csv, ISCOGroups_en.csv) and writes

* fair/matching/data/esco_occupations.tsv.gz: one line per ESCO occupation,
  ``uuid<TAB>isco08<TAB>preferred label<TAB>alt label|alt label|...``
  (descriptions and everything else left out: ~0.4 MB instead of 2.7 MB);
* fair/matching/data/isco08.tsv: ``code<TAB>label_en`` for the 10 major groups,
  sub-major, minor and 436 unit groups;
* fair/matching/data/isco08_examples.tsv: ``code<TAB>kind<TAB>title``, the titles
  that the ISCO-08 unit group descriptions list: ``example`` ("Examples of the
  occupations classified here", kept in unit ``code``) and ``elsewhere`` ("Some
  related occupations classified elsewhere", with the unit ``code`` they name).

Thai labels are not in ESCO; they live in fair/matching/data/isco08_th.tsv and
thai_titles.tsv, written by hand for this project. Run again when ESCO is updated.
"""
from __future__ import annotations

import csv
import gzip
import re
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
    examples = unit_examples(src / "ISCOGroups_en.csv", {c for c, _ in groups if len(c) == 4})
    (OUT / "isco08_examples.tsv").write_text(
        "# ISCO-08 unit<TAB>example|elsewhere<TAB>title, from the unit group descriptions (ESCO's ISCOGroups_en.csv)\n"
        + "".join(f"{c}\t{kind}\t{title}\n" for c, kind, title in examples), "utf-8")
    print(f"{len(lines)} occupations, {len(groups)} ISCO-08 groups, {len(examples)} example titles")


_ELSEWHERE = re.compile(r"^(.*?)\s*[-\u2013]\s*(\d{4})\s*$")


def unit_examples(path: Path, units: set[str]) -> list[tuple[str, str, str]]:
    """(unit, kind, title) from the description lists of each 4-digit unit group."""
    out: list[tuple[str, str, str]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["code"].strip()
            if code not in units:
                continue
            mode = None
            for line in row["description"].splitlines():
                text = line.strip()
                low = text.lower()
                if low.startswith("examples of the occupations classified here"):
                    mode = "example"
                elif low.startswith("some related occupations classified elsewhere"):
                    mode = "elsewhere"
                elif mode and text.startswith("-"):
                    title = text.lstrip("- ").strip().replace("\t", " ")
                    if mode == "example":
                        out.append((code, "example", title))
                    elif (found := _ELSEWHERE.match(title)) and found.group(2) in units:
                        out.append((found.group(2), "elsewhere", found.group(1).strip()))
                elif text:
                    mode = None
    return sorted(dict.fromkeys(out))


if __name__ == "__main__":
    main(*sys.argv[1:])
