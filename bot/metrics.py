"""Prometheus metrics (``GET /metrics``, token-protected; see :mod:`bot.health`).

Most figures are read from the database at scrape time, so they cover every process (web and all
workers) and survive restarts: inbound received/processed/failed, outbox sent/failed, queue depths and
ages, dead letters, pages and unreachable pages, page acknowledgement latency, worker heartbeats.
Sweep durations are measured where the sweep runs: this process's histogram, plus the last duration
each worker reports in its heartbeat row.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker

from backend import heartbeat
from backend.inbound import UNPROCESSED
from backend.models import DispatchPage, InboundEvent, Outbox, TicketEvent

ACK_BUCKETS = (15.0, 30.0, 60.0, 120.0, 180.0, 300.0, 600.0, 1800.0)
SWEEP_BUCKETS = (0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
PAGE_EVENTS = {"paged": "anju_pages", "page_unreachable": "anju_pages_unreachable",
               "page_failed": "anju_pages_failed", "alarm": "anju_page_alarms", "page_acked": "anju_pages_acked"}

LOCAL = CollectorRegistry(auto_describe=True)
SWEEP_SECONDS = Histogram("anju_sweep_duration_seconds", "Sweep run time in this process", ["sweep"],
                          buckets=SWEEP_BUCKETS, registry=LOCAL)
LAST_SWEEP: dict[str, float] = {}  # sweep -> seconds of its last run here (reported in the heartbeat)


def observe_sweep(name: str, seconds: float) -> None:
    """Record one sweep run's duration in this process."""
    SWEEP_SECONDS.labels(sweep=name).observe(seconds)
    LAST_SWEEP[name] = round(seconds, 4)


def _age(now: datetime, then: datetime | None) -> float:
    return max(0.0, (now - then).total_seconds()) if then else 0.0


