"""Thai and English free text to skill ids, occupation ids and plain tokens.

Pure module: no Flask, no database. Job seekers and recruiters type skills
and positions in Thai, English, transliterations and mixtures ("ขับรถโฟล์คลิฟท์ได้,
excel"), usually without spaces between Thai words. This module:

1. normalises the text (NFC, casefold, Thai digits, zero-width characters,
   the two ways of typing sara am),
2. splits it into phrases on ``; , / |`` and new lines,
3. cuts Thai runs into words with PyThaiNLP's ``newmm`` engine over a
   dictionary of PyThaiNLP's own words plus every Thai alias of the
   vocabulary, so that "ขับรถโฟล์คลิฟท์" stays one word, and cuts Latin runs
   with a regular expression that keeps "c#", "node.js" and "e-commerce" whole,
4. looks the phrase up in the vocabulary: the whole phrase as an alias, then
   the longest aliases found at word boundaries inside it (longest first,
   wherever they are), then single words with a one-letter typo or an
   English plural,
5. reads the sentence around each mention: a negated one is dropped
   ("ไม่จำเป็นต้องใช้คอมพิวเตอร์", "no forklift licence required", "ใช้ Excel
   ไม่เป็น"), and a bare "driving licence" right next to a vehicle is that
   vehicle's licence ("มีใบขับขี่รถยก" is a forklift licence, not a car one).
   Job descriptions and skills cells written as sentences ("มีใบขับขี่รถยก",
   "ใช้ Excel ได้ดี", "Forklift licence required, basic computer skills")
   therefore give the same ids as ";" lists.

The dictionary trie and alias tables are built once per process (a lazy
module-level singleton): building them takes about a second, which a check-in
must never pay.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from fair.matching.vocabulary import Vocabulary, load_vocabulary

# --- normalisation ---------------------------------------------------------

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Sara am typed as nikhahit + sara aa (what some keyboards and PDF copies
# produce), possibly with the tone mark typed after the nikhahit. Both render
# the same as U+0E33 but compare unequal, so "น้ำ" would miss "น้ำ".
_SARA_AM_WITH_TONE = re.compile("\u0e4d([\u0e48-\u0e4b])\u0e32")
_SARA_AM = re.compile("\u0e4d\u0e32")
_SPACES = re.compile(r"\s+")
_PHRASE_SEPARATORS = re.compile(r"[;,/|\n\r\t•·、，；]+")
# Characters ignored when comparing a phrase with an alias: "fork-lift",
# "fork lift" and "forklift" are the same alias, and so are "ท.2" and "ท2".
_COMPACT_DROP = re.compile(r"[\s.\-_'’\"()\[\]:!?*+]")


def normalize(text: str) -> str:
    """Canonical form for matching: NFC, casefold, ASCII digits, single spaces."""
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH).translate(_THAI_DIGITS)
    text = _SARA_AM_WITH_TONE.sub("\\1\u0e33", text)
    text = _SARA_AM.sub("\u0e33", text)
    return _SPACES.sub(" ", text.casefold()).strip()


def split_phrases(text: str | Iterable[str] | None) -> list[str]:
    """Normalised, non-empty phrases from a string or from a list of strings."""
    if text is None:
        return []
    items = [text] if isinstance(text, str) else list(text)
    phrases: list[str] = []
    for item in items:
        if not item:
            continue
        for part in _PHRASE_SEPARATORS.split(normalize(str(item))):
            part = part.strip(" -–—.:")
            if part:
                phrases.append(part)
    return phrases


def compact(text: str) -> str:
    """Key for alias lookups: spaces and light punctuation removed.

    "+" is dropped too, so "c++" and "c" collide; no alias relies on it.
    """
    return _COMPACT_DROP.sub("", text)


# --- tokenizing --------------------------------------------------------------

# A Thai run, or a Latin/digit word that may carry inner punctuation
# ("node.js", "e-commerce", "c#"), or a leading-dot word (".net", ".2").
_RUN = re.compile(
    r"[\u0e00-\u0e7f]+"
    r"|[a-z0-9][a-z0-9+#&.'’_-]*[a-z0-9+#]"
    r"|[a-z0-9]"
    r"|[.#][a-z0-9]+"
)
_THAI = re.compile(r"[\u0e00-\u0e7f]")

# Longest alias, in tokens, the window search tries. Vocabulary aliases are
# at most a handful of words (a long Thai alias can be cut into four or five
# when newmm segments it in context); the bound keeps long descriptions cheap.
# A constant rather than measured per alias: tokenizing every alias at start-up
# would cost seconds.
_MAX_WINDOW = 7
# Single-word typo tolerance applies only to words this long: shorter ones
# ("qc", "sap", "pos") are too easy to confuse with each other.
_FUZZY_MIN_LENGTH = 5

# Words that say nothing about *which* job: they would make every title match
# every desired position. PyThaiNLP's stop words are added at build time.
GENERIC_WORDS: frozenset[str] = frozenset({
    "พนักงาน", "เจ้าหน้าที่", "ฝ่าย", "แผนก", "ประจำ", "ทั่วไป", "งาน", "ตำแหน่ง", "รับสมัคร",
    "ด่วน", "หลาย", "อัตรา", "คน", "ได้", "เป็น", "มี", "ปี", "เดือน", "บาท", "สามารถ", "และ",
    "staff", "officer", "worker", "employee", "job", "jobs", "position", "senior", "junior",
    "the", "and", "or", "of", "for", "with", "to", "in", "a", "an", "at", "on", "my", "i",
    "can", "years", "year", "experience", "good", "skills", "skill", "basic", "level",
})


# --- reading a sentence: negation and licences ----------------------------------

# A word that negates what follows it: Thai ไม่... (any word newmm starts with
# it, except these, which bound an amount rather than deny it) and English.
_THAI_NOT = "ไม่"
_NOT_NEGATING = frozenset({
    "ไม่จำกัด", "ไม่น้อยกว่า", "ไม่เกิน", "ไม่ต่ำกว่า", "ไม่ว่า", "ไม่ค่อย",
})
_ENGLISH_NEGATION = frozenset({
    "no", "not", "without", "non", "never", "nor", "don't", "dont", "doesn't", "doesnt",
    "didn't", "cannot", "can't", "cant", "unable", "lacks", "lacking",
})
# After a negation these words do not yet say what is denied: "ไม่[จำเป็นต้อง][มี]ใบขับขี่",
# "no [previous] forklift experience", "ไม่[มีประสบการณ์]สอน".
_NEGATION_SKIPPABLE = frozenset({
    "ต้อง", "จำเป็น", "จำเป็นต้อง", "มี", "ต้องมี", "ใช้", "เป็น", "ได้", "เคย", "ความรู้", "ทักษะ",
    "ประสบการณ์", "มีประสบการณ์", "ความสามารถ", "สามารถ", "การ", "ด้าน", "ใน", "เรื่อง", "ทาง",
    "need", "needs", "needed", "to", "have", "has", "use", "any", "a", "an", "the", "prior",
    "previous", "required", "experience", "knowledge", "skills", "skill", "of", "in", "with", "for",
    "must", "be", "is", "are", "necessary", "เอา", "รับ", "อยาก", "ทำ", "งาน", "ต้องการ", "พูด",
    "อ่าน", "เขียน", "want", "wants", "as", "speak", "read", "write",
})
# Negations that follow what they deny: "Excel ไม่เป็น", "ขับรถไม่ได้", "forklift not required".
_THAI_CANNOT = frozenset({"ไม่ได้", "ไม่เป็น", "ไม่คล่อง", "ไม่เก่ง", "ไม่ถนัด"})
_THAI_NOT_NEEDED = frozenset({"ไม่จำเป็น", "ไม่ต้อง", "ไม่ต้องการ", "ไม่จำเป็นต้องมี"})
_ENGLISH_AFTER_NEGATION = frozenset({"required", "needed", "necessary", "essential", "a must", "mandatory"})
# Mentions joined by these share one negation: "no forklift or truck licence".
_CONJUNCTIONS = frozenset({"หรือ", "และ", "กับ", "or", "and", "nor", "&", "/"})

# Bare licence words: next to a vehicle they are that vehicle's licence.
_GENERIC_LICENCE_ALIASES = (
    "ใบขับขี่", "มีใบขับขี่", "ใบอนุญาตขับรถ", "ใบอนุญาตขับขี่", "driving license", "driving licence",
    "driver license", "driver licence", "drivers license", "driver's license",
)
_VEHICLE_SKILLS = frozenset({
    "forklift", "motorcycle_riding", "driving_license_commercial", "driving_truck", "reach_truck",
})


@dataclass(frozen=True)
class _Mention:
    start: int  # token index
    end: int  # token index after the last
    owner: str
    key: str  # the compact alias (or typo) that matched


@dataclass(frozen=True)
class PhraseAnalysis:
    """What one normalised phrase says: vocabulary ids and leftover words."""
    skills: tuple[str, ...]
    occupations: tuple[str, ...]          # in order of appearance
    occupation_skills: tuple[str, ...]    # required skills of occupations named
    free_tokens: tuple[str, ...]          # words outside the vocabulary


class _Matcher:
    """Dictionary trie plus alias tables; built once, read by every call."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        from pythainlp.corpus.common import thai_stopwords, thai_words
        from pythainlp.util import dict_trie

        self.vocabulary = vocabulary
        alias_owners: list[tuple[str, str, str]] = []  # (kind, id, alias)
        for skill in vocabulary.skills.values():
            alias_owners += [("skill", skill.id, normalize(a)) for a in (skill.en, skill.th, *skill.aliases)]
        for occupation in vocabulary.occupations.values():
            alias_owners += [("occupation", occupation.id, normalize(a))
                             for a in (occupation.en, occupation.th, *occupation.aliases)]

        words = set(thai_words())
        for _, _, alias in alias_owners:
            words.update(run for run in re.findall(r"[\u0e00-\u0e7f]+", alias) if len(run) > 1)
        self._trie = dict_trie(words)

        self.skill_keys: dict[str, str] = {}
        self.occupation_keys: dict[str, str] = {}
        self.max_window = _MAX_WINDOW
        for kind, owner, alias in alias_owners:
            key = compact(alias)
            if not key:
                continue
            table = self.skill_keys if kind == "skill" else self.occupation_keys
            table.setdefault(key, owner)   # first owner wins; the file has no clashes
        self._generic_licence_keys = frozenset(compact(normalize(a)) for a in _GENERIC_LICENCE_ALIASES)
        self._fuzzy_skills = _deletion_index(self.skill_keys)
        self._fuzzy_occupations = _deletion_index(self.occupation_keys)
        self.stop_words = frozenset(thai_stopwords()) | GENERIC_WORDS

    def tokenize(self, phrase: str) -> list[str]:
        """Words of a normalised phrase: newmm for Thai runs, a regex for the rest."""
        return self._tokenize(phrase)[0]

    def _tokenize(self, phrase: str) -> tuple[list[str], set[int]]:
        """The words, and the indexes of words that start a new Thai clause.

        Thai writes no spaces between words but one between clauses: in
        "ไม่ต้องมีประสบการณ์ ขับรถยกได้" the negation ends at the space. A space
        before a one-letter run ("ใบขับขี่ ท.2", "ม.6") is an abbreviation's, not a clause's.
        """
        from pythainlp.tokenize import word_tokenize

        tokens: list[str] = []
        clause_starts: set[int] = set()
        previous_end, previous_thai = -1, False
        for match in _RUN.finditer(phrase):
            run = match.group()
            thai = bool(_THAI.match(run))
            if (thai and previous_thai and match.start() > previous_end and len(run) >= 2
                    and phrase[previous_end:match.start()].isspace()):
                clause_starts.add(len(tokens))
            if thai:
                tokens += [t for t in word_tokenize(run, custom_dict=self._trie, engine="newmm",
                                                    keep_whitespace=False) if t.strip()]
            else:
                tokens.append(run)
            previous_end, previous_thai = match.end(), thai
        return tokens, clause_starts

    def analyse(self, phrase: str) -> PhraseAnalysis:
        exact_skill = self.skill_keys.get(compact(phrase))
        exact_occupation = self.occupation_keys.get(compact(phrase))
        if exact_skill or exact_occupation:
            skills = (exact_skill,) if exact_skill else ()
            occupations = (exact_occupation,) if exact_occupation else ()
            return PhraseAnalysis(skills, occupations, self._required_of(occupations), ())

        tokens, clause_starts = self._tokenize(phrase)
        skill_mentions = self._mentions(tokens, self.skill_keys, self._fuzzy_skills)
        occupation_mentions = self._mentions(tokens, self.occupation_keys, self._fuzzy_occupations)
        covered = {i for m in skill_mentions + occupation_mentions for i in range(m.start, m.end)}
        skill_mentions = self._vehicle_licences(skill_mentions)
        denied = _negated(tokens, clause_starts, skill_mentions + occupation_mentions, covered)
        skills = _owners(m for m in skill_mentions if m not in denied)
        occupations = _owners(m for m in occupation_mentions if m not in denied)
        free = tuple(dict.fromkeys(
            t for i, t in enumerate(tokens)
            if i not in covered and len(t) > 1 and not t.isdigit() and t not in self.stop_words
        ))
        return PhraseAnalysis(skills, occupations, self._required_of(occupations), free)

    def _vehicle_licences(self, mentions: list[_Mention]) -> list[_Mention]:
        """Drop a bare "ใบขับขี่"/"driving licence" written right next to a vehicle:
        "มีใบขับขี่รถยก", "motorcycle driving licence", "ใบขับขี่ ท.2" name that licence."""
        kept = []
        for i, mention in enumerate(mentions):
            if mention.key in self._generic_licence_keys:
                neighbours = [m for m in mentions[max(0, i - 1): i + 2] if m is not mention]
                if any(m.owner in _VEHICLE_SKILLS and (m.start == mention.end or m.end == mention.start)
                       for m in neighbours):
                    continue
            kept.append(mention)
        return kept

    def _required_of(self, occupations: Iterable[str]) -> tuple[str, ...]:
        result: list[str] = []
        for occupation in occupations:
            result += self.vocabulary.occupations[occupation].skills_required
        return tuple(dict.fromkeys(result))

    def _mentions(self, tokens: list[str], keys: dict[str, str],
                  fuzzy: dict[str, set[str]]) -> list[_Mention]:
        """Aliases at token boundaries, the longest first wherever they are (so
        "ใบขับขี่ ท.2" beats the "มีใบขับขี่" that overlaps it), then one-typo words;
        returned in order of appearance."""
        n = len(tokens)
        candidates: list[tuple[int, int, int, str, str]] = []
        for i in range(n):
            for j in range(i + 1, min(n, i + self.max_window) + 1):
                key = compact("".join(tokens[i:j]))
                owner = keys.get(key)
                if owner is not None:
                    candidates.append((-(j - i), -len(key), i, owner, key))
        chosen: list[_Mention] = []
        covered: set[int] = set()
        for minus_length, _chars, i, owner, key in sorted(candidates):
            j = i - minus_length
            if covered.isdisjoint(range(i, j)):
                chosen.append(_Mention(i, j, owner, key))
                covered.update(range(i, j))
        for i, token in enumerate(tokens):
            if i in covered:
                continue
            key = compact(token)
            owner = _fuzzy_lookup(key, keys, fuzzy)
            if owner is not None:
                chosen.append(_Mention(i, i + 1, owner, key))
                covered.add(i)
        return sorted(chosen, key=lambda m: m.start)


