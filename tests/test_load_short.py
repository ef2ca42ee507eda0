"""Short forms of the load and crash runs for CI: real `fair serve`, real websockets, real SIGKILL."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
pytestmark = pytest.mark.slow


def _script(name: str):
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))  # crash_test imports bench_realtime by name
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    bench = _script("bench_realtime")
    folder = tmp_path_factory.mktemp("load")
    bench.prepare(folder, attendees=300, booths=10, gates=2, quiet=True)
    return folder


def test_short_realtime_run_loses_and_duplicates_nothing(workdir):
    bench = _script("bench_realtime")
    [result] = bench.main(["--workdir", str(workdir), "--targets", "ours", "--clients", "100",
                           "--rate", "100", "--duration", "8", "--warmup", "1"])
    assert result["acked_scans_lost"] == 0 and result["duplicated_rows"] == 0
    assert result["unacked"] == 0
    assert result["steady_acked"] >= 0.95 * result["steady_sent"] > 0
    assert result["dashboard_missing"] == 0 and result["dashboard_duplicated"] == 0
    assert result["statuses"].get("forbidden", 0) == 0 and result["statuses"].get("invalid_input", 0) == 0


def test_three_kills_under_load_lose_no_acknowledged_scan(workdir):
    crash = _script("crash_test")
    report = crash.run(iterations=3, rate=100, clients=30, workdir=workdir, attendees=300, booths=10,
                       log=lambda _line: None)
    assert report["acked"] > 0
    assert report["acked_lost"] == 0 and report["acked_with_other_row"] == 0
    assert report["duplicated"] == 0 and report["phantom_rows"] == 0
    assert report["leads_twice_for_one_person"] == 0
    assert report["unacked_at_end"] == 0
