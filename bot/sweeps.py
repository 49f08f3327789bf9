"""Scheduled sweeps over due rows. Each is a plain function ``(services, now) -> rows handled``.

APScheduler only triggers them; the business timers are columns, so a restart or a second worker
loses nothing (rows are claimed with SKIP LOCKED on PostgreSQL).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from backend import dispatch
from backend.db import transaction
from bot.services import Services

log = logging.getLogger(__name__)
Sweep = Callable[[Services, datetime], int]


def escalate_pages(svc: Services, now: datetime) -> int:
    """Page the next layer for emergency pages nobody acknowledged in time."""
    with transaction(svc.sessions) as session:
        pages = dispatch.escalate_unacked(session, now=now, ack_after=svc.ack_after, text=svc.page_text,
                                          enabled_channels=svc.channels)
    for pg in pages:
        svc.broker.publish({"type": "page_escalated", "ticket_id": pg.ticket_id, "layer": pg.layer})
    return len(pages)


# name -> (interval in seconds, sweep); other modules append theirs with register().
SWEEPS: dict[str, tuple[float, Sweep]] = {
    "escalate_pages": (10.0, escalate_pages),
}


def register(name: str, interval_s: float, sweep: Sweep) -> None:
    """Add a sweep to every worker started afterwards."""
    SWEEPS[name] = (interval_s, sweep)


def run_all(svc: Services, now: datetime | None = None) -> dict[str, int]:
    """Run every sweep once (tests, and ``anju worker --once``)."""
    now = now or svc.clock()
    return {name: sweep(svc, now) for name, (_interval, sweep) in SWEEPS.items()}
