"""The rota coverage sweep: alert supervisors ahead of time when a layer will have nobody reachable.

Listed in :data:`bot.sweeps.SWEEPS` as worker-only (:data:`bot.sweeps.WORKER_ONLY`), so not
part of :func:`bot.sweeps.run_all`: its first run is an hour after start. Hourly, it checks the next
``ANJU_COVERAGE_DAYS`` days; each gap raises one console alert, and each supervisor gets at most one
summary message a day on their own channels while gaps remain.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from backend import staff_contacts
from backend.db import transaction
from backend.models import ConsoleAlert, Outbox
from backend.outbox import REPLY_PRIORITY, enqueue
from backend.staff_notify import staff_channels
from bot.dialogs.texts import render
from bot.services import Services

log = logging.getLogger(__name__)
INTERVAL_S = 3600.0
SHOWN = 5


def alert_kind(layer: int) -> str:
    """The console alert kind of a coverage gap on ``layer``."""
    return f"rota_gap_l{layer}"


def coverage_sweep(svc: Services, now: datetime) -> int:
    """Raise a console alert per new gap; message supervisors once a day while gaps remain. Returns new alerts."""
    horizon = timedelta(days=svc.settings.coverage_days)
    with transaction(svc.sessions) as session:
        gaps = staff_contacts.coverage_gaps(session, start=now, end=now + horizon, enabled=svc.channels)
        if not gaps:
            return 0
        new = 0
        for gap in gaps:
            seen = session.scalar(select(ConsoleAlert.id).where(ConsoleAlert.kind == alert_kind(gap.layer),
                                                                ConsoleAlert.since == gap.starts_at))
            if seen is None:
                session.add(ConsoleAlert(kind=alert_kind(gap.layer), since=gap.starts_at, created_at=now))
                new += 1
        log.warning("rota coverage: %d gap(s) in the next %d days, first: layer %d from %s (%s)", len(gaps),
                    svc.settings.coverage_days, gaps[0].layer, gaps[0].starts_at.isoformat(), gaps[0].reason)
        day = now.astimezone(svc.tz).date().isoformat()
        for sup in staff_contacts.supervisors(session):
            lines = [f"L{g.layer} {svc.format_local(g.starts_at)} → {svc.format_local(g.ends_at)} ({g.reason})"
                     for g in gaps[:SHOWN]]
            more = len(gaps) - SHOWN
            text = render("rota_gap_alert", sup.language, count=len(gaps), days=svc.settings.coverage_days,
                          gaps="\n".join(lines) + (f"\n+{more}" if more > 0 else ""))
            for channel, recipient in staff_channels(sup, svc.channels):
                key = f"rota_gaps:{day}:{sup.id}:{channel}"
                if session.scalar(select(Outbox.id).where(Outbox.dedupe_key == key)) is None:
                    enqueue(session, channel=channel, recipient=recipient, text=text, now=now, purpose="reply",
                            priority=REPLY_PRIORITY, staff_id=sup.id, dedupe_key=key)
    if new:
        svc.broker.publish({"type": "alert", "kind": "rota_gap", "count": new})
    return new


def import_sweep(svc: Services, now: datetime) -> int:
    """Run the next background owner-register import, if one is queued (one per run)."""
    from backend import import_jobs

    job_id = import_jobs.run_next(svc.sessions, now=now, clock=svc.clock)
    if job_id is None:
        return 0
    log.info("import job %d finished", job_id)
    svc.broker.publish({"type": "import_job", "job_id": job_id})
    return 1

