"""A small in-process publish/subscribe broker for live console updates (server-sent events).

Publishers may run in worker threads; subscribers are asyncio queues on the server's event loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

MAX_QUEUE = 1000


class Broker:
    """Fan-out of console events to every connected subscriber."""

    def __init__(self) -> None:
        """An empty broker."""
        self._subs: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[dict[str, Any]]]] = set()
        self._lock = threading.Lock()

    def publish(self, event: dict[str, Any]) -> None:
        """Deliver ``event`` to every subscriber; safe from any thread; drops for a full (stalled) queue."""
        with self._lock:
            subs = list(self._subs)
        for loop, queue in subs:
            try:
                loop.call_soon_threadsafe(_put, queue, event)
            except RuntimeError:  # loop closed
                with self._lock:
                    self._subs.discard((loop, queue))

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        """A queue receiving every event published while the context is open."""
        entry = (asyncio.get_running_loop(), asyncio.Queue[dict[str, Any]](MAX_QUEUE))
        with self._lock:
            self._subs.add(entry)
        try:
            yield entry[1]
        finally:
            with self._lock:
                self._subs.discard(entry)


def _put(queue: asyncio.Queue[dict[str, Any]], event: dict[str, Any]) -> None:
    if not queue.full():
        queue.put_nowait(event)
