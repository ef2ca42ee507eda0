"""A private Redis and several real `fair serve` workers on one fair (one SQLite file, one
instance folder: the same secrets), for tests and scripts/bench_workers.py."""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Iterator

import requests

from tests.served_process import FAIR, free_port


def redis_available() -> bool:
    return shutil.which("redis-server") is not None


@contextlib.contextmanager
def redis_server(folder: Path, port: int | None = None) -> Iterator[str]:
    """redis-server on 127.0.0.1 (a free port unless given), nothing saved; yields its URL."""
    port = port or free_port()
    folder.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(folder)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        import redis
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.05)
        client.close()
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def fair_env(folder: Path, redis_url: str, **settings: str) -> dict[str, str]:
    env = {**os.environ, "FAIR_INSTANCE": str(folder / "instance"), "FAIR_LIVE_BATCH_INTERVAL": "0.25",
           "FAIR_MESSAGE_QUEUE": redis_url, **{f"FAIR_{k}": v for k, v in settings.items()}}
    env.pop("FAIR_ASYNC_MODE", None)
    return env


def fair(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([FAIR, *args], env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"fair {' '.join(args)} failed: {done.stdout}{done.stderr}")
    return done.stdout


def wait_until_up(base: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("fair serve exited: " + (process.communicate()[0] or ""))
        try:
            requests.get(base + "/", timeout=5)
            return
        except requests.RequestException:   # not listening yet, or busy starting (a loaded machine)
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("fair serve did not start: " + (process.communicate()[0] or ""))


def first_websocket_at_once(base: str, process: subprocess.Popen) -> None:
    """The first websocket connects at the first try: `fair serve` warms the matcher and the
    title classifier before it listens, so a worker that answers HTTP does not then hold its
    hub for seconds (it once did, and this helper had to retry for up to two minutes)."""
    import socketio
    client = socketio.Client(reconnection=False)
    try:
        client.connect(base, namespaces=["/live"], transports=["websocket"], wait_timeout=30)
    except socketio.exceptions.ConnectionError as exc:
        raise AssertionError(f"{base} answered HTTP but refused its first websocket: {exc}"
                             + ("" if process.poll() is None else " (fair serve exited)"))
    client.disconnect()


@contextlib.contextmanager
def workers(env: dict[str, str], ports: list[int], pids: list[int] | None = None) -> Iterator[list[str]]:
    """`fair serve` once per port, all on env's instance folder and Redis; yields their base URLs
    (and fills `pids` with their process ids)."""
    processes: list[subprocess.Popen] = []
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for port in ports:
            processes.append(subprocess.Popen([FAIR, "serve", "--host", "127.0.0.1", "--port", str(port)],
                                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                              text=True))
        for base, process in zip(bases, processes):
            wait_until_up(base, process)
        for base, process in zip(bases, processes):
            first_websocket_at_once(base, process)
        if pids is not None:
            pids[:] = [process.pid for process in processes]
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
