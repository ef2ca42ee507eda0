"""A restarted worker: how soon it accepts a websocket, and how long its hub stalls meanwhile.

Two ways of warming the matcher and the title classifier in one run, on one demo fair (SQLite):
"warm, then listen" (this tree's `fair serve`) against "listen, then warm in a green thread"
(the code before, taken with `git archive` from --old, default the commit before the change).
For each, --runs times: `fair serve` is started, and from the moment its port opens a probe
opens a websocket (the time from the process's start to that accept is the first figure) and,
beside it, sends GET / every 20 ms for --probe seconds; the slowest answer is the hub's longest
stall a phone (or a proxy's health check) would see once the port is open.

    PYTHONPATH=$PWD python scripts/bench_warm_start.py --runs 3
"""
from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.served_process import free_port  # noqa: E402
from tests.served_workers import fair, redis_server, stop  # noqa: E402


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def one_start(tree: Path, env: dict, probe_seconds: float) -> tuple[float, float, float]:
    """(seconds from start to the port open, to the first websocket accepted, longest GET / in ms)."""
    port = free_port()
    run_env = {**env, "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", "from fair.entry import main; main()", "serve",
                                "--host", "127.0.0.1", "--port", str(port)],
                               env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not port_open(port):
            if process.poll() is not None or time.perf_counter() - started > 180:
                raise RuntimeError("fair serve did not start")
            time.sleep(0.01)
        opened = time.perf_counter() - started
        base = f"http://127.0.0.1:{port}"
        accepted = [0.0]

        def first_websocket() -> None:
            client = socketio.Client(reconnection=False)
            while True:   # a connect that times out is tried again: the old code needed it
                try:
                    client.connect(base, namespaces=["/live"], transports=["websocket"], wait_timeout=60)
                    break
                except socketio.exceptions.ConnectionError:
                    if time.perf_counter() - started > 180:
                        raise
            accepted[0] = time.perf_counter() - started
            client.disconnect()
        connecting = threading.Thread(target=first_websocket)
        connecting.start()
        slowest = 0.0   # GET / from the moment the port opens: the hub's longest stall
        until = time.perf_counter() + probe_seconds
        session = requests.Session()
        while time.perf_counter() < until:
            sent = time.perf_counter()
            session.get(base + "/", timeout=60)
            slowest = max(slowest, time.perf_counter() - sent)
            time.sleep(0.02)
        connecting.join()
        accepted = accepted[0]
        return opened, accepted, slowest * 1000
    finally:
        stop([process])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--probe", type=float, default=8.0, help="seconds of GET / after the port opens")
    parser.add_argument("--old", default="HEAD~1", help="the commit with the warm-up in a green thread")
    parser.add_argument("--redis", action="store_true", help="the workers' set-up: a private Redis as message queue")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-warm-") as folder, contextlib.ExitStack() as stack:
        folder = Path(folder)
        old_tree = folder / "old"
        old_tree.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.old, "fair"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old_tree)], input=archive, check=True)
        env = {**os.environ, "FAIR_INSTANCE": str(folder / "instance")}
        env.pop("FAIR_MESSAGE_QUEUE", None)
        if args.redis:
            env["FAIR_MESSAGE_QUEUE"] = stack.enter_context(redis_server(folder / "redis"))
        fair(env, "init")
        fair(env, "demo", "--attendees", "200", "--booths", "10")
        variants = {"listen, then warm (green thread)": old_tree, "warm, then listen": ROOT}
        results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in variants}
        for _ in range(args.runs):   # interleaved: both see the same machine
            for name, tree in variants.items():
                results[name].append(one_start(tree, env, args.probe))
        for name, runs in results.items():
            opened, accepted, stall = zip(*runs)
            print(f"{name:<34} port open {statistics.median(opened):5.1f} s  first websocket accepted "
                  f"{statistics.median(accepted):5.1f} s after start  longest GET / after the port opened "
                  f"{statistics.median(stall):6.0f} ms (max {max(stall):.0f})  [median of {len(runs)}]")
    print(f"({'Redis message queue' if args.redis else 'one process, no Redis'}; load average "
          f"{os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
