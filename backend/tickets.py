"""Tickets and the developer's service rules (docs/domain.md §4) as plain functions over a session.

Every change writes a :class:`~backend.models.TicketEvent`, so the timeline is the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from backend.models import (
    Kind,
    Level,
    Owner,
    Role,
    Staff,
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


# Statuses in which somebody has worked on the repair: only then can the owner confirm it (S7).
WORKED_STATUSES = frozenset({Status.IN_PROGRESS, Status.PENDING_OWNER_CONFIRM})
OVERRIDE_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})


class RuleViolation(ValueError):
    """A change the service rules forbid (e.g. closing a repair without the owner's confirmation)."""


@dataclass
class ServiceRules:
    """The configurable part of the rules: calendar, windows and timers."""

    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    repeat_window: timedelta = timedelta(days=90)
    engineer_contact: timedelta = timedelta(hours=24)
    survey_delay: timedelta = timedelta(hours=24)
    # S25 tiers that change service: first-contact deadline (hours) for owners of these tiers, when sooner.
    tier_contact_hours: dict[str, float] = field(default_factory=lambda: {"vip": 4.0})
    # S1: the centre's staffed hours (local); outside them emergencies still page, and paid/service
    # requests are routed to the project's property monitoring centre (物业监控中心).
    office_open: time = time(8, 30)
    office_close: time = time(18, 0)
    # S15: a complaint is resolved on time when closed within this many working days [R: no target in the seed].
    complaint_resolution_workdays: int = 5

    @classmethod
    def from_settings(cls, sla: Any, timezone: str) -> ServiceRules:
        """The rules from an SLA settings object (``bot.settings.SlaSettings``; duck-typed, backend imports no bot)."""
        def clock(value: str) -> time:
            hour, minute = (int(x) for x in value.split(":"))
            return time(hour, minute)

        return cls(
            calendar=WorkCalendar(timezone, sla.calendar_overrides, sla.close_of_business),
            repeat_window=timedelta(days=sla.repeat_window_days),
            engineer_contact=timedelta(hours=sla.engineer_contact_hours),
            survey_delay=timedelta(hours=sla.survey_delay_hours),
            tier_contact_hours=dict(getattr(sla, "tier_contact_hours", {"vip": 4.0})),
            office_open=clock(getattr(sla, "office_open", "08:30")),
            office_close=clock(getattr(sla, "office_close", "18:00")),
            complaint_resolution_workdays=int(getattr(sla, "complaint_resolution_workdays", 5)),
        )


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
        assert row is not None
        row.last += 1
        seq = row.last
    else:
        stmt: Any = ins(TicketCounter).values(day=day, last=1)  # both dialects' Insert have on_conflict_do_update
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


def complaint_key(unit_id: int | None, owner_id: int | None) -> str | None:
    """The issue key of a complaint without a category: repeats count by unit, else by owner (S11)."""
    if unit_id is not None:
        return f"{unit_id}:complaint:-"
    if owner_id is not None:
        return f"owner:{owner_id}:complaint"
    return None


def _previous_complaint(session: Session, *, unit_id: int | None, owner_id: int | None,
                        since: datetime) -> Ticket | None:
    """The latest complaint of the same unit (or, without a unit, the same owner) in the repeat window."""
    if unit_id is None and owner_id is None:
        return None
    stmt = select(Ticket).where(Ticket.kind == Kind.COMPLAINT, Ticket.created_at >= since)
    stmt = stmt.where(Ticket.unit_id == unit_id) if unit_id is not None else stmt.where(Ticket.owner_id == owner_id)
    return session.scalars(stmt.order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(1)).first()


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
    related_ticket_id: int | None = None,
) -> Ticket:
    """Open a ticket and apply the rules: number, deadlines, repeat link, escalation, ownership.

    ``taken_by_id`` is the staff member who took the contact (首问负责人); for a contact the bot
    took, the owner's advisor (客服顾问) is the first responsible person.

    Repeats (投诉上移制) are found, in this order: ``related_ticket_id`` (the owner or staff named the
    earlier ticket; it must be the same owner's or unit's), the same issue key (unit, category,
    location) within the repeat window, and for a complaint without a category the latest complaint
    of the same unit (or owner), so uncategorised complaints escalate too.
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
    since = now - rules.repeat_window
    if related_ticket_id is not None:
        named = session.get(Ticket, related_ticket_id)
        if named is not None and named.kind is not Kind.ENQUIRY and (
                (owner_id is not None and named.owner_id == owner_id)
                or (unit_id is not None and named.unit_id == unit_id)):
            prev = named
    if prev is None and ticket.issue_key:
        prev = _previous(session, ticket.issue_key, since, (Kind.REPAIR, Kind.COMPLAINT))
    if prev is None and kind is Kind.COMPLAINT and not category:
        prev = _previous_complaint(session, unit_id=unit_id, owner_id=owner_id, since=since)
        ticket.issue_key = complaint_key(unit_id, owner_id)
    if prev is not None and prev.issue_key and (not ticket.issue_key or related_ticket_id is not None):
        ticket.issue_key = prev.issue_key  # the linked chain keeps one key, so later repeats find it
    if prev is not None:
        ticket.related_ticket_id = prev.id
        if kind is Kind.REPAIR:
            ticket.repair_attempts = prev.repair_attempts + 1
            ticket.complaint_count = prev.complaint_count
        else:
            ticket.repair_attempts = prev.repair_attempts
            ticket.complaint_count = prev.complaint_count + 1
    _set_deadlines(ticket, now, rules)
    tier_hours = rules.tier_contact_hours.get(owner.tier) if owner is not None else None
    if tier_hours is not None and ticket.contact_due_at is not None:
        ticket.contact_due_at = min(ticket.contact_due_at, now + timedelta(hours=tier_hours))
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
    if ticket.urgency is Urgency.HIGH:
        ticket.contact_due_at = same_day(now, rules)
        if ticket.kind is Kind.REPAIR:
            ticket.engineer_contact_due_at = ticket.contact_due_at
        return
    ticket.contact_due_at = rules.calendar.add_workdays(now, 1)
    if ticket.kind is Kind.REPAIR:
        ticket.engineer_contact_due_at = now + rules.engineer_contact


def same_day(now: datetime, rules: ServiceRules) -> datetime:
    """The deadline of a "high" ticket (LABELS.md: handled the same day), any day of the week.

    Close of business today when reported before it; reported later, noon of the next calendar day
    (nobody can be reached at night, and the next working day would be too late).
    """
    cal = rules.calendar
    local = now.astimezone(cal.tz)
    cob = datetime.combine(local.date(), cal.close_of_business, tzinfo=cal.tz)
    if local < cob:
        return cob.astimezone(now.tzinfo)
    noon = datetime.combine(local.date() + timedelta(days=1), time(12, 0), tzinfo=cal.tz)
    return noon.astimezone(now.tzinfo)


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


def needs_owner_confirmation(ticket: Ticket) -> bool:
    """S7: a repair, or a complaint that began as a repair (3rd report, 投诉上移制), closes only on the owner's word."""
    return ticket.kind is Kind.REPAIR or ticket.repair_attempts > 0


