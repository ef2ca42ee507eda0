"""The venue has no internet: browser files are vendored, pinned and licensed.

Checks fair/static/vendor/MANIFEST.json (written by scripts/vendor-assets)
against the files on disk, and that no template, script or stylesheet of
ours loads anything from another host.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FAIR = ROOT / "fair"
VENDOR = FAIR / "static" / "vendor"
MANIFEST = VENDOR / "MANIFEST.json"

# Folders of our own front-end files; vendored code is checked by hash instead.
SCANNED = [FAIR / "templates", FAIR / "static" / "js", FAIR / "static" / "css"]
SCANNED_SUFFIXES = {".html", ".jinja", ".jinja2", ".j2", ".js", ".mjs", ".css", ".svg", ".json", ".txt"}
URL = re.compile(r"""(?:https?:)?//[^\s"'<>()`]+""", re.IGNORECASE)
# Addresses that load nothing: loopback, and XML namespace names (never fetched).
ALLOWED = re.compile(
    r"^https?://(localhost|127\.0\.0\.1|\[::1\])([:/]|$)|^http://www\.w3\.org/", re.IGNORECASE
)


def manifest_entries() -> list[dict]:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))["files"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_manifest_lists_the_pinned_browser_libraries():
    packages = {e["package"]: e["version"] for e in manifest_entries()}
    assert packages["socket.io-client"].startswith("4.8.")
    assert packages["jsqr"] == "1.4.0"
    for entry in manifest_entries():
        assert set(entry) >= {"package", "version", "file", "sha256", "license", "license_file"}


@pytest.mark.parametrize("entry", manifest_entries(), ids=lambda e: e["file"])
def test_vendored_file_matches_its_sha256(entry):
    path = VENDOR / entry["file"]
    assert path.is_file(), f"{entry['file']} is listed in MANIFEST.json but missing"
    assert sha256(path) == entry["sha256"], f"{entry['file']} differs from the pinned file"


@pytest.mark.parametrize("entry", manifest_entries(), ids=lambda e: e["file"])
def test_vendored_file_has_its_license_next_to_it(entry):
    license_path = VENDOR / entry["license_file"]
    assert license_path.is_file()
    assert license_path.parent == (VENDOR / entry["file"]).parent
    assert license_path.stat().st_size > 0
    if "license_sha256" in entry:
        assert sha256(license_path) == entry["license_sha256"]


def test_every_vendored_file_is_in_the_manifest():
    listed = {e["file"] for e in manifest_entries()} | {e["license_file"] for e in manifest_entries()}
    on_disk = {
        p.relative_to(VENDOR).as_posix()
        for p in VENDOR.rglob("*")
        if p.is_file() and p != MANIFEST
    }
    assert on_disk - listed == set(), "unlisted files in fair/static/vendor/"


def remote_urls(text: str) -> list[str]:
    return [u for u in URL.findall(text) if not ALLOWED.match(u) and not _is_comment_slashes(u)]


def _is_comment_slashes(found: str) -> bool:
    # "// a comment" in JS matches "//..." only when a host-like word follows;
    # a real protocol-relative URL has a dot in its host part.
    if "://" in found:
        return False
    host = found[2:].split("/", 1)[0]
    return "." not in host or host.startswith(".")


def test_url_scan_catches_cdn_links_and_spares_loopback():
    assert remote_urls('<script src="https://cdn.example.org/x.js"></script>')
    assert remote_urls("@import url(//fonts.example.com/css);")
    assert not remote_urls('<a href="http://localhost:5000/">x</a> http://127.0.0.1/')
    assert not remote_urls('createElementNS("http://www.w3.org/2000/svg", "svg") // just a comment.')


def our_front_end_files() -> list[Path]:
    return [
        p for folder in SCANNED if folder.is_dir()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix.lower() in SCANNED_SUFFIXES
    ]


def test_templates_and_static_files_load_nothing_from_other_hosts():
    offenders = {}
    for path in our_front_end_files():
        urls = remote_urls(path.read_text(encoding="utf-8", errors="replace"))
        if urls:
            offenders[path.relative_to(ROOT).as_posix()] = urls
    assert offenders == {}, "the venue has no internet; vendor these instead"
