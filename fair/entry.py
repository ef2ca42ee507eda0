"""The `fair` console script. Imports nothing heavy before eventlet is patched."""
from __future__ import annotations

import os
import sys


def main() -> None:
    # Owner-only files from the first one on: the database holds the card-signing key (fair.core.private_files).
    os.umask(0o077)
    # One BLAS thread (read when numpy loads, so before any import below): the title-embedding
    # products are small (2,000 x 512), and OpenBLAS threads spinning for a core that the event
    # loop or another process holds made one recommendation ~10x slower (scripts/bench_matching.py).
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        if os.environ.get("FAIR_ASYNC_MODE", "eventlet") == "eventlet":
            import warnings
            # Eventlet warns that it is in maintenance mode; the design chose it knowingly.
            warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
            import eventlet
            eventlet.monkey_patch()
            # psycopg 3 (PostgreSQL) waits in C by default, which blocks every green thread;
            # its selector-based wait goes through the patched selectors (fair.ops.serving).
            os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_selector")
        elif os.environ.get("FAIR_ASYNC_MODE") == "gevent":
            # Measured against eventlet (BENCHMARKS.md "Async modes"); psycopg 3 sees gevent's
            # patching by itself and waits through gevent.
            from gevent import monkey
            monkey.patch_all()
    else:
        # Other commands serve nothing: plain threading, no green threads to set up.
        os.environ.setdefault("FAIR_ASYNC_MODE", "threading")
    from fair.app import create_app
    from fair.ops.cli import run
    run(create_app)


if __name__ == "__main__":   # `python -m fair.entry ...` runs the CLI as `fair ...` does
    main()