class DatabaseCollector(Collector):
    """Figures read from the database at scrape time."""

    def __init__(self, sessions: sessionmaker[Session], clock: Any) -> None:
        """Read through ``sessions``; ``clock`` gives the current aware time."""
        self.sessions = sessions
        self.clock = clock

    def collect(self) -> Iterator[Any]:
        """Yield every database-derived metric family."""
        now = self.clock()
        with self.sessions() as session:
            yield from self._inbound(session, now)
            yield from self._outbox(session, now)
            yield from self._pages(session)
            yield from self._workers(session, now)

    def _inbound(self, session: Session, now: datetime) -> Iterator[Any]:
        received = CounterMetricFamily("anju_inbound_received", "Webhook events accepted", labels=["channel"])
        processed = CounterMetricFamily("anju_inbound_processed", "Inbound events processed", labels=["channel"])
        failed = CounterMetricFamily("anju_inbound_failed", "Inbound events given up on", labels=["channel"])
        pending = GaugeMetricFamily("anju_inbound_pending", "Inbound events not yet processed", labels=["channel"])
        rows = session.execute(select(
            InboundEvent.channel, func.count(),
            func.sum(case((InboundEvent.status == "done", 1), else_=0)),
            func.sum(case((InboundEvent.status == "failed", 1), else_=0)),
            func.sum(case((InboundEvent.status.in_(UNPROCESSED), 1), else_=0)),
        ).group_by(InboundEvent.channel)).all()
        for channel, total, done, bad, waiting in rows:
            received.add_metric([channel], total)
            processed.add_metric([channel], done or 0)
            failed.add_metric([channel], bad or 0)
            pending.add_metric([channel], waiting or 0)
        oldest = session.scalar(select(func.min(InboundEvent.received_at))
                                .where(InboundEvent.status.in_(UNPROCESSED)))
        age = GaugeMetricFamily("anju_inbound_oldest_pending_seconds", "Age of the oldest unprocessed inbound event")
        age.add_metric([], _age(now, oldest))
        yield from (received, processed, failed, pending, age)

    def _outbox(self, session: Session, now: datetime) -> Iterator[Any]:
        sent = CounterMetricFamily("anju_outbox_sent", "Messages the platforms accepted", labels=["channel", "purpose"])
        failed = CounterMetricFamily("anju_outbox_failed", "Messages dead-lettered or reported undelivered",
                                     labels=["channel", "purpose"])
        depth = GaugeMetricFamily("anju_outbox_queue_depth", "Outbox rows queued or being sent", labels=["channel"])
        dead = GaugeMetricFamily("anju_outbox_dead_letters", "Dead-lettered outbox rows", labels=["channel"])
        rows = session.execute(select(
            Outbox.channel, Outbox.purpose,
            func.sum(case((Outbox.sent_at.is_not(None), 1), else_=0)),
            func.sum(case((Outbox.status.in_(("dead", "failed")), 1), else_=0)),
            func.sum(case((Outbox.status.in_(("queued", "sending")), 1), else_=0)),
            func.sum(case((Outbox.status == "dead", 1), else_=0)),
        ).group_by(Outbox.channel, Outbox.purpose)).all()
        depths: dict[str, int] = {}
        deads: dict[str, int] = {}
        for channel, purpose, ok, bad, queued, dl in rows:
            sent.add_metric([channel, purpose], ok or 0)
            failed.add_metric([channel, purpose], bad or 0)
            depths[channel] = depths.get(channel, 0) + (queued or 0)
            deads[channel] = deads.get(channel, 0) + (dl or 0)
        for channel, n in sorted(depths.items()):
            depth.add_metric([channel], n)
        for channel, n in sorted(deads.items()):
            dead.add_metric([channel], n)
        oldest = session.scalar(select(func.min(Outbox.next_attempt_at))
                                .where(Outbox.status.in_(("queued", "sending")), Outbox.next_attempt_at <= now))
        age = GaugeMetricFamily("anju_outbox_oldest_due_seconds", "How long the oldest due outbox row has waited")
        age.add_metric([], _age(now, oldest))
        yield from (sent, failed, depth, dead, age)

    def _pages(self, session: Session) -> Iterator[Any]:
        counts = dict(session.execute(select(TicketEvent.kind, func.count())
                                      .where(TicketEvent.kind.in_(list(PAGE_EVENTS)))
                                      .group_by(TicketEvent.kind)).all())
        for kind, name in PAGE_EVENTS.items():
            fam = CounterMetricFamily(name, f"Ticket events {kind!r} (emergency dispatch)")
            fam.add_metric([], counts.get(kind, 0))
            yield fam
        latencies = [(acked - sent).total_seconds() for sent, acked in session.execute(  # type: ignore[operator]
            select(DispatchPage.sent_at, DispatchPage.acked_at).where(DispatchPage.acked_at.is_not(None)))]
        buckets = [(str(b), sum(1 for x in latencies if x <= b)) for b in ACK_BUCKETS]
        buckets.append(("+Inf", len(latencies)))
        hist = HistogramMetricFamily("anju_page_ack_latency_seconds", "Time from page to acknowledgement")
        hist.add_metric([], buckets, sum_value=sum(latencies))
        yield hist

    def _workers(self, session: Session, now: datetime) -> Iterator[Any]:
        age = GaugeMetricFamily("anju_heartbeat_age_seconds", "Seconds since each process's last heartbeat",
                                labels=["process", "role"])
        last = GaugeMetricFamily("anju_sweep_last_duration_seconds", "Last run time of each sweep, per process",
                                 labels=["process", "sweep"])
        for row in heartbeat.all_beats(session):
            age.add_metric([row.name, row.role], _age(now, row.beat_at))
            for sweep, seconds in (row.info or {}).get("sweeps", {}).items():
                last.add_metric([row.name, sweep], float(seconds))
        yield from (age, last)


def render(sessions: sessionmaker[Session], clock: Any) -> bytes:
    """The exposition text: this process's metrics and the database's."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(sessions, clock))
    return generate_latest(LOCAL) + generate_latest(registry)


class Timer:
    """``with Timer() as t: ...; t.seconds``."""

    def __enter__(self) -> Timer:
        """Start."""
        self.start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop."""
        self.seconds = time.perf_counter() - self.start