def _owners(mentions: Iterable[_Mention]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m.owner for m in mentions))


def _is_negation(token: str) -> bool:
    if token.startswith(_THAI_NOT):
        return token not in _NOT_NEGATING
    return token in _ENGLISH_NEGATION


def _negates_before(tokens: list[str], i: int, clause_starts: set[int]) -> bool:
    """Whether the negation at `i` denies what precedes it ("Excel ไม่เป็น",
    "ประสบการณ์ไม่จำเป็น", "forklift not required")."""
    token = tokens[i]
    after = tokens[i + 1] if i + 1 < len(tokens) else ""
    word = token + after if token == _THAI_NOT else token  # newmm may cut "ไม่|เป็น"
    rest = i + (2 if token == _THAI_NOT else 1)
    at_clause_end = rest >= len(tokens) or rest in clause_starts
    if word in _THAI_CANNOT:
        return True
    if word in _THAI_NOT_NEEDED:
        return at_clause_end  # "Excel ไม่จำเป็น", but not "Excel ไม่จำเป็นต้องมีประสบการณ์"
    return token == "not" and after in _ENGLISH_AFTER_NEGATION


def _negated(tokens: list[str], clause_starts: set[int], mentions: list[_Mention],
             covered: set[int]) -> set[_Mention]:
    """The mentions a negation denies, within its clause.

    Before: "ไม่จำเป็นต้องใช้คอมพิวเตอร์", "no forklift or truck licence required":
    the first thing named after the negation (past words such as ต้อง/มี/
    need/any) and what is joined to it by หรือ/และ/or/and. After: "Excel
    ไม่เป็น", "ขับรถยกไม่ได้", "forklift not required". A negation inside an
    alias ("ไม่เคยมีอุบัติเหตุ") is part of what it names, not a negation.
    """
    starts: dict[int, list[_Mention]] = {}
    for mention in mentions:
        starts.setdefault(mention.start, []).append(mention)
    ordered = sorted({m.start for m in mentions})
    denied: set[_Mention] = set()

    def same_clause(a: int, b: int) -> bool:
        return not any(a < k <= b for k in clause_starts)

    def chain(first: int, step: int) -> None:
        """Deny the mentions at `first` and those joined to them, walking by `step`."""
        position = first
        while True:
            group = starts.get(position, [])
            if not group:
                return
            denied.update(group)
            end = max(m.end for m in group) if step > 0 else position
            if step > 0:
                nxt = end + 1 if end < len(tokens) and tokens[end] in _CONJUNCTIONS else end
                if nxt not in starts or not same_clause(position, nxt):
                    return
                position = nxt
            else:
                before = [s for s in ordered if s < position]
                if not before:
                    return
                previous = before[-1]
                previous_end = max(m.end for m in starts[previous])
                gap = tokens[previous_end:position]
                if not (gap == [] or (len(gap) == 1 and gap[0] in _CONJUNCTIONS)):
                    return
                if not same_clause(previous, position):
                    return
                position = previous

    for i, token in enumerate(tokens):
        if i in covered or not _is_negation(token):
            continue
        # Denied: the next thing named in this clause, past words that name nothing.
        k = i + 1
        if token == "not" and k < len(tokens) and tokens[k] in ("only", "just"):
            continue  # "not only Excel but also Word"
        while k < len(tokens) and k not in starts and tokens[k] in _NEGATION_SKIPPABLE:
            k += 1
        if k in starts and same_clause(i, k):
            chain(k, +1)
        # Or what comes right before, for a negation that follows: "Excel ไม่เป็น".
        if _negates_before(tokens, i, clause_starts):
            before = [m for m in mentions if m.end == i or (m.end == i - 1 and tokens[i - 1] in ("is", "are", "ก็"))]
            for mention in before:
                if same_clause(mention.start, i):
                    chain(mention.start, -1)
    return denied


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _deletion_index(keys: dict[str, str]) -> dict[str, set[str]]:
    """One-deletion variants of long single-word keys (symmetric delete search)."""
    index: dict[str, set[str]] = {}
    for key in keys:
        if len(key) >= _FUZZY_MIN_LENGTH:
            for variant in _deletions(key) | {key}:
                index.setdefault(variant, set()).add(key)
    return index