def transition(session: Session, ticket: Ticket, to: Status, *, now: datetime, actor: str = "system",
               note: str = "") -> Ticket:
    """Move a ticket forward in its lifecycle, enforcing the rules.

    Forward moves may skip steps; ``closed`` needs the owner's confirmation for repairs and escalated
    repairs (use :func:`confirm_by_owner`, or :func:`close_with_override` for a supervisor), ``callback_done``
    comes only from a survey, ``cancelled`` from any open state.
    """
    if to is Status.CLOSED and needs_owner_confirmation(ticket) and ticket.owner_confirmed_at is None:
        raise RuleViolation("a repair closes only with the owner's recorded confirmation")
    return _move(session, ticket, to, now=now, actor=actor, note=note)


def _move(session: Session, ticket: Ticket, to: Status, *, now: datetime, actor: str, note: str) -> Ticket:
    frm = ticket.status
    if to is Status.CANCELLED:
        if frm not in OPEN_STATUSES:
            raise RuleViolation(f"cannot cancel a ticket that is {frm.value}")
    elif to is Status.CLOSED:
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


def schedule_survey(session: Session, ticket: Ticket, *, now: datetime, rules: ServiceRules) -> Survey | None:
    """S8 (100% 回访): the callback survey of a closed repair or escalated repair; None for other tickets."""
    if not needs_owner_confirmation(ticket):
        return None
    survey = Survey(ticket_id=ticket.id, owner_id=ticket.owner_id, due_at=now + rules.survey_delay, created_at=now)
    session.add(survey)
    session.flush()
    add_event(session, ticket, "survey_scheduled", at=now, due_at=survey.due_at.isoformat())
    return survey


