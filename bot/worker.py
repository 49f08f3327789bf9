"""The worker: processes stored inbound events, delivers the outbox, and runs the sweeps.

``anju serve`` runs one inside the web process; ``anju worker`` runs it alone. Any number can run
against PostgreSQL: inbound events and outbox rows are claimed with ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import OperationalError

from backend import heartbeat, inbound, notify, outbox
from backend.db import is_postgres, transaction
from bot import conversation, envelope, metrics, sweeps
from bot.effects import Applied
from bot.ratelimit import TokenBuckets
from bot.services import Services

log = logging.getLogger(__name__)
IDLE_POLL_S = 0.25
STOP_GRACE_S = 15.0  # how long stop() waits for in-flight sends to be recorded
INBOUND_THREADS = 4  # concurrent event transactions per worker on PostgreSQL
RECORD_RETRY_S = 30.0  # keep retrying a send's bookkeeping this long (well inside the 60 s lease)


class RateLimiter:
    """Per-channel send rates (messages per second) over the shared :class:`~bot.ratelimit.TokenBuckets`."""

    def __init__(self, rates: dict[str, float]) -> None:
        """Rates by channel name; channels without a rate are unlimited."""
        self.rates = rates
        self._buckets = TokenBuckets(clock=lambda: time.monotonic())  # looked up per call: tests fake ``time``

    async def wait(self, channel: str) -> None:
        """Block until ``channel`` may send one message (a burst of one second's worth at most)."""
        rate = self.rates.get(channel)
        if not rate:
            return
        while True:
            wait_s = self._buckets.take(channel, rate=rate, burst=rate)
            if wait_s <= 0:
                return
            await asyncio.sleep(wait_s)


class Worker:
    """Inbound processing, outbox delivery and sweeps for one process."""

    def __init__(
        self, svc: Services, *, inbound_enabled: bool = True, outbox_enabled: bool = True, sweeps_enabled: bool = True
    ) -> None:
        """A worker over ``svc``; parts can be switched off (tests, split deployments)."""
        self.svc = svc
        self.flags = (inbound_enabled, outbox_enabled, sweeps_enabled)
        self.limiter = RateLimiter(svc.settings.outbox.rate_limits)
        self._inbound_wake = asyncio.Event()
        self._outbox_wakes: list[asyncio.Event] = []
        self._tasks: list[asyncio.Task[Any]] = []
        self._scheduler: AsyncIOScheduler | None = None
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._executor: ThreadPoolExecutor | None = None
        self.name = heartbeat.process_name()  # recorded on outbox leases and the heartbeat row
        self._heartbeat: Any = None

    # --- inbound -------------------------------------------------------------------------------

    def process_pending(self, limit: int = 20) -> int:
        """Process up to ``limit`` pending events (blocking; run in a thread). Returns how many.

        A claim holds at most one event per sender (the oldest), so on PostgreSQL the events of one
        claim are processed concurrently (row locks keep workers apart): the durable commit that ends
        each one, the dominant cost on a real disk, then overlaps instead of queueing. SQLite has one
        writer at a time, so there they run one after another.
        """
        with transaction(self.svc.sessions) as session:
            ids = [ev.id for ev in inbound.claim_next(session, limit=limit)]
            parallel = is_postgres(session)
        if parallel and len(ids) > 1:
            return sum(self._pool().map(self.process_one, ids))
        return sum(self.process_one(event_id) for event_id in ids)

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(INBOUND_THREADS, thread_name_prefix="anju-inbound")
        return self._executor

    def process_one(self, event_id: int) -> bool:
        """Process one event in the transaction that marks it done; False if someone else had it."""
        now = self.svc.clock()
        try:
            with transaction(self.svc.sessions) as session:
                event = inbound.lock_event(session, event_id)
                if event is None:
                    return False
                applied = conversation.process(session, envelope.from_payload(event.payload), self.svc, now)
                inbound.mark_done(event, now)
        except OperationalError:
            raise  # the database is away: leave the event pending, the loop backs off
        except Exception as exc:  # a bug must not block the queue: count it, retry later, then give up
            log.exception("processing inbound event %s failed", event_id)
            with transaction(self.svc.sessions) as session:
                inbound.mark_failed(session, event_id, f"{type(exc).__name__}: {exc}")
            return False
        self._announce(applied)
        return True

    def _announce(self, applied: Applied) -> None:
        alerts = [{"type": "alert", "conversation_id": applied.conversation_id, **a} for a in applied.alerts]
        for event in applied.console_events + alerts:
            self.svc.broker.publish(event)
        if applied.wake_outbox:
            self.wake_outbox()

    # --- outbox --------------------------------------------------------------------------------

    async def deliver_due(self, limit: int | None = None, channels: list[str] | None = None,
                          exclude: list[str] | None = None) -> int:
        """Send every due outbox row once (respecting rate limits). Returns rows attempted.

        ``channels``/``exclude`` restrict the claim to one delivery lane.
        """
        cfg = self.svc.settings.outbox
        now = self.svc.clock()

        def claim() -> list[Any]:
            with self.svc.sessions() as session:
                return outbox.claim_due(session, now=now, limit=limit or cfg.batch_size, quiet=self.svc.quiet,
                                        channels=channels, exclude=exclude, lease=timedelta(seconds=cfg.lease_s),
                                        page_lease=timedelta(seconds=cfg.page_lease_s), worker=self.name)

        rows = await asyncio.to_thread(claim)
        # Recipients in parallel, but each recipient's rows one after another, in claim order: the
        # replies of one turn must reach the owner in the order they were written.
        per_recipient: dict[tuple[str, str], list[Any]] = {}
        for row in rows:
            per_recipient.setdefault((row.channel, row.recipient), []).append(row)
        await asyncio.gather(*(self._deliver_in_order(batch) for batch in per_recipient.values()))
        return len(rows)

    async def _deliver_in_order(self, rows: list[Any]) -> None:
        for row in rows:
            await self._deliver(row)

    async def _deliver(self, row: Any) -> None:
        cfg = self.svc.settings.outbox
        channel = self.svc.channels.get(row.channel)
        unreachable = None
        if channel is None:
            kw: dict[str, Any]
            ok, kw = False, {"retryable": False, "error": f"channel {row.channel!r} is not configured"}
        else:
            await self.limiter.wait(row.channel)
            result = await channel.send(envelope.outbound(row))
            ok, unreachable = result.ok, result.unreachable
            kw = {
                "provider_message_id": result.provider_message_id,
                "retryable": result.retryable,
                "retry_after": result.retry_after,
                "error": result.error,
            }

        def record() -> None:
            with transaction(self.svc.sessions) as session:
                saved = outbox.record_result(
                    session,
                    row.id,
                    ok=ok,
                    now=self.svc.clock(),
                    max_attempts=cfg.max_attempts,
                    base_backoff_s=cfg.base_backoff_s,
                    **kw,
                )
                if unreachable and saved.status == "dead":  # a routing signal: the next route gets it
                    from bot.proactive_sweeps import policy

                    notify.reroute(session, row.id, unreachable, now=self.svc.clock(), policy=policy(self.svc))
                status = saved.status
            self.svc.broker.publish({"type": "delivery", "outbox_id": row.id, "status": status})

        # The platform has answered: losing this outcome to a busy database would leave the row leased and
        # send it again after the lease. Retry the bookkeeping well inside the lease instead.
        waited, pause = 0.0, 0.1
        while True:
            try:
                await asyncio.to_thread(record)
                return
            except OperationalError as exc:
                if waited >= RECORD_RETRY_S:
                    raise
                log.warning("outbox %s: recording the send failed (%s); retrying", row.id, exc.orig)
                await asyncio.sleep(pause)
                waited += pause
                pause = min(pause * 2, 2.0)

    # --- loops -----------------------------------------------------------------------------------

    def wake_inbound(self) -> None:
        """Tell the inbound loop there is work (from the web handler)."""
        self._inbound_wake.set()

    def wake_outbox(self) -> None:
        """Tell the delivery lanes there is work; safe from worker threads."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        for wake in self._outbox_wakes:
            if loop is not None:
                wake.set()
            elif self._loop is not None:
                self._loop.call_soon_threadsafe(wake.set)

    async def _loop_forever(self, work: Any, wake: asyncio.Event, name: str) -> None:
        backoff = IDLE_POLL_S
        while not self._stopping:
            try:
                done = await work()
                backoff = IDLE_POLL_S
            except OperationalError as exc:
                log.warning("%s: database unavailable (%s); retrying in %.1fs", name, exc.orig, backoff)
                done = 0
                backoff = min(backoff * 2, 10.0)
            except Exception:
                log.exception("%s loop failed; continuing", name)
                done = 0
            if done:
                continue
            wake.clear()
            try:
                await asyncio.wait_for(wake.wait(), timeout=backoff)
            except TimeoutError:
                pass

    async def start(self) -> None:
        """Start the loops and the sweep scheduler on the running event loop."""
        from bot.health import Heartbeat

        self._loop = asyncio.get_running_loop()
        inbound_on, outbox_on, sweeps_on = self.flags
        # First: release what a killed predecessor on this host had leased, so its sends go out now.
        self._heartbeat = Heartbeat(self.svc, "worker", self.name,
                                    info=lambda: {"sweeps": dict(metrics.LAST_SWEEP) if sweeps_on else {},
                                                  "inbound": inbound_on, "outbox": outbox_on})
        await self._heartbeat.start()
        if inbound_on:
            self._tasks.append(
                asyncio.create_task(
                    self._loop_forever(lambda: asyncio.to_thread(self.process_pending), self._inbound_wake, "inbound")
                )
            )
        if outbox_on:
            for name, work in self._lanes():
                wake = asyncio.Event()
                self._outbox_wakes.append(wake)
                self._tasks.append(asyncio.create_task(self._loop_forever(work, wake, f"outbox:{name}")))
        if sweeps_on:
            self._scheduler = AsyncIOScheduler(timezone="UTC")
            for name, (interval, sweep) in sweeps.SWEEPS.items():
                self._scheduler.add_job(
                    self._run_sweep,
                    "interval",
                    seconds=interval,
                    args=[name, sweep],
                    id=name,
                    replace_existing=True,
                    max_instances=1,
                    coalesce=True,
                )
            self._scheduler.start()

    def _lanes(self) -> list[tuple[str, Any]]:
        """One delivery loop per configured channel, so a slow or rate-limited platform (SMS at 10/s)
        never holds up another's pages; each batch is about one second of that channel's rate.
        A last lane takes rows for channels this process does not have (they dead-letter with a reason)."""
        cfg = self.svc.settings.outbox
        names = sorted(self.svc.channels)
        lanes: list[tuple[str, Any]] = []
        for name in names:
            rate = cfg.rate_limits.get(name) or cfg.batch_size
            batch = max(1, min(cfg.batch_size, int(rate)))
            lanes.append((name, lambda name=name, batch=batch: self.deliver_due(batch, channels=[name])))
        lanes.append(("other", lambda: self.deliver_due(exclude=names)))
        return lanes

    async def _run_sweep(self, name: str, sweep: sweeps.Sweep) -> None:
        try:
            with metrics.Timer() as timer:
                handled = await asyncio.to_thread(sweep, self.svc, self.svc.clock())
            metrics.observe_sweep(name, timer.seconds)
            if handled:
                log.info("sweep %s handled %d rows", name, handled)
                self.wake_outbox()
        except Exception:
            log.exception("sweep %s failed", name)

    async def stop(self) -> None:
        """Stop loops and scheduler; in-flight work finishes or stays pending for the next start."""
        self._stopping = True
        self._inbound_wake.set()
        for wake in self._outbox_wakes:
            wake.set()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
        # Let a delivery round in progress finish: cancelling between a platform accepting a message and
        # record_result marking it sent would leave it leased, and it would be sent again after the lease.
        if self._tasks:
            _done, late = await asyncio.wait(self._tasks, timeout=STOP_GRACE_S)
            for task in late:
                task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        if self._heartbeat is not None:
            await self._heartbeat.stop()
            self._heartbeat = None
