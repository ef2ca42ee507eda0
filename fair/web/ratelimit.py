"""Sliding-window rate limits: in memory for one process, in Redis for several workers.

Pure: each app holds its own limiter (fair.web.limits.limiter()). One `fair serve`
counts in memory (RateLimiter). Several workers behind a proxy must count each
phone's attempts together, or every limit is K times as loose: SharedRateLimiter
keeps the same moving windows in Redis through the `limits` library.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict, deque


class RateLimiter:
    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str, limit: int, per_seconds: float = 60.0) -> bool:
        """Count one attempt for key; False once more than `limit` fall in the window."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - per_seconds:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            return True

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


class SharedRateLimiter:
    """RateLimiter's allow() over a `limits` storage shared by every worker (redis://...).

    A moving window, as RateLimiter's. When the storage cannot be reached an attempt is
    allowed (and logged): a Redis outage must not lock the organiser out or stop a gate."""

    KEY_PREFIX = "fair-limits"

    def __init__(self, storage_uri: str) -> None:
        from limits import strategies
        from limits.storage import storage_from_string
        self.storage_uri = storage_uri
        self._storage = storage_from_string(storage_uri, key_prefix=self.KEY_PREFIX)
        self._window = strategies.MovingWindowRateLimiter(self._storage)

    def allow(self, key: str, limit: int, per_seconds: float = 60.0) -> bool:
        from limits import RateLimitItemPerSecond
        item = RateLimitItemPerSecond(int(limit), max(1, round(per_seconds)))
        try:
            return self._window.hit(item, key)
        except Exception:   # redis.RedisError, OSError
            logging.getLogger(__name__).warning("rate limit storage unreachable; allowed %s", key, exc_info=True)
            return True

    def reset(self) -> None:
        self._storage.reset()


def limiter_for(storage_uri: str | None) -> RateLimiter | SharedRateLimiter:
    """Memory (None or memory://) or a shared storage for the limits of one app."""
    if not storage_uri or storage_uri.startswith("memory://"):
        return RateLimiter()
    return SharedRateLimiter(storage_uri)



class TokenBuckets:
    """A token bucket per key (one per connection): `burst` at once, then `rate` per second.

    Cheap enough to run for every Engine.IO message: one dict lookup and a few
    float operations, no lock (the event loop runs one handler at a time; in
    threading mode a lost update only costs one token).
    """

    def __init__(self) -> None:
        self._buckets: dict[str, list[float]] = {}   # key → [tokens, last refill, rate, burst]

    def assign(self, key: str, rate: float, burst: float) -> None:
        """Give key a (new) allowance, full; e.g. once a connection has said who it is."""
        self._buckets[key] = [float(burst), time.monotonic(), float(rate), float(burst)]

    def take(self, key: str, default: tuple[float, float]) -> bool:
        """Spend one token of key (created with `default` (rate, burst)); False when empty."""
        bucket = self._buckets.get(key)
        now = time.monotonic()
        if bucket is None:
            bucket = self._buckets[key] = [float(default[1]), now, float(default[0]), float(default[1])]
        tokens = min(bucket[3], bucket[0] + (now - bucket[1]) * bucket[2])
        bucket[1] = now
        if tokens < 1.0:
            bucket[0] = tokens
            return False
        bucket[0] = tokens - 1.0
        return True

    def empty(self, key: str) -> None:
        """No more messages from key until its allowance refills from nothing."""
        bucket = self._buckets.get(key)
        if bucket is not None:
            bucket[0], bucket[1], bucket[2] = 0.0, time.monotonic(), 0.0

    def forget(self, key: str) -> None:
        self._buckets.pop(key, None)

    def __contains__(self, key: str) -> bool:
        return key in self._buckets

    def __len__(self) -> int:
        return len(self._buckets)