def confirm_by_owner(session: Session, ticket: Ticket, *, satisfied: bool, now: datetime, rules: ServiceRules,
                     actor: str = "owner", comment: str = "") -> Ticket:
    """Record the owner's verdict on a finished repair.

    Only a ticket somebody has worked on (``in_progress`` or ``pending_owner_confirm``) can be confirmed;
    anything else is a :class:`RuleViolation` and records nothing.
    Satisfied: record the confirmation, close, and create the callback survey (100% 回访), also for a
    repair that escalated into a complaint. Dissatisfied: reopen, counting another repair attempt
    (which may escalate).
    """
    if ticket.status not in WORKED_STATUSES:
        raise RuleViolation(f"nothing to confirm: the ticket is {ticket.status.value}, nobody has worked on it")
    add_event(session, ticket, "owner_confirmation", at=now, actor=actor, satisfied=satisfied, comment=comment)
    if not satisfied:
        return reopen(session, ticket, now=now, actor=actor, reason=comment or "owner not satisfied")
    ticket.owner_confirmed_at = now
    transition(session, ticket, Status.CLOSED, now=now, actor=actor)
    schedule_survey(session, ticket, now=now, rules=rules)
    return ticket


def close_with_override(session: Session, ticket: Ticket, *, staff: Staff, reason: str, now: datetime,
                        rules: ServiceRules) -> Ticket:
    """A supervisor closes a worked-on repair without the owner's confirmation (owner unreachable, refuses
    access...). Needs a supervisor or admin and a reason; audited and on the timeline; the callback survey
    is still scheduled, so the owner is asked anyway.
    """
    from backend import audit  # the audit log is optional for the rest of this module

    reason = (reason or "").strip()
    if staff.role not in OVERRIDE_ROLES or not staff.active:
        raise RuleViolation("only a supervisor can close a repair without the owner's confirmation")
    if len(reason) < 4:
        raise RuleViolation("an override needs a reason")
    if ticket.status not in WORKED_STATUSES:
        raise RuleViolation(f"cannot close a ticket that is {ticket.status.value} by override: nobody has worked on it")
    actor = f"staff:{staff.id}"
    add_event(session, ticket, "closed_by_override", at=now, actor=actor, reason=reason[:500])
    _move(session, ticket, Status.CLOSED, now=now, actor=actor, note=reason[:500])
    audit.record(session, "close_override", now=now, staff=staff, target=f"ticket:{ticket.number}",
                 reason=reason[:500])
    schedule_survey(session, ticket, now=now, rules=rules)
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


# --- S4: the engineer contacts the owner and books a visit ----------------------------------------

FIELD_KINDS = (Kind.REPAIR, Kind.COMPLAINT)


def record_engineer_contact(session: Session, ticket: Ticket, *, now: datetime, actor: str,
                            note: str = "") -> Ticket:
    """S4: the warranty engineer (or staff for them) reached the owner; also counts as first contact (S3)."""
    if ticket.status not in OPEN_STATUSES:
        raise RuleViolation(f"the ticket is {ticket.status.value}")
    if ticket.engineer_contacted_at is None:
        ticket.engineer_contacted_at = now
        due = ticket.engineer_contact_due_at
        add_event(session, ticket, "engineer_contact", at=now, actor=actor, note=note,
                  on_time=due is None or now <= due)
    if ticket.status in (Status.RECEIVED, Status.TRIAGED):
        _move(session, ticket, Status.CONTACTED, now=now, actor=actor, note=note)
    ticket.first_contacted_at = ticket.first_contacted_at or now
    ticket.updated_at = now
    return ticket


