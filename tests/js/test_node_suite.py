"""The unit tests of the browser code (tests/js/*.test.mjs) run under node's own test runner.

No npm, no packages: the modules under fair/static/js are plain ES modules the browser loads
as they are, and node imports them the same way (fair/static/js/package.json says "module").
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def test_the_browser_code_unit_tests_pass():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed for the browser-code tests: run scripts/install-system-deps")
    files = sorted(str(p) for p in HERE.glob("*.test.mjs"))
    assert len(files) >= 5, files
    done = subprocess.run([node, "--test", "--test-reporter=tap", *files], capture_output=True, text=True, timeout=300, check=False)
    summary = [line for line in done.stdout.splitlines() if line.startswith(("# pass", "# fail", "not ok"))]
    assert done.returncode == 0, "\n".join(summary) + "\n" + done.stdout[-6000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout and "# pass 0" not in done.stdout, summary
