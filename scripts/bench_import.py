"""Benchmark `fair import attendees` of a generated file, as an organiser runs it.

    .venv/bin/python scripts/bench_import.py [--attendees 2000] [--runs 3]

Writes the demo generator's attendees (fair.loading.demo.generate_demo, fixed
seed: Thai and English names, desired positions, skills) as a UTF-8 CSV, then
per run: a fresh instance folder, `fair init` (not timed), and the timed
`python -m fair.entry import attendees FILE` in a subprocess whose stderr is a
pseudo-terminal, so the progress bar is drawn as on an organiser's terminal.
The import classifies every desired position (ISCO-08) and embeds it when the
[semantic] extra is installed, in batches, inside the one transaction.

Prints each run's wall time, the import process's CPU time (user + system: what
the work costs on a machine shared with other processes) and the time the CLI
reports, then the medians.
"""
from __future__ import annotations

import argparse
import csv
import fcntl
import io
import os
import pty
import re
import resource
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def attendees_csv(n: int, seed: int) -> bytes:
    from fair.loading.demo import generate_demo
    rows = generate_demo(seed=seed, attendees=n).attendees
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def run_on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str, str, float, float]:
    """Run with stderr on a pseudo-terminal (read back), stdout piped; returns the code,
    stdout, what the terminal showed, the wall time and the process's CPU time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    leader, follower = pty.openpty()
    # A terminal 100 columns wide: a fresh pty has 0, and tqdm would draw a bar of nothing.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=follower, env=env, cwd=ROOT)
    os.close(follower)
    shown = bytearray()
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process is done writing
            break
        if not chunk:
            break
        shown += chunk
    out = process.stdout.read().decode("utf-8", "replace")
    code = process.wait()
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    os.close(leader)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return code, out, shown.decode("utf-8", "replace"), elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    source = work / "attendees.csv"
    source.write_bytes(attendees_csv(args.attendees, args.seed))
    python = sys.executable
    walls, reported, cpus = [], [], []
    try:
        for run in range(args.runs):
            instance = work / f"instance-{run}"
            env = {**os.environ, "FAIR_INSTANCE": str(instance), "PYTHONPATH": str(ROOT)}
            subprocess.run([python, "-m", "fair.entry", "init"], env=env, cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            code, out, shown, wall, cpu = run_on_a_terminal(
                [python, "-m", "fair.entry", "import", "attendees", str(source)], env)
            if code != 0:
                raise SystemExit(f"import failed ({code}): {out}\n{shown[-2000:]}")
            said = re.search(r"in ([\d.]+) s", out)
            bar = "importing attendees" in shown and "%|" in shown
            walls.append(wall)
            cpus.append(cpu)
            reported.append(float(said.group(1)) if said else float("nan"))
            print(f"run {run + 1}: {wall:6.1f} s wall (process start included), {cpu:6.1f} s CPU, CLI says "
                  f"{reported[-1]:.1f} s; progress bar drawn on the terminal: {'yes' if bar else 'NO'}")
            print(f"        {out.strip().splitlines()[-1] if out.strip() else ''}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    from fair.matching import embeddings
    print(f"\n{args.attendees} attendees, median of {args.runs} runs: {statistics.median(walls):.1f} s wall, "
          f"{statistics.median(cpus):.1f} s CPU, "
          f"{statistics.median(reported):.1f} s as the CLI reports (checking, classifying, "
          f"{'embedding, ' if embeddings.available() else 'NO embeddings (extra absent), '}writing, commit)")


if __name__ == "__main__":
    main()