def _check_window(start: datetime, end: datetime, now: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise RuleViolation("a visit window needs aware datetimes")
    if end <= start:
        raise RuleViolation("a visit window ends after it starts")
    if start <= now:
        raise RuleViolation("a visit window must be in the future")


def propose_visits(session: Session, ticket: Ticket, windows: list[tuple[datetime, datetime]], *, now: datetime,
                   actor: str) -> list[dict[str, str]]:
    """The engineer or staff offers the owner visit windows (the owner then picks one: :func:`book_visit`).

    Proposing is contacting the owner (S4). Returns the windows as ``{"start", "end"}`` ISO strings, in
    the order given; :func:`proposed_windows` reads the latest proposal back.
    """
    if not windows:
        raise RuleViolation("propose at least one visit window")
    for start, end in windows:
        _check_window(start, end, now)
    record_engineer_contact(session, ticket, now=now, actor=actor, note="visit windows proposed")
    out = [{"start": s.isoformat(), "end": e.isoformat()} for s, e in windows]
    add_event(session, ticket, "visit_proposed", at=now, actor=actor, windows=out)
    return out


def proposed_windows(session: Session, ticket: Ticket) -> list[tuple[datetime, datetime]]:
    """The windows of the latest proposal (for the owner's buttons); empty when none is open."""
    ev = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                   TicketEvent.kind == "visit_proposed")
                         .order_by(TicketEvent.id.desc()).limit(1)).first()
    if ev is None:
        return []
    return [(datetime.fromisoformat(w["start"]), datetime.fromisoformat(w["end"])) for w in ev.data["windows"]]


def book_visit(session: Session, ticket: Ticket, start: datetime, end: datetime, *, now: datetime,
               actor: str, source: str = "") -> TicketEvent:
    """Book (or reschedule) the visit; the ticket moves to ``scheduled`` and the reminder timers reset.

    ``actor`` ``owner`` (picked a proposed window, self-service reschedule, campaign reply) or
    ``staff:<id>`` (booked on the phone, which is also the S4 engineer contact). Returns the event.
    """
    if ticket.status not in OPEN_STATUSES:
        raise RuleViolation(f"cannot book a visit for a ticket that is {ticket.status.value}")
    _check_window(start, end, now)
    kind = "visit_rescheduled" if ticket.appointment_start is not None else "visit_booked"
    if actor.startswith("staff"):
        record_engineer_contact(session, ticket, now=now, actor=actor, note="visit booked")
    old = ticket.appointment_start
    ticket.appointment_start, ticket.appointment_end = start, end
    ticket.visit_reminded_at = ticket.visit_missed_at = None
    if REPAIR_FLOW.index(ticket.status) < REPAIR_FLOW.index(Status.SCHEDULED):
        _move(session, ticket, Status.SCHEDULED, now=now, actor=actor, note="visit booked")
    ticket.updated_at = now
    return add_event(session, ticket, kind, at=now, actor=actor, start=start.isoformat(), end=end.isoformat(),
                     previous=old.isoformat() if old else None, source=source)


def cancel_visit(session: Session, ticket: Ticket, *, now: datetime, actor: str, reason: str = "") -> Ticket:
    """The owner (self-service) or staff cancels the booked visit; the ticket stays open for a new booking."""
    if ticket.appointment_start is None:
        raise RuleViolation("no visit is booked")
    if ticket.status not in OPEN_STATUSES:
        raise RuleViolation(f"the ticket is {ticket.status.value}")
    add_event(session, ticket, "visit_cancelled", at=now, actor=actor, reason=reason,
              start=ticket.appointment_start.isoformat())
    ticket.appointment_start = ticket.appointment_end = None
    ticket.visit_reminded_at = ticket.visit_missed_at = None
    ticket.updated_at = now
    return ticket


def mark_arrived(session: Session, ticket: Ticket, *, now: datetime, actor: str) -> Ticket:
    """The engineer is on site: ``in_progress``."""
    ticket.arrived_at = ticket.arrived_at or now
    add_event(session, ticket, "arrived", at=now, actor=actor)
    if ticket.status is not Status.IN_PROGRESS:
        transition(session, ticket, Status.IN_PROGRESS, now=now, actor=actor)
    return ticket


def mark_done(session: Session, ticket: Ticket, *, now: datetime, actor: str, note: str = "",
              photos: list[str] | None = None) -> Ticket:
    """The engineer finished the work: ``pending_owner_confirm`` (the owner is then asked to confirm, S7)."""
    add_event(session, ticket, "work_done", at=now, actor=actor, note=note, photos=list(photos or []))
    transition(session, ticket, Status.PENDING_OWNER_CONFIRM, now=now, actor=actor, note=note)
    return ticket


