#!/usr/bin/env python
"""One anonymous socket floods /live with `scan` frames: what it costs a gate's check-ins.

Starts a real `fair serve` (eventlet) on 127.0.0.1, pairs a gate and connects
it over a real websocket (python-socketio), and has it check in one card every
--interval seconds. Rounds alternate: quiet (the gate alone) and flood (another
process also opens an anonymous Engine.IO websocket, joins /live and sends
`scan` frames as fast as it can, reconnecting whenever it is cut off). Prints
the gate's ack latency p50/p99 per round and the medians over rounds, in the
same run; bounded by --rounds × --seconds.

    .venv/bin/python scripts/bench_flood.py --rounds 3 --seconds 6
    .venv/bin/python scripts/bench_flood.py --tree /tmp/old-checkout   # the code before the fix
"""
from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from served_fair import HOST, Served, percentile  # noqa: E402

FRAME = '42/live,["scan",{"code":"SJW1.x","nonce":"flood","type":"entry"}]'


def flood(port: int, seconds: float, counts) -> None:
    """In its own process: anonymous websockets sending frames until `seconds` are up."""
    import websocket
    deadline = time.monotonic() + seconds
    sent = connections = 0
    while time.monotonic() < deadline:
        try:
            ws = websocket.create_connection(f"ws://{HOST}:{port}/socket.io/?EIO=4&transport=websocket", timeout=5)
            connections += 1
            ws.recv()
            ws.send("40/live,")
            ws.recv()
            while time.monotonic() < deadline:
                for _ in range(100):
                    ws.send(FRAME)
                sent += 100
        except Exception:   # cut off (or refused): connect again, as an attacker would
            time.sleep(0.01)
        finally:
            try:
                ws.close()
            except Exception:
                pass
    counts[0], counts[1] = sent, connections


def gate_round(url: str, token: str, cards: list[str], seconds: float, interval: float, start: int) -> list[float]:
    import socketio
    phone = socketio.Client(reconnection=False)
    phone.connect(url, namespaces=["/live"], transports=["websocket"], auth={"token": token}, wait_timeout=30)
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    i = start
    try:
        while time.monotonic() < deadline:
            card = cards[i % len(cards)]
            kind = "entry" if (i // len(cards)) % 2 == 0 else "exit"
            began = time.perf_counter()
            ack = phone.call("scan", {"code": card, "nonce": f"bench-{start}-{i}", "type": kind},
                             namespace="/live", timeout=60)
            latencies.append((time.perf_counter() - began) * 1000)
            if "status" not in ack:
                raise RuntimeError(f"gate refused: {ack}")
            i += 1
            time.sleep(max(0.0, interval - (time.perf_counter() - began)))
    finally:
        phone.disconnect()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", type=Path, default=HERE.parent, help="checkout whose fair/ to serve")
    parser.add_argument("--rounds", type=int, default=3, help="quiet+flood pairs (max 10)")
    parser.add_argument("--seconds", type=float, default=6.0, help="length of one round (max 20)")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between the gate's scans")
    args = parser.parse_args()
    rounds, seconds = min(args.rounds, 10), min(args.seconds, 20.0)
    with tempfile.TemporaryDirectory(prefix="bench-flood-") as tmp:
        served = Served(Path(tmp), args.tree)
        served.prepare()
        token, cards = served.gate_token("Bench gate"), served.card_tokens()
        served.start()
        results: dict[str, list[tuple[float, float, int]]] = {"quiet": [], "flood": []}
        try:
            scans = 0
            for r in range(rounds):
                for phase in ("quiet", "flood"):
                    counts = multiprocessing.Array("q", 2)
                    flooder = None
                    if phase == "flood":
                        flooder = multiprocessing.Process(target=flood, args=(served.port, seconds + 1, counts))
                        flooder.start()
                        time.sleep(0.5)
                    lat = gate_round(served.url, token, cards, seconds, args.interval, scans)
                    scans += len(lat)
                    extra = ""
                    if flooder is not None:
                        flooder.join(timeout=seconds + 30)
                        if flooder.is_alive():
                            flooder.kill()
                        extra = f"  flood: {counts[0]:,} frames sent on {counts[1]} connections"
                    p50, p99 = percentile(lat, 50), percentile(lat, 99)
                    results[phase].append((p50, p99, len(lat)))
                    print(f"round {r + 1} {phase:<5}  gate scans {len(lat):>4}  p50 {p50:8.1f} ms  "
                          f"p99 {p99:8.1f} ms  max {max(lat):8.1f} ms{extra}", flush=True)
        finally:
            served.stop()
    print(f"\ntree {args.tree}: medians over {rounds} rounds of {seconds:.0f} s")
    for phase, rows in results.items():
        print(f"  {phase:<5}  gate p50 {statistics.median(r[0] for r in rows):8.1f} ms   "
              f"p99 {statistics.median(r[1] for r in rows):8.1f} ms   scans/round {statistics.median(r[2] for r in rows):.0f}")


if __name__ == "__main__":
    main()
