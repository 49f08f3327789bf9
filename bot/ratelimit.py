"""The one token bucket: the outbox's per-channel send rate and the webhooks' per-sender throttle both use it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable


class TokenBuckets:
    """Token buckets by key: each starts full with ``burst`` tokens and refills at ``rate`` per second.

    Thread-safe. The clock is a monotonic seconds function, injectable for tests.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        """Empty set of buckets read against ``clock``."""
        self.clock = clock
        self._buckets: dict[Hashable, tuple[float, float]] = {}  # key -> (tokens, stamp)
        self._lock = threading.Lock()

    def take(self, key: Hashable, *, rate: float, burst: float) -> float:
        """Take one token from ``key``'s bucket.

        Returns:
            ``0.0`` when a token was taken, otherwise the seconds until one will be there (nothing taken).
        """
        now = self.clock()
        with self._lock:
            tokens, stamp = self._buckets.get(key, (burst, now))
            tokens = min(burst, tokens + (now - stamp) * rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / rate

    def __len__(self) -> int:
        """How many buckets are held."""
        return len(self._buckets)

    def forget_idle(self, idle_s: float) -> None:
        """Drop buckets untouched for ``idle_s`` seconds (they would be full again: same as absent)."""
        now = self.clock()
        with self._lock:
            for key, (_tokens, stamp) in list(self._buckets.items()):
                if now - stamp >= idle_s:
                    del self._buckets[key]
