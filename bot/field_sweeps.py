"""Field-work sweeps (S4 and appointments): engineer contact overdue, the owner's visit reminder the evening
before, missed visits. The rules live in :mod:`backend.tickets`; this module only alerts and sends.

They are listed in :data:`bot.sweeps.SWEEPS`.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import tickets
from backend.db import transaction
from backend.models import ConsoleAlert, Ticket, TicketEvent
from backend.notify import Job, Notice, queue_jobs
from backend.outbox import Priority
from bot.dialogs.texts import render
from bot.proactive_sweeps import _staff_with_roles, notify_staff, policy
from bot.services import Services

ALERT_ROLES = ["supervisor"]
VISIT_EVENING = time(18, 0)
MISSED_GRACE = timedelta(minutes=30)


def _alert(session: Session, svc: Services, ticket: Ticket, kind: str, key: str, since: datetime,
           now: datetime) -> None:
    session.add(ConsoleAlert(kind=kind, conversation_id=ticket.conversation_id, ticket_id=ticket.id, since=since,
                             created_at=now))
    notify_staff(session, svc, _staff_with_roles(session, ALERT_ROLES), key, now, ref=ticket.id,
                 ticket=ticket.number, ticket_id=ticket.id,
                 due=svc.format_local(since))
    svc.broker.publish({"type": "alert", "kind": kind, "ticket": ticket.number})


def engineer_contact_alerts(svc: Services, now: datetime) -> int:
    """S4: alert supervisors (console alert + message) once per repair whose engineer has not called in time."""
    with transaction(svc.sessions) as session:
        late = tickets.engineer_contact_overdue(session, now=now)
        for t in late:
            _alert(session, svc, t, "engineer_contact", "staff_engineer_contact_overdue",
                   t.engineer_contact_due_at or now, now)
    return len(late)


def _booking_ref(session: Session, ticket: Ticket) -> int:
    """The id of the latest booking event: one reminder per booking, a reschedule gets its own."""
    ref = session.scalar(select(TicketEvent.id).where(
        TicketEvent.ticket_id == ticket.id, TicketEvent.kind.in_(("visit_booked", "visit_rescheduled")))
        .order_by(TicketEvent.id.desc()).limit(1))
    return int(ref or ticket.id)


def visit_reminders(svc: Services, now: datetime) -> int:
    """Remind owners the evening before a booked visit, with reschedule / cancel buttons.

    Never inside quiet hours: a reminder missed in the evening goes out in the morning before the visit.
    """
    if svc.quiet.next_allowed(now) is not None:
        return 0
    with transaction(svc.sessions) as session:
        due = tickets.visits_to_remind(session, now=now, tz=svc.tz, evening=VISIT_EVENING)
        jobs: list[Job] = []
        for t in due:
            if t.owner_id is None or t.appointment_start is None or t.appointment_end is None:
                continue
            start, end = t.appointment_start.astimezone(svc.tz), t.appointment_end.astimezone(svc.tz)
            window = f"{start:%Y-%m-%d %H:%M}-{end:%H:%M}"

            def build(lang: str, number: str = t.number, window: str = window, tid: int = t.id) -> Notice:
                replies = ({"label": render("visit_reschedule_button", lang), "payload": f"visit:reschedule:{tid}"},
                           {"label": render("visit_cancel_button", lang), "payload": f"visit:cancel:{tid}"})
                return Notice(text=render("visit_reminder", lang, ticket=number, window=window),
                              template="service_notice", quick_replies=replies)

            jobs.append(Job("visit", _booking_ref(session, t), t.owner_id, build))
        queue_jobs(session, jobs, now=now, policy=policy(svc), priority=Priority.REPLY)
    return len(due)


def missed_visit_alerts(svc: Services, now: datetime) -> int:
    """Alert supervisors once about a booked visit nobody arrived for."""
    with transaction(svc.sessions) as session:
        missed = tickets.missed_visits(session, now=now, grace=MISSED_GRACE)
        for t in missed:
            _alert(session, svc, t, "visit_missed", "staff_visit_missed", t.appointment_start or now, now)
    return len(missed)



def handover_reminders(svc: Services, now: datetime) -> int:
    """S24: prompt buyers who have not taken handover (daytime only: 10:00-20:00 local)."""
    from backend import progress

    if not time(10, 0) <= now.astimezone(svc.tz).time() < time(20, 0):
        return 0
    with transaction(svc.sessions) as session:
        return progress.remind_handover(session, now=now, tz=svc.tz, policy=policy(svc))



def signing_surveys(svc: Services, now: datetime) -> int:
    """S18: owe a satisfaction survey to recent buyers (the survey sweep then sends it)."""
    from backend import surveys

    with transaction(svc.sessions) as session:
        return surveys.schedule_signing_surveys(session, now=now, rules=svc.rules, tz=svc.tz)

