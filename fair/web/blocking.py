"""Run blocking C work (Argon2, Pillow, pyzbar) off the eventlet (or gevent) hub.

Under eventlet a long C call freezes every connected phone, so it goes to
eventlet's thread pool (gevent: its hub's thread pool); in threading mode
(tests, CLI) it just runs.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Callable, Iterator, TypeVar

T = TypeVar("T")


def run_blocking(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    # Only `fair serve` imports and patches eventlet; importing it here would not.
    eventlet = sys.modules.get("eventlet")
    if eventlet is not None and eventlet.patcher.is_monkey_patched("socket"):
        from eventlet import tpool
        return tpool.execute(fn, *args, **kwargs)
    if _gevent_patched():
        import gevent
        return gevent.get_hub().threadpool.apply(fn, args, kwargs)
    return fn(*args, **kwargs)


def _gevent_patched() -> bool:
    """`fair serve` with FAIR_ASYNC_MODE=gevent (fair.entry patched the standard library)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("socket")


def let_others_run() -> None:
    """Yield to the other green threads (phones' scans) in a long pure-Python loop.

    Under eventlet nothing else runs until a green thread blocks on I/O; a loop
    of a few hundred milliseconds (the dashboard's "jobs without candidates")
    would hold every phone's answer that long. A no-op outside eventlet.
    """
    eventlet = sys.modules.get("eventlet")
    if eventlet is not None and eventlet.patcher.is_monkey_patched("socket"):
        eventlet.sleep(0)
    elif _gevent_patched():
        import gevent
        gevent.sleep(0)


class Busy(Exception):
    """No slot came free in time (Slots.taken)."""


class Slots:
    """At most `size` callers inside at once; the others wait their turn, up to a limit.

    Built on threading.BoundedSemaphore, which eventlet's monkey patching makes
    green: a waiting request parks its green thread, the event loop runs on.
    Create it after patching (lazily, per app), never at import time.
    """

    def __init__(self, size: int) -> None:
        import threading
        self._semaphore = threading.BoundedSemaphore(max(1, size))

    @contextmanager
    def taken(self, wait_seconds: float) -> Iterator[None]:
        if not self._semaphore.acquire(timeout=wait_seconds):
            raise Busy()
        try:
            yield
        finally:
            self._semaphore.release()


def release_memory() -> None:
    """Hand freed heap back to the system (glibc's malloc_trim) after a large C-level job.

    A decoded photo's buffers are freed into malloc's arenas, where they stay
    (the process's RSS with them) unless trimmed. A no-op where there is no glibc.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@lru_cache(maxsize=1)
def _malloc_trim():
    try:
        import ctypes
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
