"""Tickets and the developer's service rules (DOMAIN.md §4) as plain functions over a session.

Every change writes a :class:`~backend.models.TicketEvent`, so the timeline is the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from backend.models import (
    Kind,
    Level,
    Owner,
    Status,
    Survey,
    Ticket,
    TicketCounter,
    TicketEvent,
    Unit,
    Urgency,
)
from backend.workdays import WorkCalendar

LEVEL_ORDER = [Level.CS, Level.DEV_DEPT, Level.HQ]
OPEN_STATUSES = frozenset(Status) - {Status.CLOSED, Status.CALLBACK_DONE, Status.CANCELLED}
REPAIR_FLOW = [
    Status.RECEIVED,
    Status.TRIAGED,
    Status.CONTACTED,
    Status.SCHEDULED,
    Status.PLAN_AGREED,
    Status.IN_PROGRESS,
    Status.PENDING_OWNER_CONFIRM,
    Status.CLOSED,
    Status.CALLBACK_DONE,
]


class RuleViolation(ValueError):
    """A change the service rules forbid (e.g. closing a repair without the owner's confirmation)."""


@dataclass
class ServiceRules:
    """The configurable part of the rules: calendar, windows and timers."""

    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    repeat_window: timedelta = timedelta(days=90)
    engineer_contact: timedelta = timedelta(hours=24)
    survey_delay: timedelta = timedelta(hours=24)


def level_for(repair_attempts: int, complaint_count: int) -> Level:
    """投诉上移制: the higher of the level from repeat repairs and from repeat complaints.

    Repairs: attempts 1-2 CS, 3 DEV_DEPT, 4+ HQ. Complaints: 1 CS, 2 DEV_DEPT, 3+ HQ.
    """
    from_repairs = 0 if repair_attempts <= 2 else (1 if repair_attempts == 3 else 2)
    from_complaints = 0 if complaint_count <= 1 else (1 if complaint_count == 2 else 2)
    return LEVEL_ORDER[max(from_repairs, from_complaints)]


def add_event(session: Session, ticket: Ticket, event_kind: str, *, at: datetime, actor: str = "system",
              **data: Any) -> TicketEvent:
    """Append one entry to the ticket's timeline."""
    ev = TicketEvent(ticket_id=ticket.id, kind=event_kind, actor=actor, at=at, data=data)
    session.add(ev)
    return ev


def next_number(session: Session, at: datetime, tz: Any) -> str:
    """A readable, race-free ticket number like ``AJ-20261127-0042`` (per local day)."""
    day = at.astimezone(tz).strftime("%Y%m%d")
    dialect = session.get_bind().dialect.name
    ins = {"postgresql": pg_insert, "sqlite": sqlite_insert}.get(dialect)
    if ins is None:  # pragma: no cover - other databases
        row = session.get(TicketCounter, day, with_for_update=True)
        if row is None:
            session.execute(insert(TicketCounter).values(day=day, last=0))
            row = session.get(TicketCounter, day)
        row.last += 1
        seq = row.last
    else:
        stmt = ins(TicketCounter).values(day=day, last=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=["day"], set_={"last": TicketCounter.last + 1}
        ).returning(TicketCounter.last)
        seq = session.execute(stmt).scalar_one()
    return f"AJ-{day}-{seq:04d}"


def issue_key(unit_id: int | None, category: str | None, location: str | None) -> str | None:
    """同类问题: the same unit, defect category and place in the home."""
    if unit_id is None or not category:
        return None
    return f"{unit_id}:{category}:{location or '-'}"


def _previous(session: Session, key: str, since: datetime, kinds: tuple[Kind, ...]) -> Ticket | None:
    stmt = (
        select(Ticket)
        .where(Ticket.issue_key == key, Ticket.created_at >= since, Ticket.kind.in_(kinds))
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def create_ticket(
    session: Session,
    *,
    kind: Kind,
    now: datetime,
    rules: ServiceRules,
    urgency: Urgency = Urgency.NORMAL,
    category: str | None = None,
    location: str | None = None,
    description: str = "",
    owner_id: int | None = None,
    unit_id: int | None = None,
    conversation_id: int | None = None,
    taken_by_id: int | None = None,
    actor: str = "bot",
) -> Ticket:
    """Open a ticket and apply the rules: number, deadlines, repeat link, escalation, ownership.

    ``taken_by_id`` is the staff member who took the contact (首问负责人); for a contact the bot
    took, the owner's advisor (客服顾问) is the first responsible person.
    """
    if kind is not Kind.REPAIR:
        category = None if kind is Kind.ENQUIRY else category
    owner = session.get(Owner, owner_id) if owner_id else None
    unit = session.get(Unit, unit_id) if unit_id else None
    advisor_id = owner.advisor_id if owner else None
    ticket = Ticket(
        number=next_number(session, now, rules.calendar.tz),
        kind=kind,
        urgency=urgency if kind is not Kind.ENQUIRY else Urgency.NORMAL,
        category=category,
        location=location,
        description=description,
        owner_id=owner_id,
        unit_id=unit_id,
        project_id=unit.building.project_id if unit else None,
        conversation_id=conversation_id,
        issue_key=issue_key(unit_id, category, location) if kind is not Kind.ENQUIRY else None,
        advisor_id=advisor_id,
        first_contact_owner_id=taken_by_id or advisor_id,
        repair_attempts=1 if kind is Kind.REPAIR else 0,
        complaint_count=1 if kind is Kind.COMPLAINT else 0,
        created_at=now,
        updated_at=now,
    )
    prev = None
    if ticket.issue_key:
        prev = _previous(session, ticket.issue_key, now - rules.repeat_window, (Kind.REPAIR, Kind.COMPLAINT))
    if prev is not None:
        ticket.related_ticket_id = prev.id
        if kind is Kind.REPAIR:
            ticket.repair_attempts = prev.repair_attempts + 1
            ticket.complaint_count = prev.complaint_count
        else:
            ticket.repair_attempts = prev.repair_attempts
            ticket.complaint_count = prev.complaint_count + 1
    _set_deadlines(ticket, now, rules)
    session.add(ticket)
    session.flush()
    add_event(session, ticket, "created", at=now, actor=actor, ticket_kind=kind.value, urgency=ticket.urgency.value,
              category=category, location=location)
    if prev is not None:
        add_event(session, ticket, "linked_repeat", at=now, related=prev.number,
                  repair_attempts=ticket.repair_attempts, complaint_count=ticket.complaint_count)
    _apply_escalation(session, ticket, now)
    return ticket


def _set_deadlines(ticket: Ticket, now: datetime, rules: ServiceRules) -> None:
    if ticket.kind is Kind.REPAIR and ticket.urgency is Urgency.EMERGENCY:
        ticket.contact_due_at = now  # dispatch at once
        return
    ticket.contact_due_at = rules.calendar.add_workdays(now, 1)
    if ticket.kind is Kind.REPAIR:
        ticket.engineer_contact_due_at = now + rules.engineer_contact


def _apply_escalation(session: Session, ticket: Ticket, now: datetime) -> None:
    """Recompute the level; a 3rd repair attempt turns the repair into a complaint."""
    if ticket.kind is Kind.REPAIR and ticket.repair_attempts >= 3:
        ticket.kind = Kind.COMPLAINT
        ticket.complaint_count = max(ticket.complaint_count, 1)
        add_event(session, ticket, "converted_to_complaint", at=now, repair_attempts=ticket.repair_attempts)
    new_level = level_for(ticket.repair_attempts, ticket.complaint_count)
    if LEVEL_ORDER.index(new_level) > LEVEL_ORDER.index(ticket.level):
        old = ticket.level
        ticket.level = new_level
        ticket.responsible_party = "repairer" if ticket.repair_attempts >= 3 else "cs_staff"
        add_event(session, ticket, "escalated", at=now, **{"from": old.value, "to": new_level.value,
                  "responsible_party": ticket.responsible_party})


def transition(session: Session, ticket: Ticket, to: Status, *, now: datetime, actor: str = "system",
               note: str = "") -> Ticket:
    """Move a ticket forward in its lifecycle, enforcing the rules.

    Forward moves may skip steps; ``closed`` needs the owner's confirmation for repairs (use
    :func:`confirm_by_owner`), ``callback_done`` comes only from a survey, ``cancelled`` from any open state.
    """
    frm = ticket.status
    if to is Status.CANCELLED:
        if frm not in OPEN_STATUSES:
            raise RuleViolation(f"cannot cancel a ticket that is {frm.value}")
    elif to is Status.CLOSED:
        if ticket.kind is Kind.REPAIR and ticket.owner_confirmed_at is None:
            raise RuleViolation("a repair closes only with the owner's recorded confirmation")
        if frm not in OPEN_STATUSES:
            raise RuleViolation(f"cannot close a ticket that is {frm.value}")
    elif to is Status.CALLBACK_DONE:
        if frm is not Status.CLOSED:
            raise RuleViolation("callback_done follows closed")
    elif frm not in OPEN_STATUSES or REPAIR_FLOW.index(to) <= REPAIR_FLOW.index(frm):
        raise RuleViolation(f"cannot move from {frm.value} to {to.value}")
    if to is Status.CONTACTED or (to in REPAIR_FLOW[3:7] and ticket.first_contacted_at is None):
        ticket.first_contacted_at = ticket.first_contacted_at or now
    ticket.status = to
    ticket.updated_at = now
    if to is Status.CLOSED:
        ticket.closed_at = now
    add_event(session, ticket, "status", at=now, actor=actor, **{"from": frm.value, "to": to.value, "note": note})
    return ticket


def confirm_by_owner(session: Session, ticket: Ticket, *, satisfied: bool, now: datetime, rules: ServiceRules,
                     actor: str = "owner", comment: str = "") -> Ticket:
    """Record the owner's verdict on a finished repair.

    Satisfied: record the confirmation, close, and create the callback survey (100% 回访).
    Dissatisfied: reopen, counting another repair attempt (which may escalate).
    """
    add_event(session, ticket, "owner_confirmation", at=now, actor=actor, satisfied=satisfied, comment=comment)
    if not satisfied:
        return reopen(session, ticket, now=now, actor=actor, reason=comment or "owner not satisfied")
    ticket.owner_confirmed_at = now
    transition(session, ticket, Status.CLOSED, now=now, actor=actor)
    if ticket.kind is Kind.REPAIR or ticket.repair_attempts:
        survey = Survey(ticket_id=ticket.id, owner_id=ticket.owner_id, due_at=now + rules.survey_delay,
                        created_at=now)
        session.add(survey)
        session.flush()
        add_event(session, ticket, "survey_scheduled", at=now, due_at=survey.due_at.isoformat())
    return ticket


def reopen(session: Session, ticket: Ticket, *, now: datetime, actor: str = "system", reason: str = "") -> Ticket:
    """Reopen a finished or closed ticket; for repairs this is another attempt (投诉上移制)."""
    frm = ticket.status
    if frm in (Status.RECEIVED, Status.TRIAGED, Status.CANCELLED):
        raise RuleViolation(f"cannot reopen a ticket that is {frm.value}")
    if ticket.repair_attempts:
        ticket.repair_attempts += 1
    else:
        ticket.complaint_count += 1
    ticket.status = Status.TRIAGED
    ticket.owner_confirmed_at = None
    ticket.closed_at = None
    ticket.updated_at = now
    add_event(session, ticket, "reopened", at=now, actor=actor, reason=reason, **{"from": frm.value},
              repair_attempts=ticket.repair_attempts, complaint_count=ticket.complaint_count)
    _apply_escalation(session, ticket, now)
    return ticket


def assign(session: Session, ticket: Ticket, staff_id: int | None, *, now: datetime, actor: str) -> Ticket:
    """Set the assignee (an event on the timeline)."""
    ticket.assignee_id = staff_id
    ticket.updated_at = now
    add_event(session, ticket, "assigned", at=now, actor=actor, staff_id=staff_id)
    return ticket


def is_overdue(ticket: Ticket, now: datetime) -> bool:
    """True when first contact is still owed and its deadline has passed."""
    return (
        ticket.status in OPEN_STATUSES
        and ticket.first_contacted_at is None
        and ticket.contact_due_at is not None
        and ticket.contact_due_at < now
    )


def count_open(session: Session) -> int:
    """Open tickets (for the console header)."""
    return session.scalar(select(func.count()).select_from(Ticket).where(Ticket.status.in_(OPEN_STATUSES))) or 0


def record_first_contact(session: Session, ticket: Ticket, *, now: datetime, actor: str, via: str = "chat") -> bool:
    """Record that staff reached the owner (a chat reply, a call): stops the first-contact SLA clock.

    Only the first contact counts; returns False (and changes nothing) when it was already recorded or the
    ticket is no longer open.
    """
    if ticket.first_contacted_at is not None or ticket.status not in OPEN_STATUSES:
        return False
    ticket.first_contacted_at = now
    ticket.updated_at = now
    add_event(session, ticket, "first_contact", at=now, actor=actor, via=via)
    return True
