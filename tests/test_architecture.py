"""The dependency rule of docs/architecture.md: import-linter's contracts (.importlinter), no
import circle among fair's modules, and pure modules that load neither Flask nor the database."""
from __future__ import annotations

import ast
import configparser
import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from importlinter.application.use_cases import lint_imports
from importlinter.configuration import configure

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ROOT / ".importlinter"


def _graph() -> grimp.ImportGraph:
    # Every `import` statement counts, function-local ones too.
    return grimp.build_graph("fair", cache_dir=None)


def _circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of two or more modules (Tarjan, iterative)."""
    modules = sorted(m for m in graph.modules if m.startswith("fair"))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in modules:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next((c for c in children if c.startswith("fair")), None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_contracts_are_kept(capsys):
    configure()  # what the lint-imports command does first
    kept = lint_imports(config_filename=str(CONTRACTS), cache_dir=None, no_logo=True)
    assert kept, capsys.readouterr().out


def test_no_import_circle_among_fair_modules():
    assert _circles(_graph()) == []


def test_the_circle_finder_sees_a_circle():
    graph = _graph()
    graph.add_import(importer="fair.core.models", imported="fair.matching.services")
    assert any({"fair.core.models", "fair.matching.services"} <= set(group) for group in _circles(graph))


def _layered_modules() -> set[str]:
    config = configparser.ConfigParser()
    config.read(CONTRACTS)
    named: set[str] = set()
    for line in config["importlinter:contract:layers"]["layers"].split("\n"):
        named |= {part.strip() for part in line.replace("|", ":").split(":") if part.strip()}
    return named


def test_every_module_has_a_layer():
    """A new module must be placed in .importlinter's layers, or the rule says nothing of it."""
    layered = _layered_modules()
    modules = set()
    for path in (ROOT / "fair").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "migrations" in parts or parts[-1] == "__init__":
            continue  # packages' __init__ hold a docstring only (test below); migrations run alone
        modules.add(".".join(parts))
    unplaced = [m for m in modules if not any(m == name or m.startswith(name + ".") for name in layered)]
    assert sorted(unplaced) == []


def test_package_inits_import_nothing():
    """Importing fair.matching.scoring runs fair/__init__ and fair/matching/__init__ first:
    they must not pull in Flask (blueprints live in each area's routes.py)."""
    for path in (ROOT / "fair").rglob("__init__.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        imports = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
        assert imports == [], path


PURE_MODULES = ["fair.core.disclosure", "fair.core.timeutil", "fair.core.reference", "fair.checkin.cards",
                "fair.checkin.decode", "fair.checkin.natid", "fair.checkin.search", "fair.checkin.wallet",
                "fair.booths.receipts", "fair.matching.scoring",
                "fair.matching.ranking", "fair.matching.text", "fair.matching.vocabulary",
                "fair.matching.occupations", "fair.loading.importing", "fair.loading.demo", "fair.web.ratelimit",
                "fair.web.lan", "fair.web.blocking", "fair.config"]


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module_loads_neither_flask_nor_the_database(module):
    check = (f"import sys, {module}; "
             "loaded = sorted(m for m in ('flask', 'sqlalchemy', 'flask_sqlalchemy', 'fair.extensions') "
             "if m in sys.modules); print(loaded); sys.exit(1 if loaded else 0)")
    done = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stdout + done.stderr