def engineer_contact_overdue(session: Session, *, now: datetime, limit: int = 500) -> list[Ticket]:
    """Sweep (S4): open repairs past their engineer-contact deadline with no contact; each is flagged once
    (``engineer_contact_alerted_at``, an ``engineer_contact_overdue`` event) and returned for alerting.
    """
    stmt = (select(Ticket).where(Ticket.status.in_(OPEN_STATUSES), Ticket.engineer_contact_due_at <= now,
                                 Ticket.engineer_contacted_at.is_(None), Ticket.engineer_contact_alerted_at.is_(None),
                                 Ticket.kind.in_(FIELD_KINDS))
            .order_by(Ticket.engineer_contact_due_at).limit(limit))
    out = []
    for ticket in session.scalars(stmt).all():
        ticket.engineer_contact_alerted_at = now
        add_event(session, ticket, "engineer_contact_overdue", at=now,
                  due_at=ticket.engineer_contact_due_at.isoformat() if ticket.engineer_contact_due_at else None)
        out.append(ticket)
    return out


def visits_to_remind(session: Session, *, now: datetime, tz: Any, evening: time = time(18, 0),
                     limit: int = 500) -> list[Ticket]:
    """Sweep: visits of the coming day whose owner reminder is due (from ``evening`` local the day before).

    Each ticket is flagged once per booking (``visit_reminded_at``; a reschedule resets it).
    """
    local = now.astimezone(tz)
    horizon_day = local.date() + timedelta(days=1 if local.time() >= evening else 0)
    horizon = datetime.combine(horizon_day + timedelta(days=1), time(0, 0), tzinfo=tz)
    stmt = (select(Ticket).where(Ticket.status.in_(OPEN_STATUSES), Ticket.appointment_start > now,
                                 Ticket.appointment_start < horizon, Ticket.visit_reminded_at.is_(None))
            .order_by(Ticket.appointment_start).limit(limit))
    out = []
    for ticket in session.scalars(stmt).all():
        ticket.visit_reminded_at = now
        start = ticket.appointment_start
        add_event(session, ticket, "visit_reminder", at=now, start=start.isoformat() if start else None)
        out.append(ticket)
    return out


def missed_visits(session: Session, *, now: datetime, grace: timedelta = timedelta(minutes=30),
                  limit: int = 500) -> list[Ticket]:
    """Sweep: booked visits whose window ended ``grace`` ago with nobody marked arrived; flagged once,
    returned so the supervisor is alerted.
    """
    stmt = (select(Ticket).where(Ticket.status.in_(OPEN_STATUSES), Ticket.appointment_end <= now - grace,
                                 Ticket.arrived_at.is_(None), Ticket.visit_missed_at.is_(None))
            .order_by(Ticket.appointment_end).limit(limit))
    out = []
    for ticket in session.scalars(stmt).all():
        ticket.visit_missed_at = now
        add_event(session, ticket, "visit_missed", at=now, start=ticket.appointment_start.isoformat()
                  if ticket.appointment_start else None)
        out.append(ticket)
    return out


@dataclass
class ContactTimeliness:
    """One row of the S3/S4 timeliness report (per project and local month of creation)."""

    project_id: int | None
    month: str
    tickets: int = 0
    first_contact_on_time: int = 0
    engineer_contact_on_time: int = 0
    engineer_contact_late: int = 0
    engineer_contact_missing: int = 0


def contact_timeliness(session: Session, *, start: datetime, end: datetime, now: datetime,
                       tz: Any) -> list[ContactTimeliness]:
    """First-contact (S3) and engineer-contact (S4) timeliness of repairs created in ``[start, end)``.

    ``engineer_contact_missing`` counts repairs whose deadline passed with no contact by ``now``.
    """
    stmt = select(Ticket).where(Ticket.created_at >= start, Ticket.created_at < end, Ticket.kind.in_(FIELD_KINDS),
                                Ticket.status != Status.CANCELLED)
    rows: dict[tuple[int | None, str], ContactTimeliness] = {}
    for t in session.scalars(stmt):
        if not needs_owner_confirmation(t):
            continue
        month = t.created_at.astimezone(tz).strftime("%Y-%m")
        row = rows.setdefault((t.project_id, month), ContactTimeliness(t.project_id, month))
        row.tickets += 1
        if t.first_contacted_at and t.contact_due_at and t.first_contacted_at <= t.contact_due_at:
            row.first_contact_on_time += 1
        due = t.engineer_contact_due_at
        if due is None:
            continue
        if t.engineer_contacted_at is not None:
            if t.engineer_contacted_at <= due:
                row.engineer_contact_on_time += 1
            else:
                row.engineer_contact_late += 1
        elif due < now:
            row.engineer_contact_missing += 1
    return sorted(rows.values(), key=lambda r: (r.month, r.project_id or 0))


