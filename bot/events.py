"""A small in-process publish/subscribe broker for live console updates (server-sent events).

Publishers may run in worker threads; subscribers are asyncio queues on the server's event loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum
from typing import Any

MAX_QUEUE = 1000


class EventType(StrEnum):
    """Every kind of console event (the ``type`` of a published event); the console's script switches on it."""

    MESSAGE = "message"  # a conversation got a message (owner, bot or staff)
    NOTE = "note"  # an internal note in a conversation
    TAKEOVER = "takeover"
    HAND_BACK = "hand_back"
    HANDOFF = "handoff"  # the bot asked for a person
    TICKET = "ticket"  # a ticket was opened or changed
    SURVEY = "survey"  # an owner answered a survey
    ALERT = "alert"  # pickup timeout, low score, manual callback, emergency...
    ALERT_ACKED = "alert_acked"
    DELIVERY = "delivery"  # an outbox row was sent, failed or confirmed
    PAGE_ESCALATED = "page_escalated"
    PAGE_ACKED = "page_acked"
    PROGRESS_PUBLISHED = "progress_published"
    IMPORT_JOB = "import_job"  # a background CSV import moved on
    STAFF_BOUND = "staff_bound"  # a staff member bound a paging channel with a one-time code
    RESOLVED = "resolved"  # staff resolved, snoozed or reopened a conversation


ConsoleEvent = dict[str, Any]  # {"type": EventType, ...fields of that type}


class Broker:
    """Fan-out of console events to every connected subscriber."""

    def __init__(self) -> None:
        """An empty broker."""
        self._subs: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[dict[str, Any]]]] = set()
        self._lock = threading.Lock()

    def publish(self, event: dict[str, Any]) -> None:
        """Deliver ``event`` to every subscriber; safe from any thread; drops for a full (stalled) queue.

        Raises:
            ValueError: ``event["type"]`` is not an :class:`EventType`.
        """
        EventType(event["type"])
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
