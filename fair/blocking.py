"""Run blocking C work (Argon2, Pillow, pyzbar) off the eventlet hub.

Under eventlet a long C call freezes every connected phone, so it goes to
eventlet's thread pool; in threading mode (tests, CLI) it just runs.
"""
from __future__ import annotations

import sys
from typing import Any, Callable, TypeVar

T = TypeVar("T")


def run_blocking(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    # Only `fair serve` imports and patches eventlet; importing it here would not.
    eventlet = sys.modules.get("eventlet")
    if eventlet is not None and eventlet.patcher.is_monkey_patched("socket"):
        from eventlet import tpool
        return tpool.execute(fn, *args, **kwargs)
    return fn(*args, **kwargs)


def let_others_run() -> None:
    """Yield to the other green threads (phones' scans) in a long pure-Python loop.

    Under eventlet nothing else runs until a green thread blocks on I/O; a loop
    of a few hundred milliseconds (the dashboard's "jobs without candidates")
    would hold every phone's answer that long. A no-op outside eventlet.
    """
    eventlet = sys.modules.get("eventlet")
    if eventlet is not None and eventlet.patcher.is_monkey_patched("socket"):
        eventlet.sleep(0)
