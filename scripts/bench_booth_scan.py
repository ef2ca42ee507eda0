#!/usr/bin/env python
"""What one booth scan costs the server's CPU, by phase, in one process (no sockets).

Runs fair.booths.events.handle_scan (what the `scan` socket event calls) on a copy of
bench_realtime's booth-only fair: one phone per booth, random cards, every card seen
once before the clock starts (as the gate would have). CPU is thread time, so a busy
shared machine inflates it less than wall time; compare trees in the same invocation
and read the ratios. Also the Socket.IO encoding of each ack and of each room's batch
per 125 scans (one tick at 500/s).

    .venv/bin/python scripts/bench_booth_scan.py --workdir /tmp/bench/booth --scans 3000 \
        --trees /tmp/main-export,. --repeat 2

Each tree runs in its own subprocess with PYTHONPATH=tree (e.g. a `git archive` of main, then this one).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
PHASES = (("fair.checkin.services", "resolve_code", "card lookup (resolve_code)"),
          ("fair.booths.services", "_matches", "matches"),
          ("fair.booths.services", "_store_receipt", "receipt + commit"),
          ("fair.booths.services", "_publish_lead", "publish (views per audience)"),
          ("fair.booths.services", "candidate_view", "candidate view"),
          ("fair.booths.services", "_lead_view", "lead view"))


def measure(fixture_file: Path, scans: int, seed: int) -> dict:
    """In this process: the handler's CPU per scan and per phase (microseconds)."""
    import importlib
    fx = json.loads(fixture_file.read_text())
    work = Path(tempfile.mkdtemp(prefix="booth-scan-"))
    try:
        shutil.copytree(fx["template"], work / "instance")
        os.environ.update(FAIR_INSTANCE=str(work / "instance"), FAIR_ASYNC_MODE="threading")
        from socketio import packet
        try:
            from fair.web.packets import JsonFirstPacket as Packet
        except ImportError:  # a tree from before fair.web.packets
            Packet = packet.Packet
        from fair import create_app
        from fair.booths.events import handle_scan
        from fair.core import cached
        from fair.extensions import db
        from fair.web import live
        from fair.web.auth import device_for_token
        spent: dict[str, float] = defaultdict(float)
        for module_name, name, label in PHASES:
            module = importlib.import_module(module_name)
            inner = getattr(module, name)

            def timed(*args, _inner=inner, _label=label, **kwargs):
                started = time.thread_time()
                try:
                    return _inner(*args, **kwargs)
                finally:
                    spent[_label] += time.thread_time() - started
            setattr(module, name, timed)
        app = create_app()
        rng = random.Random(seed)
        with app.app_context():
            phones = [device_for_token(token).id for token, _ in fx["booths"][::19]]  # one phone per booth
            db.session.remove()
            cards = [token for _, token in fx["cards"]]
            for i, card in enumerate(cards):
                handle_scan(cached.device(phones[i % len(phones)]), {"code": card, "nonce": f"w{i}", "rating": 3})
                db.session.remove()
            live.broadcaster().take()
            spent.clear()
            handler = encoding = 0.0
            for i in range(scans):
                started = time.thread_time()
                device = cached.device(phones[rng.randrange(len(phones))])
                ack = handle_scan(device, {"code": cards[rng.randrange(len(cards))], "nonce": f"s{i}",
                                           "rating": 1 + i % 5})
                db.session.remove()
                handler += time.thread_time() - started
                started = time.thread_time()
                Packet(packet.ACK, namespace="/live", id=1, data=[ack]).encode()
                if i % 125 == 124:
                    pending, _ = live.broadcaster().take()
                    for events in pending.values():
                        Packet(packet.EVENT, namespace="/live", data=["events", events]).encode()
                encoding += time.thread_time() - started
        per = {label: round(spent[label] / scans * 1e6) for _, _, label in PHASES}
        return {"handler_us": round(handler / scans * 1e6), "encoding_us": round(encoding / scans * 1e6),
                "phases_us": per, "loadavg": round(os.getloadavg()[0], 1)}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True, help="bench_realtime's --workdir (booth-only fixture)")
    parser.add_argument("--scans", type=int, default=3000)
    parser.add_argument("--trees", default=".", help="comma-separated source trees, each run in a subprocess")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 1 <= args.scans <= 100_000 or not 1 <= args.repeat <= 20:
        parser.error("bounded: 1 ≤ scans ≤ 100000, 1 ≤ repeat ≤ 20")
    fixture_file = args.workdir / "fixture-booth-only.json"
    if args.child:
        print(json.dumps(measure(fixture_file, args.scans, seed=1)))
        return
    if not fixture_file.exists():
        sys.path.insert(0, str(HERE))
        import bench_realtime
        bench_realtime.prepare(args.workdir, 2000, booths=50, gates=1, phones_per_booth=19, name="booth-only")
    results = []
    trees = [Path(t).resolve() for t in args.trees.split(",") if t]
    for repeat in range(args.repeat):
        for tree in (trees if repeat % 2 == 0 else trees[::-1]):
            env = {**os.environ, "PYTHONPATH": str(tree)}
            out = subprocess.run([sys.executable, __file__, "--child", "--workdir", str(args.workdir),
                                  "--scans", str(args.scans)], env=env, capture_output=True, text=True,
                                 timeout=1800, check=True).stdout
            result = {"tree": str(tree), **json.loads(out.strip().splitlines()[-1])}
            results.append(result)
            phases = "  ".join(f"{k} {v}" for k, v in result["phases_us"].items())
            print(f"{tree}: handler {result['handler_us']} us/scan, ack+batch encoding {result['encoding_us']} us  "
                  f"[{phases}]  loadavg {result['loadavg']}", flush=True)
    for tree in trees:
        mine = [r for r in results if r["tree"] == str(tree)]
        total = sorted(r["handler_us"] + r["encoding_us"] for r in mine)
        print(f"median {tree}: handler + encoding {total[len(total) // 2]} us/scan over {len(mine)} runs")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
