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
