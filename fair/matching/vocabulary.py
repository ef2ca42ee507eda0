"""The skills and occupations vocabulary that matching speaks.

Pure module: no Flask, no database. The data lives in ``data/vocabulary.json``
(package data, one entry per line so that reviews and diffs stay readable);
this module loads it once, checks that it is consistent, and answers the
questions the tokenizer and the scorer ask: which skill ids exist, what an
occupation needs, which occupations are close to each other, and what a skill
or occupation is called in Thai or English.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Mapping

from fair.core.reference import EDUCATION_LEVELS

# Skill ids that are languages: a job that requires one of these is asking
# for a language, which the scorer weighs as its own factor.
LANGUAGE_SKILLS: frozenset[str] = frozenset(
    {"english", "chinese", "japanese", "korean", "burmese", "thai_language"}
)

# Required skills count twice as much as optional ones when deciding how close
# two occupations are: sharing what both *need* says more than sharing a nicety.
_REQUIRED_WEIGHT_FOR_RELATEDNESS = 2.0
# Below this similarity two occupations are not "related" (noise from sharing
# one generic optional skill such as customer service).
RELATED_MIN_SIMILARITY = 0.2


@dataclass(frozen=True)
class Skill:
    id: str
    en: str
    th: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Occupation:
    id: str
    isco: str
    en: str
    th: str
    aliases: tuple[str, ...]
    skills_required: tuple[str, ...]
    skills_optional: tuple[str, ...]
    education_min: str
    experience_min_years: int
    salary_min: int
    salary_max: int
    industry: str


class VocabularyError(ValueError):
    """The vocabulary file is inconsistent (unknown skill id, bad code...)."""


@dataclass(frozen=True)
class Vocabulary:
    version: int
    skills: Mapping[str, Skill]
    occupations: Mapping[str, Occupation]
    # occupation id -> {other occupation id: similarity in (0, 1]}
    related: Mapping[str, Mapping[str, float]]

    def skill_name(self, skill_id: str, lang: str = "en") -> str:
        """Display name of a skill; the id itself when unknown (never raises)."""
        skill = self.skills.get(skill_id)
        if skill is None:
            return skill_id.replace("_", " ")
        return skill.th if lang == "th" else skill.en

    def occupation_name(self, occupation_id: str, lang: str = "en") -> str:
        occupation = self.occupations.get(occupation_id)
        if occupation is None:
            return occupation_id.replace("_", " ")
        return occupation.th if lang == "th" else occupation.en

    def similarity(self, occupation_a: str, occupation_b: str) -> float:
        """1.0 for the same occupation, the related similarity or 0.0."""
        if occupation_a == occupation_b:
            return 1.0
        return self.related.get(occupation_a, {}).get(occupation_b, 0.0)


def _occupation_similarity(a: Occupation, b: Occupation) -> float:
    """Weighted Jaccard of two occupations' skill sets (required weigh double)."""
    def weights(occupation: Occupation) -> dict[str, float]:
        result = {skill: 1.0 for skill in occupation.skills_optional}
        result.update({skill: _REQUIRED_WEIGHT_FOR_RELATEDNESS for skill in occupation.skills_required})
        return result

    wa, wb = weights(a), weights(b)
    keys = wa.keys() | wb.keys()
    shared = sum(min(wa.get(k, 0.0), wb.get(k, 0.0)) for k in keys)
    total = sum(max(wa.get(k, 0.0), wb.get(k, 0.0)) for k in keys)
    return shared / total if total else 0.0


def parse_vocabulary(raw: dict) -> Vocabulary:
    """Build and validate a Vocabulary from the JSON structure."""
    skills: dict[str, Skill] = {}
    for entry in raw["skills"]:
        if entry["id"] in skills:
            raise VocabularyError(f"duplicate skill id {entry['id']!r}")
        skills[entry["id"]] = Skill(entry["id"], entry["en"], entry["th"], tuple(entry["aliases"]))
    occupations: dict[str, Occupation] = {}
    for entry in raw["occupations"]:
        unknown = [s for s in entry["skills_required"] + entry["skills_optional"] if s not in skills]
        if unknown:
            raise VocabularyError(f"occupation {entry['id']!r} refers to unknown skills {unknown}")
        if entry["education_min"] not in EDUCATION_LEVELS:
            raise VocabularyError(f"occupation {entry['id']!r}: bad education {entry['education_min']!r}")
        occupations[entry["id"]] = Occupation(
            id=entry["id"], isco=entry["isco"], en=entry["en"], th=entry["th"],
            aliases=tuple(entry["aliases"]),
            skills_required=tuple(entry["skills_required"]),
            skills_optional=tuple(entry["skills_optional"]),
            education_min=entry["education_min"],
            experience_min_years=int(entry["experience_min_years"]),
            salary_min=int(entry["salary_min"]), salary_max=int(entry["salary_max"]),
            industry=entry["industry"],
        )
    related: dict[str, dict[str, float]] = {oid: {} for oid in occupations}
    ids = list(occupations)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            sim = _occupation_similarity(occupations[a], occupations[b])
            if sim >= RELATED_MIN_SIMILARITY:
                related[a][b] = related[b][a] = round(sim, 3)
    return Vocabulary(int(raw.get("version", 1)), skills, occupations, related)


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """The bundled vocabulary, loaded and checked once per process."""
    text = resources.files("fair.matching").joinpath("data/vocabulary.json").read_text("utf-8")
    return parse_vocabulary(json.loads(text))
