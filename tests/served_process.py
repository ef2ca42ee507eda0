"""A real `fair serve` subprocess on 127.0.0.1 with a small demo fair, for tests that need one."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests

FAIR = str(Path(sys.executable).parent / "fair")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served_demo(folder: Path, booths: int = 3, **settings: str) -> Iterator[tuple[str, dict, int]]:
    """Init, a 20-person demo and `fair serve` in `folder`; yields (base URL, env, port).
    `settings` become FAIR_<NAME> variables of every command."""
    env = {name: value for name, value in os.environ.items() if name != "FAIR_ASYNC_MODE"}  # eventlet unless given
    env.update({"FAIR_INSTANCE": str(folder / "instance"), "FAIR_LIVE_BATCH_INTERVAL": "0.25",
                **{f"FAIR_{name}": value for name, value in settings.items()}})
    subprocess.run([FAIR, "init"], env=env, check=True, capture_output=True)
    subprocess.run([FAIR, "demo", "--attendees", "20", "--booths", str(booths)], env=env, check=True,
                   capture_output=True)
    port = free_port()
    server = subprocess.Popen([FAIR, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            requests.get(base + "/", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("fair serve did not start: " + server.communicate()[0])
    try:
        yield base, env, port
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
