#!/usr/bin/env python
"""Six photo-decode "bombs" at once: the server's peak memory and what each upload is answered.

A 6320×6320 RGBA PNG of one colour compresses to ~160 KB but decodes to 160 MB.
Starts a real `fair serve` on 127.0.0.1 (scripts/served_fair.py), pairs a gate, sends the
bomb from six threads at once to POST /api/v1/decode, and prints the server's RSS before,
its high-water mark (VmHWM) after, and the answers. `--tree DIR` runs another checkout.

    .venv/bin/python scripts/bench_decode_bomb.py
"""
from __future__ import annotations

import argparse
import io
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from served_fair import Served  # noqa: E402


def bomb() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (6320, 6320), (255, 255, 255, 255)).save(out, "PNG", optimize=True)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=HERE.parent)
    parser.add_argument("--parallel", type=int, default=6)
    args = parser.parse_args()
    data = bomb()
    with tempfile.TemporaryDirectory() as tmp:
        served = Served(Path(tmp), args.tree, attendees=50)
        served.prepare()
        token = served.gate_token("Bomb test")
        served.start()
        try:
            before = served.status("VmRSS")
            answers: list[str] = []
            started = time.monotonic()

            def send() -> None:
                r = requests.post(f"{served.url}/api/v1/decode", files={"image": ("b.png", data, "image/png")},
                                  headers={"Authorization": f"Bearer {token}"}, timeout=120)
                answers.append(f"{r.status_code} {r.text[:60]!r}")
            threads = [threading.Thread(target=send) for _ in range(args.parallel)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            took = time.monotonic() - started
            print(f"bomb: {len(data) / 1024:.0f} KB PNG, 6320x6320 RGBA; {args.parallel} uploads at once")
            print(f"server RSS before {before:.0f} MB, peak {served.status('VmHWM'):.0f} MB, "
                  f"after {served.status('VmRSS'):.0f} MB; all answered in {took:.1f} s")
            for answer in sorted(answers):
                print("  ", answer)
        finally:
            served.stop()


if __name__ == "__main__":
    main()
