"""The wheel carries every folder of the package, and setuptools finds each one itself.

With a plain `find:` search, folders without an __init__.py (templates, static, translations,
migrations, data) were shipped as package data but setuptools printed a screen of "Package
would be ignored" warnings per folder at every install.
"""
from __future__ import annotations

import configparser
from pathlib import Path

from setuptools import find_namespace_packages

ROOT = Path(__file__).resolve().parent.parent


def _folders_with_files() -> set[str]:
    found = set()
    for path in (ROOT / "fair").rglob("*"):
        parts = path.parent.relative_to(ROOT).parts
        # A folder whose name is no identifier (vendor/socket.io) is not importable, so
        # setuptools neither finds nor warns about it; package_data ships it.
        if path.is_file() and "__pycache__" not in parts and all(p.isidentifier() for p in parts):
            found.add(".".join(parts))
    return found


def test_every_folder_of_the_package_is_a_discovered_package():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    include = config["options.packages.find"]["include"].split()
    discovered = set(find_namespace_packages(where=str(ROOT), include=include))
    missing = sorted(_folders_with_files() - discovered)
    assert missing == [], f"folders setuptools would warn about: {missing}"
    assert not any(name.startswith("tests") for name in discovered)


def test_building_the_package_prints_no_setuptools_warnings_and_ships_the_data(tmp_path):
    """What `pip install .` runs (setuptools' build_py), on a copy of the tree: no "Package would be
    ignored" screens (issue 15 counted ~500 lines of them), and the data folders in the build."""
    import shutil
    import subprocess
    import sys
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "fair", tmp_path / "fair", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "built"
    done = subprocess.run([sys.executable, "-W", "always", "-c", "from setuptools import setup; setup()",
                           "-q", "build_py", "-d", str(out)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    said = [line for line in (done.stdout + done.stderr).splitlines()
            if line.strip() and "byte-compiling is disabled" not in line]
    assert said == [], "setuptools warned:\n" + "\n".join(said[:40])
    for shipped in ("fair/templates/base.html", "fair/translations/th/LC_MESSAGES/messages.mo",
                    "fair/migrations/env.py", "fair/matching/data/isco08.tsv", "fair/static/js/pages/booth.js",
                    "fair/static/vendor/MANIFEST.json"):
        assert (out / shipped).is_file(), f"{shipped} is not in the build"