# --- S1 night routing, S12 responsible party, S13 expert advisors, S15 resolution timeliness -------

RESPONSIBLE_PARTIES = frozenset({"cs_staff", "property_maintenance", "contractor", "repairer"})
EXPERT_DOMAINS = frozenset({"legal", "engineering", "design", "marketing", "media"})


def after_hours(now: datetime, rules: ServiceRules) -> bool:
    """True outside the centre's staffed hours on the local clock, or on a day off (S1)."""
    local = now.astimezone(rules.calendar.tz)
    if not rules.calendar.is_workday(local.date()):
        return True
    return not rules.office_open <= local.time() < rules.office_close


def route_for(*, kind: Kind, urgency: Urgency, paid: bool, now: datetime, rules: ServiceRules) -> str:
    """S1 (夜间紧急事件及有偿家政维修 → 物业监控中心): where a request goes right now.

    ``dispatch``: an emergency repair, any hour (S2: the on-call engineer is paged; at night the owner is
    also told to call the monitoring centre by intercom). ``monitoring_centre``: a paid repair, or any
    non-emergency request, outside staffed hours. ``centre``: the customer-relations centre.
    """
    if kind is Kind.REPAIR and urgency is Urgency.EMERGENCY:
        return "dispatch"
    if after_hours(now, rules) and (paid or kind is Kind.REPAIR):
        return "monitoring_centre"
    return "centre"


def responsible_party_for(ticket: Ticket, *, in_warranty: bool | None,
                          construction_defect: bool | None) -> str | None:
    """S12 累计处罚制, who answers for an escalated item (internal only): the CS staff for complaints, the
    repairer for a repeat caused by slow or failed repair, the contractor for construction defects, property
    maintenance for in-warranty defects not caused by construction and for out-of-warranty repairs.
    None: not decidable yet (a repair whose cause nobody has assessed).
    """
    if ticket.repair_attempts >= 3:
        return "contractor" if construction_defect else "repairer"
    if not needs_owner_confirmation(ticket):
        return "cs_staff"
    if construction_defect:
        return "contractor"
    if in_warranty is False or construction_defect is False:
        return "property_maintenance"
    return None


def set_responsible_party(session: Session, ticket: Ticket, party: str, *, now: datetime, actor: str,
                          reason: str = "") -> Ticket:
    """Record (or correct) the responsible party of a ticket (S12), on the timeline."""
    if party not in RESPONSIBLE_PARTIES:
        raise RuleViolation(f"responsible party must be one of {sorted(RESPONSIBLE_PARTIES)}")
    old = ticket.responsible_party
    ticket.responsible_party = party
    ticket.updated_at = now
    add_event(session, ticket, "responsible_party", at=now, actor=actor, **{"from": old, "to": party},
              reason=reason)
    return ticket


def refer_to_expert(session: Session, ticket: Ticket, domain: str, *, now: datetime, actor: str,
                    note: str = "") -> TicketEvent:
    """S13 顾问支持制: ask the legal, engineering, design, marketing or media advisor to support the case."""
    if domain not in EXPERT_DOMAINS:
        raise RuleViolation(f"expert domain must be one of {sorted(EXPERT_DOMAINS)}")
    if ticket.status not in OPEN_STATUSES:
        raise RuleViolation(f"the ticket is {ticket.status.value}")
    return add_event(session, ticket, "expert_referral", at=now, actor=actor, domain=domain, note=note)


def expert_referrals(session: Session, ticket: Ticket) -> list[str]:
    """The expert domains a ticket was referred to, in order."""
    return [e.data["domain"] for e in session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "expert_referral")
        .order_by(TicketEvent.id))]


