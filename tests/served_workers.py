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

ROOT = Path(__file__).resolve().parents[1]


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
        stop([server])


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


def serve_worker(env: dict[str, str], port: int, log: Path | None = None) -> subprocess.Popen:
    """One `fair serve` on 127.0.0.1:port; its output goes to `log` (a file: a pipe nobody reads
    would block a worker that logs much, under load) or, without one, to a pipe."""
    output = open(log, "ab") if log is not None else subprocess.PIPE
    try:
        return subprocess.Popen([FAIR, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                                stdout=output, stderr=subprocess.STDOUT, text=log is None)
    finally:
        if log is not None:
            output.close()


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.contextmanager
def workers(env: dict[str, str], ports: list[int], pids: list[int] | None = None,
            logs: Path | None = None) -> Iterator[list[str]]:
    """`fair serve` once per port, all on env's instance folder and Redis; yields their base URLs
    (and fills `pids` with their process ids). With `logs`, worker N writes logs/worker-N.log."""
    processes: list[subprocess.Popen] = []
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    if logs is not None:
        logs.mkdir(parents=True, exist_ok=True)
    try:
        for number, port in enumerate(ports):
            processes.append(serve_worker(env, port, None if logs is None else logs / f"worker-{number}.log"))
        for base, process in zip(bases, processes):
            wait_until_up(base, process)
        for base, process in zip(bases, processes):
            first_websocket_at_once(base, process)
        if pids is not None:
            pids[:] = [process.pid for process in processes]
        yield bases
    finally:
        stop(processes)


def haproxy_available() -> bool:
    return shutil.which("haproxy") is not None


@contextlib.contextmanager
def proxy(folder: Path, front: int, ports: list[int]) -> Iterator[str]:
    """HAProxy with docs/haproxy.cfg itself, its ports replaced by `front` and the two workers';
    yields the front's base URL once both workers pass their health checks."""
    config = (ROOT / "docs" / "haproxy.cfg").read_text()
    config = (config.replace("127.0.0.1:8000", f"127.0.0.1:{front}")
              .replace("127.0.0.1:5001", f"127.0.0.1:{ports[0]}")
              .replace("127.0.0.1:5002", f"127.0.0.1:{ports[1]}"))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "haproxy.cfg").write_text(config)
    process = subprocess.Popen(["haproxy", "-db", "-f", str(folder / "haproxy.cfg")],
                               stdout=open(folder / "haproxy.log", "ab"), stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{front}"
        wait_until_up(base, process)
        time.sleep(2.5)   # both workers pass their health checks (rise 2, inter 1 s)
        yield base
    finally:
        stop([process])
