"""Scheduled sweeps over due rows. Each is a plain function ``(services, now) -> rows handled``.

:data:`SWEEPS` is the one list of them: ``anju serve`` (the embedded worker), ``anju worker`` and
``anju worker --once`` all read it. Nothing registers itself at import time; a new sweep is a function
in its own module plus one line here.

APScheduler only triggers them; the business timers are columns, so a restart or a second worker
loses nothing (rows are claimed with SKIP LOCKED on PostgreSQL).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from backend import dispatch
from backend.db import transaction
from bot import field_sweeps as field
from bot import ops_sweeps as ops
from bot import proactive_sweeps as proactive
from bot.console.i18n import config as console_config
from bot.console.pickup import pickup_sweep
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


# name -> (interval in seconds, sweep): every sweep a worker runs, in the order ``run_all`` runs them.
SWEEPS: dict[str, tuple[float, Sweep]] = {
    "escalate_pages": (10.0, escalate_pages),
    "publish_progress": (30.0, proactive.publish_progress),
    "maintenance_campaigns": (60.0, proactive.maintenance_campaigns),
    "grant_warranty": (3600.0, proactive.grant_warranty),
    "warranty_reminders": (300.0, proactive.warranty_reminders),
    "surveys_due": (60.0, proactive.surveys_due),
    "survey_alerts": (60.0, proactive.survey_alerts),
    "progress_missing": (3600.0, proactive.progress_missing),
    "confirmations_due": (30.0, proactive.confirmations_due),
    "engineer_contact_alerts": (300.0, field.engineer_contact_alerts),
    "visit_reminders": (600.0, field.visit_reminders),
    "missed_visit_alerts": (600.0, field.missed_visit_alerts),
    "handover_reminders": (3600.0, field.handover_reminders),
    "signing_surveys": (3600.0, field.signing_surveys),
    "handoff_pickup": (console_config().pickup_sweep_seconds, pickup_sweep),
    "rota_coverage": (ops.INTERVAL_S, ops.coverage_sweep),
    "import_jobs": (2.0, ops.import_sweep),
}
# Scheduled by workers only, never by ``run_all`` (tests, ``--once``): the coverage check's first run is an
# hour after start, and CSV imports are jobs a worker picks up.
WORKER_ONLY = frozenset({"rota_coverage", "import_jobs"})


def run_all(svc: Services, now: datetime | None = None) -> dict[str, int]:
    """Run every sweep once (tests, and ``anju worker --once``)."""
    now = now or svc.clock()
    return {name: sweep(svc, now) for name, (_interval, sweep) in SWEEPS.items() if name not in WORKER_ONLY}