def _within_one_edit(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1 or (
            sum(x != y for x, y in zip(a, b)) == 2
            and any(a[i] == b[i + 1] and a[i + 1] == b[i] for i in range(len(a) - 1)))
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _fuzzy_lookup(token: str, keys: dict[str, str], fuzzy: dict[str, set[str]]) -> str | None:
    """A vocabulary key one typo away, or the English singular; None when unsure."""
    if len(token) < _FUZZY_MIN_LENGTH:
        return None
    for singular in (token[:-1] if token.endswith("s") else None,
                     token[:-2] if token.endswith("es") else None):
        if singular and singular in keys:
            return keys[singular]
    candidates: set[str] = set()
    for variant in _deletions(token) | {token}:
        candidates |= fuzzy.get(variant, set())
    owners = {keys[c] for c in candidates if _within_one_edit(token, c)}
    # Two different ids one typo away: the word is ambiguous, say nothing.
    return owners.pop() if len(owners) == 1 else None


_matcher: _Matcher | None = None
_matcher_lock = threading.Lock()


def matcher() -> _Matcher:
    """The process-wide matcher, built on first use (thread-safe)."""
    global _matcher
    if _matcher is None:
        with _matcher_lock:
            if _matcher is None:
                _matcher = _Matcher(load_vocabulary())
    return _matcher


@lru_cache(maxsize=65536)
def analyse_phrase(phrase: str) -> PhraseAnalysis:
    """Cached analysis of one normalised phrase (phrases repeat a lot at a fair)."""
    return matcher().analyse(phrase)


def analyse(text: str | Iterable[str] | None) -> list[PhraseAnalysis]:
    return [analyse_phrase(phrase) for phrase in split_phrases(text)]


# --- public API ----------------------------------------------------------------

def extract_skills(text_or_list: str | Iterable[str] | None, *, via_occupations: bool = True) -> set[str]:
    """Skill ids mentioned in free text or a list of phrases.

    With ``via_occupations`` (the default) a phrase that names an occupation
    and no skill ("ช่างไฟ", "รปภ.") counts as that occupation's required
    skills: people list their trade where a form asks for skills.
    """
    result: set[str] = set()
    for analysis in analyse(text_or_list):
        result.update(analysis.skills)
        if via_occupations and not analysis.skills:
            result.update(analysis.occupation_skills)
    return result


def extract_occupations(text: str | Iterable[str] | None) -> list[str]:
    """Occupation ids named in the text, in order of appearance, without repeats."""
    result: list[str] = []
    for analysis in analyse(text):
        result += [o for o in analysis.occupations if o not in result]
    return result


def tokens(text: str | Iterable[str] | None) -> set[str]:
    """Meaningful words of the text that the vocabulary does not already cover."""
    result: set[str] = set()
    for analysis in analyse(text):
        result.update(analysis.free_tokens)
    return result


def content_tokens(text: str | Iterable[str] | None) -> set[str]:
    """Every meaningful word of the text, vocabulary or not (titles, positions)."""
    return {t for phrase in split_phrases(text) for t in _content_words(phrase)}


@lru_cache(maxsize=65536)
def _content_words(phrase: str) -> tuple[str, ...]:
    from pythainlp.tokenize import word_tokenize

    m = matcher()
    words = m.tokenize(phrase)
    # The vocabulary dictionary keeps "พนักงานขับรถโฟล์คลิฟท์" whole; its plain
    # words ("ขับรถ", "โฟล์คลิฟท์") are what a desired position shares with it.
    for word in list(words):
        if _THAI.match(word) and len(word) > 4:
            words += word_tokenize(word, engine="newmm", keep_whitespace=False)
    return tuple(dict.fromkeys(t for t in words
                               if len(t) > 1 and not t.isdigit() and t not in m.stop_words))


def word_tokens(text: str | Iterable[str] | None) -> list[str]:
    """All words of the text after normalisation (for baselines and debugging)."""
    m = matcher()
    return [t for phrase in split_phrases(text) for t in m.tokenize(phrase)]
