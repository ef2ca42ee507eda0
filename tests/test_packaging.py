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
