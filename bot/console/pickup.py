"""The pickup sweep: alert supervisors when a waiting owner has not been picked up in time.

Listed in :data:`bot.sweeps.SWEEPS`, with the interval from ``config/console.yml``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import select

from backend import conversations as convs
from backend.db import transaction
from backend.models import Role, Staff
from backend.outbox import Priority
from backend.staff_notify import notify_staff
from bot.console.i18n import translate
from bot.services import Services


def _alert_text(supervisor: Staff, *, detail: str) -> str:
    return f"{translate('alert_pickup', supervisor.language)}: {detail}"


def pickup_sweep(svc: Services, now: datetime) -> int:
    """Raise one alert per overdue waiting period; tell the console and every supervisor's phone/chat."""
    minutes = svc.settings.sla.handoff_pickup_minutes
    with transaction(svc.sessions) as session:
        alerts = convs.raise_pickup_alerts(session, now=now, pickup=timedelta(minutes=minutes))
        if alerts:
            supervisors = session.scalars(select(Staff).where(Staff.role == Role.SUPERVISOR,
                                                              Staff.active.is_(True))).all()
            for alert in alerts:
                link = f"{svc.settings.public_url.rstrip('/')}/console/conversations/{alert.conversation_id}"
                notify_staff(
                    session, supervisors, now=now, enabled=svc.channels, purpose="page", priority=Priority.PAGE,
                    every_channel=True,
                    text=partial(_alert_text, detail=f"#{alert.conversation_id} ({minutes} min) {link}"),
                    dedupe=f"pickup:{alert.id}:{{staff}}:{{channel}}")
        found = [(a.id, a.conversation_id) for a in alerts]
    for alert_id, conv_id in found:
        svc.broker.publish({"type": "alert", "kind": "pickup_timeout", "alert_id": alert_id,
                            "conversation_id": conv_id, "minutes": minutes})
    return len(found)

