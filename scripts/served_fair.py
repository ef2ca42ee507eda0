"""A real `fair serve` on 127.0.0.1 for the limit benchmarks (bench_flood.py, bench_decode_bomb.py).

`--tree DIR` runs another checkout of the code (e.g. `git archive <commit>`
unpacked in /tmp) with the same venv, for before/after figures in one session.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

FAIR = str(Path(sys.executable).parent / "fair")
HOST = "127.0.0.1"   # the only address these benchmarks ever load


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Served:
    def __init__(self, workdir: Path, tree: Path, attendees: int = 200, extra_env: dict | None = None):
        self.workdir, self.tree = workdir, tree.resolve()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("FAIR_")}
        self.env.update({"FAIR_INSTANCE": str(workdir / "instance"), "PYTHONPATH": str(self.tree),
                         "FAIR_BASE_URL": f"http://{HOST}:5000", **(extra_env or {})})
        self.attendees = attendees
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.proc: subprocess.Popen | None = None

    def fair(self, *args: str) -> str:
        env = {**self.env, "FAIR_ASYNC_MODE": "threading"}
        return subprocess.run([FAIR, *args], env=env, check=True, capture_output=True, text=True,
                              timeout=300).stdout

    def prepare(self) -> None:
        if not (self.workdir / "instance" / "fair.db").exists():
            self.fair("init")
            self.fair("demo", "--attendees", str(self.attendees), "--booths", "3")

    def gate_token(self, name: str) -> str:
        return json.loads(self.fair("device", "pair", "--gate", name, "--json"))["token"]

    def card_tokens(self) -> list[str]:
        return [line.split(",")[-1] for line in self.fair("cards", "list", "--csv").splitlines()[1:]]

    def start(self, timeout: float = 60) -> None:
        log = open(self.workdir / "server.log", "a")
        self.proc = subprocess.Popen([FAIR, "serve", "--host", HOST, "--port", str(self.port)], env=self.env,
                                     stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("fair serve exited: " + (self.workdir / "server.log").read_text()[-2000:])
            try:
                with urllib.request.urlopen(self.url + "/", timeout=1):
                    time.sleep(1.5)   # let the warm-up (matcher, gc.freeze) finish first
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("fair serve did not start")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def status(self, field: str) -> float:
        """A /proc/<pid>/status memory field (VmRSS, VmHWM) in MB."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
        return 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]
