"""Live console events across processes on PostgreSQL: ``publish`` also NOTIFYs, every web process LISTENs.

On SQLite (one process) nothing changes: :func:`attach` returns None and the in-process
:class:`bot.events.Broker` is all there is. On PostgreSQL :func:`attach` swaps ``svc.broker`` for a
:class:`NotifyingBroker` (same API) whose ``publish`` delivers locally and sends ``NOTIFY anju_events``
with a JSON payload (truncated to fit PostgreSQL's 8000-byte limit) from a background thread; a
:class:`Listener` task holds a psycopg 3 async connection that LISTENs and republishes events from
other processes locally. Each process tags its events with an origin id and ignores its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import queue
import threading
import uuid
from typing import Any

from sqlalchemy import Engine, text

from bot.events import Broker
from bot.services import Services

log = logging.getLogger(__name__)
CHANNEL = "anju_events"
MAX_PAYLOAD = 7900
KEEP_WHEN_TRUNCATED = ("type", "conversation_id", "ticket", "ticket_id", "outbox_id", "status", "kind", "alert_id")


def encode(event: dict[str, Any], origin: str) -> str:
    """The NOTIFY payload: the event plus its origin, shrunk to the ids when too long."""
    payload = json.dumps({**event, "_origin": origin}, ensure_ascii=False, default=str)
    if len(payload.encode()) <= MAX_PAYLOAD:
        return payload
    small = {k: event[k] for k in KEEP_WHEN_TRUNCATED if k in event}
    return json.dumps({**small, "truncated": True, "_origin": origin}, ensure_ascii=False, default=str)[:MAX_PAYLOAD]


class NotifyingBroker(Broker):
    """A :class:`Broker` that also NOTIFYs other processes (from a background thread, never blocking callers)."""

    def __init__(self, engine: Engine, origin: str | None = None) -> None:
        """Publish through ``engine``'s database."""
        super().__init__()
        self.engine = engine
        self.origin = origin or uuid.uuid4().hex
        self._pending: queue.Queue[str | None] = queue.Queue(maxsize=10000)
        self._thread = threading.Thread(target=self._notify_loop, name="anju-notify", daemon=True)
        self._thread.start()

    def publish(self, event: dict[str, Any]) -> None:
        """Deliver locally and queue the NOTIFY."""
        super().publish(event)
        with contextlib.suppress(queue.Full):
            self._pending.put_nowait(encode(event, self.origin))

    def publish_local(self, event: dict[str, Any]) -> None:
        """Deliver to this process's subscribers only (events heard from other processes)."""
        super().publish(event)

    def close(self) -> None:
        """Stop the NOTIFY thread after it has sent what is queued."""
        self._pending.put(None)
        self._thread.join(timeout=5)

    def _notify_loop(self) -> None:
        while True:
            item = self._pending.get()
            if item is None:
                return
            batch = [item]
            while not self._pending.empty() and len(batch) < 100:
                nxt = self._pending.get_nowait()
                if nxt is None:
                    self._send(batch)
                    return
                batch.append(nxt)
            self._send(batch)

    def _send(self, batch: list[str]) -> None:
        try:
            with self.engine.begin() as conn:
                for payload in batch:
                    conn.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload})
        except Exception:  # the database is away: live updates degrade, nothing else depends on them
            log.warning("NOTIFY of %d console events failed", len(batch), exc_info=True)


def attach(svc: Services) -> NotifyingBroker | None:
    """On PostgreSQL, replace ``svc.broker`` by a notifying one (call before anyone subscribes)."""
    if svc.engine.dialect.name != "postgresql":
        return None
    if isinstance(svc.broker, NotifyingBroker):
        return svc.broker
    svc.broker = NotifyingBroker(svc.engine)
    return svc.broker


def _dsn(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    """LISTENs on ``anju_events`` and republishes other processes' events locally; reconnects on failure."""

    def __init__(self, broker: NotifyingBroker) -> None:
        """Listen for ``broker``."""
        self.broker = broker
        self._task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()

    async def start(self) -> None:
        """Start listening in a task on the running loop."""
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop listening."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        import psycopg

        backoff = 0.5
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(_dsn(self.broker.engine), autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.ready.set()
                    backoff = 0.5
                    async for note in conn.notifies():
                        self._deliver(note.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.ready.clear()
                log.warning("LISTEN %s failed (%s); retrying in %.1fs", CHANNEL, exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)

    def _deliver(self, payload: str) -> None:
        try:
            event = json.loads(payload)
        except ValueError:
            return
        if not isinstance(event, dict) or event.pop("_origin", None) == self.broker.origin:
            return
        self.broker.publish_local(event)


async def start(svc: Services) -> Listener | None:
    """Attach and start listening (web processes); None on SQLite."""
    broker = attach(svc)
    if broker is None:
        return None
    listener = Listener(broker)
    await listener.start()
    return listener
