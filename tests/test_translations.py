"""The Thai catalog: complete, current with the source, compiled, placeholders intact; pages switch language.

Job seekers read Thai first, so a string added in English without a Thai translation is a bug.
When a test here fails after you changed a user-visible string, run `make translations`, translate
the new entries in fair/translations/th/LC_MESSAGES/messages.po (no fuzzy, no empty msgstr),
then run `make translations` again to compile the .mo (the package has no build step: commit both).
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "fair" / "translations"
PO = TRANSLATIONS / "th" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "th" / "LC_MESSAGES" / "messages.mo"
HINT = "run `make translations`, translate the new entries in the Thai .po, then `make translations` again"

# %(name)s-style placeholders (Python, Jinja) and {name} placeholders (str.format, i18n.js).
PERCENT_NAMED = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
BRACE = re.compile(r"\{(\w+)\}")
THAI = re.compile(r"[\u0E00-\u0E7F]")
# Translations that are rightly not Thai at all (brand names, file formats...). Keep it short.
NOT_THAI_ON_PURPOSE: set[str] = set()


def _po():
    with PO.open("rb") as f:
        return read_po(f, locale="th")


def _entries(catalog):
    return [m for m in catalog if m.id]


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (tuple, list)) else [message.string]


def _label(message) -> str:
    return repr(message.id[0] if isinstance(message.id, (tuple, list)) else message.id)


# --- (a) complete -------------------------------------------------------------------------

def test_every_entry_is_translated_and_none_is_fuzzy():
    catalog = _po()
    assert not catalog.fuzzy, "the catalog header is marked fuzzy: pybabel compile would skip it"
    untranslated = [_label(m) for m in _entries(catalog) if not all(s.strip() for s in _strings(m))]
    fuzzy = [_label(m) for m in _entries(catalog) if m.fuzzy]
    assert not untranslated, f"untranslated ({HINT}): {untranslated}"
    assert not fuzzy, f"fuzzy entries (check the translation, then drop the fuzzy flag): {fuzzy}"


def test_translations_are_in_thai():
    english = [_label(m) for m in _entries(_po())
               if m.id not in NOT_THAI_ON_PURPOSE and not all(THAI.search(s) for s in _strings(m))]
    assert not english, f"translations with no Thai in them: {english}"


# --- (b) current with the source ----------------------------------------------------------

def test_every_string_in_the_source_is_in_the_catalog(tmp_path):
    """Re-extract exactly as `make translations` does and compare the message ids."""
    pot = tmp_path / "messages.pot"
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg", "-k", "_l",
         "-o", str(pot), "--no-location", "--sort-output", "."],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    with pot.open("rb") as f:
        source = {(m.id, m.context) for m in read_po(f) if m.id}
    assert len(source) > 100, "extraction found almost nothing: is babel.cfg still right?"
    in_catalog = {(m.id, m.context) for m in _entries(_po())}
    missing = sorted(repr(msgid) for msgid, _context in source - in_catalog)
    assert not missing, f"strings in the source but not in the Thai catalog ({HINT}): {missing}"


# --- (c) compiled -------------------------------------------------------------------------

def _mo_messages(path: Path) -> dict:
    def frozen(value):
        return tuple(value) if isinstance(value, (tuple, list)) else value

    with path.open("rb") as f:
        return {(frozen(m.id), m.context): frozen(m.string) for m in read_mo(f)}


def test_the_compiled_catalog_is_up_to_date(tmp_path):
    assert MO.exists(), f"{MO} is missing: run `make translations`"
    fresh = tmp_path / "messages.mo"
    with fresh.open("wb") as f:
        write_mo(f, _po())
    committed, expected = _mo_messages(MO), _mo_messages(fresh)
    stale = sorted(repr(key[0]) for key in expected.keys() | committed.keys()
                   if expected.get(key) != committed.get(key))
    assert not stale, f"messages.mo differs from messages.po (run `make translations`): {stale}"


# --- (d) placeholders ---------------------------------------------------------------------

def _shape(text: str) -> tuple:
    """What a translation must keep: named %-placeholders, {name} placeholders, and the number of %."""
    return sorted(PERCENT_NAMED.findall(text)), sorted(set(BRACE.findall(text))), text.count("%")


@pytest.mark.parametrize("message", _entries(_po()), ids=_label)
def test_placeholders_are_kept(message):
    originals = list(message.id) if isinstance(message.id, (tuple, list)) else [message.id]
    for translation in _strings(message):
        # Thai has one plural form: it stands for the singular and the plural, which share placeholders.
        assert any(_shape(translation) == _shape(original) for original in originals), (
            f"placeholders differ: {message.id!r} -> {translation!r}")
        if PERCENT_NAMED.search(originals[0]) or "python-format" in message.flags:
            names = dict.fromkeys(PERCENT_NAMED.findall(originals[-1]), 1)
            translation % names  # raises on a broken placeholder


# --- (e) pages ----------------------------------------------------------------------------

def test_home_page_is_in_thai_for_thai_readers(client, fair):
    page = client.get("/", headers={"Accept-Language": "th"}).get_data(as_text=True)
    assert '<html lang="th">' in page
    assert "ผู้หางาน" in page  # "Job seekers"
    assert "ลงทะเบียนและรับบัตร Smart Job Wallet" in page
    assert "Job seekers" not in page


def test_thai_is_the_default_and_the_switch_gives_english(client, fair):
    assert "ผู้หางาน" in client.get("/").get_data(as_text=True)
    client.get("/lang/en")
    page = client.get("/", headers={"Accept-Language": "th"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Job seekers" in page and "ผู้หางาน" not in page
    client.get("/lang/th")
    assert "ผู้หางาน" in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_python_strings_with_variables_and_plurals_in_thai(app):
    from flask_babel import gettext, ngettext, refresh
    with app.test_request_context("/", headers={"Accept-Language": "th"}):
        refresh()  # the fixture's app context outlives each request context
        assert gettext("Welcome, %(name)s!", name="สมชาย") == "ยินดีต้อนรับ คุณสมชาย!"
        assert ngettext("%(num)d candidate", "%(num)d candidates", 3) == "ผู้สมัคร 3 คน"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        refresh()
        assert gettext("Welcome, %(name)s!", name="Somchai") == "Welcome, Somchai!"
