"""The deployment files in docs/ are valid as their programs read them: the systemd unit of a
worker (systemd-analyze verify) and the HAProxy configuration (haproxy -c). Both are also run
for real: docs/haproxy.cfg by tests/test_workers_proxy.py and tests/test_failover.py."""
from __future__ import annotations

import getpass
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.served_process import FAIR

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_worker_unit_passes_systemd_analyze_verify(tmp_path):
    unit = (DOCS / "fair@.service").read_text()
    assert "ExecStart=/opt/fair/.venv/bin/fair serve --host 127.0.0.1 --port %i" in unit
    # This machine's fair and user in place of the deployment's, so only the unit itself is judged.
    (tmp_path / "fair@.service").write_text(unit.replace("/opt/fair/.venv/bin/fair", FAIR)
                                            .replace("User=fair", f"User={getpass.getuser()}"))
    done = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "fair@5001.service")],
                          capture_output=True, text=True, timeout=60,
                          env={"SYSTEMD_UNIT_PATH": f"{tmp_path}:", "PATH": "/usr/bin:/bin"})
    complaints = [line for line in (done.stdout + done.stderr).splitlines() if "fair@" in line]
    assert done.returncode == 0 and not complaints, done.stdout + done.stderr


def test_the_worker_units_command_line_is_one_fair_serve_accepts():
    done = subprocess.run([FAIR, "serve", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "--host" in done.stdout and "--port" in done.stdout


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy is not installed")
def test_the_haproxy_configuration_is_valid():
    done = subprocess.run(["haproxy", "-c", "-f", str(DOCS / "haproxy.cfg")], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