@dataclass
class ResolutionYear:
    """S15 投诉处理及时率 to resolution, one row per local year of the complaint."""

    year: int
    complaints: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    open_overdue: int = 0
    open_in_time: int = 0

    @property
    def rate(self) -> float | None:
        """On time ÷ complaints whose outcome is known (resolved, or open past the deadline)."""
        known = self.resolved_on_time + self.resolved_late + self.open_overdue
        return round(self.resolved_on_time / known, 4) if known else None


def complaint_resolution_by_year(session: Session, *, now: datetime, rules: ServiceRules) -> list[ResolutionYear]:
    """S15: complaints resolved (closed) within ``complaint_resolution_workdays`` working days, per year."""
    years: dict[int, ResolutionYear] = {}
    tz = rules.calendar.tz
    for t in session.scalars(select(Ticket).where(Ticket.kind == Kind.COMPLAINT, Ticket.status != Status.CANCELLED)):
        row = years.setdefault(t.created_at.astimezone(tz).year, ResolutionYear(t.created_at.astimezone(tz).year))
        row.complaints += 1
        due = rules.calendar.add_workdays(t.created_at, rules.complaint_resolution_workdays)
        if t.closed_at is not None:
            if t.closed_at <= due:
                row.resolved_on_time += 1
            else:
                row.resolved_late += 1
        elif due < now:
            row.open_overdue += 1
        else:
            row.open_in_time += 1
    return [years[y] for y in sorted(years)]


# --- S5 transparent repair plan, S10 advisors' regular contact ------------------------------------


def agree_plan(session: Session, ticket: Ticket, plan: str, *, now: datetime, actor: str,
               options: list[str] | None = None) -> Ticket:
    """S5: the repair plan explained to the owner (what, how, how long, who pays) and agreed: ``plan_agreed``.

    The plan text (and any alternatives offered) goes on the timeline; an empty plan is refused.
    """
    plan = (plan or "").strip()
    if len(plan) < 4:
        raise RuleViolation("write the repair plan the owner agreed to")
    add_event(session, ticket, "plan", at=now, actor=actor, plan=plan[:2000], options=list(options or []))
    return transition(session, ticket, Status.PLAN_AGREED, now=now, actor=actor, note="plan agreed")


def advisor_contact_due(session: Session, *, now: datetime, every: timedelta = timedelta(days=90),
                        advisor_id: int | None = None) -> list[tuple[int, int, datetime | None]]:
    """S10 客服顾问制: the owners each advisor has not been in touch with for ``every`` (a call list).

    A contact is a staff message from the advisor in one of the owner's conversations, or an entry by the
    advisor on one of the owner's tickets. Returns ``(advisor_id, owner_id, last_contact)`` rows, owners
    never contacted first.
    """
    from backend.models import Conversation, Message

    stmt = select(Owner.id, Owner.advisor_id).where(Owner.advisor_id.is_not(None), Owner.deleted_at.is_(None))
    if advisor_id is not None:
        stmt = stmt.where(Owner.advisor_id == advisor_id)
    owners = session.execute(stmt).all()
    if not owners:
        return []
    last: dict[int, datetime] = {}
    ids: list[int] = [o for o, _ in owners if o is not None]
    advisor_of: dict[int, int] = {o: a for o, a in owners if o is not None and a is not None}
    for owner_id, author, at in session.execute(
            select(Conversation.owner_id, Message.author, func.max(Message.created_at))
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Conversation.owner_id.in_(ids), Message.direction == "out", Message.author.like("staff:%"))
            .group_by(Conversation.owner_id, Message.author)):
        if owner_id is not None and author == f"staff:{advisor_of.get(owner_id)}":
            last[owner_id] = max(at, last.get(owner_id, at))
    for owner_id, actor, at in session.execute(
            select(Ticket.owner_id, TicketEvent.actor, func.max(TicketEvent.at))
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(Ticket.owner_id.in_(ids), TicketEvent.actor.like("staff:%"))
            .group_by(Ticket.owner_id, TicketEvent.actor)):
        if owner_id is not None and actor == f"staff:{advisor_of.get(owner_id)}":
            last[owner_id] = max(at, last.get(owner_id, at))
    due = [(advisor_of[o], o, last.get(o)) for o in ids if last.get(o) is None or last[o] < now - every]
    return sorted(due, key=lambda r: (r[0], r[2] is not None, r[2] or now, r[1]))
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
