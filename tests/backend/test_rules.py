"""Service rules the audit found missing or loose (issue 16): S2, S3, S4, S7, S8, S11 loopholes, appointments."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import dispatch
from backend.models import AuditLog, DispatchPage, Kind, Level, OnCallShift, Role, Status, Survey, TicketEvent, Urgency
from backend.tickets import (
    RuleViolation,
    ServiceRules,
    book_visit,
    cancel_visit,
    close_with_override,
    confirm_by_owner,
    contact_timeliness,
    create_ticket,
    engineer_contact_overdue,
    mark_arrived,
    mark_done,
    missed_visits,
    propose_visits,
    proposed_windows,
    record_engineer_contact,
    transition,
    visits_to_remind,
)
from tests.factories import make_owner, make_staff

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=SH)  # a Tuesday
RULES = ServiceRules()


def kinds(session: Session, ticket_id: int) -> list[str]:
    return list(session.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket_id)
                                .order_by(TicketEvent.id)))


def third_report(session: Session):  # noqa: ANN201
    """A repair reported a 3rd time: a complaint at the developer's department (投诉上移制)."""
    owner = make_owner(session)
    unit_id = owner.ownerships[0].unit_id
    t = None
    for day in range(3):
        t = create_ticket(session, kind=Kind.REPAIR, now=NOW + timedelta(days=day), rules=RULES, owner_id=owner.id,
                          unit_id=unit_id, category="water", location="bathroom")
    assert t is not None and (t.kind, t.level) == (Kind.COMPLAINT, Level.DEV_DEPT)
    return t


# --- S7 / S8 for escalated repairs ----------------------------------------------------------------


def test_escalated_repair_cannot_close_without_owner_confirmation(session: Session) -> None:
    t = third_report(session)
    transition(session, t, Status.IN_PROGRESS, now=NOW)
    with pytest.raises(RuleViolation):
        transition(session, t, Status.CLOSED, now=NOW)
    assert t.status is Status.IN_PROGRESS


def test_escalated_repair_confirmed_gets_a_callback_survey(session: Session) -> None:
    t = third_report(session)
    transition(session, t, Status.PENDING_OWNER_CONFIRM, now=NOW)
    confirm_by_owner(session, t, satisfied=True, now=NOW, rules=RULES)
    assert t.status is Status.CLOSED
    assert session.scalars(select(Survey).where(Survey.ticket_id == t.id)).one().due_at == NOW + RULES.survey_delay


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.TRIAGED, Status.CONTACTED, Status.SCHEDULED,
                                    Status.PLAN_AGREED])
@pytest.mark.parametrize("satisfied", [True, False])
def test_no_confirmation_on_a_ticket_nobody_worked_on(session: Session, status: Status, satisfied: bool) -> None:
    owner = make_owner(session)
    t = create_ticket(session, kind=Kind.REPAIR, now=NOW, rules=RULES, owner_id=owner.id,
                      unit_id=owner.ownerships[0].unit_id, category="water")
    if status is not Status.RECEIVED:
        transition(session, t, status, now=NOW)
    with pytest.raises(RuleViolation):
        confirm_by_owner(session, t, satisfied=satisfied, now=NOW, rules=RULES)
    assert t.owner_confirmed_at is None and t.status is status and t.repair_attempts == 1
    assert "owner_confirmation" not in kinds(session, t.id)


def test_plain_complaint_closes_without_confirmation_and_owes_no_survey(session: Session) -> None:
    owner = make_owner(session)
    c = create_ticket(session, kind=Kind.COMPLAINT, now=NOW, rules=RULES, owner_id=owner.id,
                      unit_id=owner.ownerships[0].unit_id, description="噪音")
    transition(session, c, Status.CLOSED, now=NOW)
    assert c.status is Status.CLOSED


# --- supervisor override --------------------------------------------------------------------------


def test_supervisor_override_closes_with_reason_audit_and_survey(session: Session) -> None:
    sup = make_staff(session, Role.SUPERVISOR)
    t = third_report(session)
    transition(session, t, Status.IN_PROGRESS, now=NOW)
    close_with_override(session, t, staff=sup, reason="业主出国，电话无法联系", now=NOW, rules=RULES)
    assert t.status is Status.CLOSED and t.owner_confirmed_at is None
    assert "closed_by_override" in kinds(session, t.id)
    audit = session.scalars(select(AuditLog).where(AuditLog.action == "close_override")).one()
    assert audit.staff_id == sup.id and audit.target == f"ticket:{t.number}"
    assert session.scalars(select(Survey).where(Survey.ticket_id == t.id)).one()


@pytest.mark.parametrize(("role", "reason", "status"), [
    (Role.AGENT, "业主出国，电话无法联系", Status.IN_PROGRESS),
    (Role.ENGINEER, "业主出国，电话无法联系", Status.IN_PROGRESS),
    (Role.SUPERVISOR, "  ", Status.IN_PROGRESS),
    (Role.SUPERVISOR, "业主出国，电话无法联系", Status.SCHEDULED),
])
def test_override_refused(session: Session, role: Role, reason: str, status: Status) -> None:
    staff = make_staff(session, role)
    owner = make_owner(session)
    t = create_ticket(session, kind=Kind.REPAIR, now=NOW, rules=RULES, owner_id=owner.id,
                      unit_id=owner.ownerships[0].unit_id, category="water")
    transition(session, t, status, now=NOW)
    with pytest.raises(RuleViolation):
        close_with_override(session, t, staff=staff, reason=reason, now=NOW, rules=RULES)
    assert t.status is status
    assert session.scalars(select(AuditLog).where(AuditLog.action == "close_override")).first() is None


# --- S11 escalation without a category -------------------------------------------------------------


def test_complaints_without_category_escalate_by_unit(session: Session) -> None:
    owner = make_owner(session)
    unit_id = owner.ownerships[0].unit_id
    levels = [create_ticket(session, kind=Kind.COMPLAINT, now=NOW + timedelta(days=d), rules=RULES,
                            owner_id=owner.id, unit_id=unit_id, description="还没人来处理").level for d in range(4)]
    assert levels == [Level.CS, Level.DEV_DEPT, Level.HQ, Level.HQ]


def test_complaints_without_unit_escalate_by_owner(session: Session) -> None:
    owner = make_owner(session)
    other = make_owner(session)
    first = create_ticket(session, kind=Kind.COMPLAINT, now=NOW, rules=RULES, owner_id=owner.id)
    stranger = create_ticket(session, kind=Kind.COMPLAINT, now=NOW, rules=RULES, owner_id=other.id)
    second = create_ticket(session, kind=Kind.COMPLAINT, now=NOW + timedelta(days=1), rules=RULES, owner_id=owner.id)
    assert (first.level, stranger.level, second.level) == (Level.CS, Level.CS, Level.DEV_DEPT)
    assert second.related_ticket_id == first.id


def test_uncategorised_complaint_outside_window_starts_over(session: Session) -> None:
    owner = make_owner(session)
    unit_id = owner.ownerships[0].unit_id
    create_ticket(session, kind=Kind.COMPLAINT, now=NOW, rules=RULES, owner_id=owner.id, unit_id=unit_id)
    late = create_ticket(session, kind=Kind.COMPLAINT, now=NOW + RULES.repeat_window + timedelta(days=1),
                         rules=RULES, owner_id=owner.id, unit_id=unit_id)
    assert late.level is Level.CS and late.related_ticket_id is None


def test_complaint_naming_an_earlier_repair_escalates_through_the_link(session: Session) -> None:
    owner = make_owner(session)
    unit_id = owner.ownerships[0].unit_id
    r1 = create_ticket(session, kind=Kind.REPAIR, now=NOW, rules=RULES, owner_id=owner.id, unit_id=unit_id,
                       category="water", location="bathroom")
    c1 = create_ticket(session, kind=Kind.COMPLAINT, now=NOW + timedelta(days=1), rules=RULES, owner_id=owner.id,
                       unit_id=unit_id, related_ticket_id=r1.id)
    c2 = create_ticket(session, kind=Kind.COMPLAINT, now=NOW + timedelta(days=2), rules=RULES, owner_id=owner.id,
                       unit_id=unit_id, related_ticket_id=c1.id)
    assert c1.related_ticket_id == r1.id and c1.issue_key == r1.issue_key
    assert (c1.complaint_count, c2.complaint_count, c2.level) == (1, 2, Level.DEV_DEPT)
    # a later categorised complaint about the same thing finds the chain by its key
    c3 = create_ticket(session, kind=Kind.COMPLAINT, now=NOW + timedelta(days=3), rules=RULES, owner_id=owner.id,
                       unit_id=unit_id, category="water", location="bathroom")
    assert c3.level is Level.HQ


def test_link_to_another_owners_ticket_is_ignored(session: Session) -> None:
    a, b = make_owner(session), make_owner(session)
    ra = create_ticket(session, kind=Kind.COMPLAINT, now=NOW, rules=RULES, owner_id=a.id,
                       unit_id=a.ownerships[0].unit_id)
    rb = create_ticket(session, kind=Kind.COMPLAINT, now=NOW, rules=RULES, owner_id=b.id,
                       unit_id=b.ownerships[0].unit_id, related_ticket_id=ra.id)
    assert rb.related_ticket_id is None and rb.level is Level.CS


# --- S3 / labels: same-day deadline for "high" ----------------------------------------------------


@pytest.mark.parametrize(("at", "due"), [
    (datetime(2026, 11, 24, 10, 0, tzinfo=SH), datetime(2026, 11, 24, 18, 0, tzinfo=SH)),  # Tuesday morning
    (datetime(2026, 11, 28, 9, 0, tzinfo=SH), datetime(2026, 11, 28, 18, 0, tzinfo=SH)),  # Saturday: still today
    (datetime(2026, 11, 24, 20, 0, tzinfo=SH), datetime(2026, 11, 25, 12, 0, tzinfo=SH)),  # evening: next noon
])
def test_high_urgency_is_due_the_same_day(session: Session, at: datetime, due: datetime) -> None:
    owner = make_owner(session)
    t = create_ticket(session, kind=Kind.REPAIR, urgency=Urgency.HIGH, now=at, rules=RULES, owner_id=owner.id,
                      unit_id=owner.ownerships[0].unit_id, category="water")
    assert t.contact_due_at == due and t.engineer_contact_due_at == due
    c = create_ticket(session, kind=Kind.COMPLAINT, urgency=Urgency.HIGH, now=at, rules=RULES, owner_id=owner.id)
    assert c.contact_due_at == due


def test_normal_repair_keeps_one_working_day_and_24h(session: Session) -> None:
    owner = make_owner(session)
    sat = datetime(2026, 11, 28, 9, 0, tzinfo=SH)
    t = create_ticket(session, kind=Kind.REPAIR, now=sat, rules=RULES, owner_id=owner.id,
                      unit_id=owner.ownerships[0].unit_id, category="water")
    assert t.contact_due_at == datetime(2026, 11, 30, 18, 0, tzinfo=SH)
    assert t.engineer_contact_due_at == sat + timedelta(hours=24)


# --- S2: emergencies typed in by staff are dispatched ---------------------------------------------


def _text(ticket, layer, staff) -> str:  # noqa: ANN001
    return f"{ticket.number} L{layer}"


def test_staff_entered_emergency_is_paged(session: Session) -> None:
    eng = make_staff(session, Role.ENGINEER, telegram_chat_id="555")
    session.add(OnCallShift(layer=1, staff_id=eng.id, starts_at=NOW - timedelta(hours=1),
                            ends_at=NOW + timedelta(hours=8)))
    owner = make_owner(session)
    taker = make_staff(session, Role.AGENT)
    ticket, pg = dispatch.open_emergency(session, now=NOW, rules=RULES, ack_after=timedelta(minutes=5), text=_text,
                                         enabled_channels=["telegram"], actor=f"staff:{taker.id}", owner_id=owner.id,
                                         unit_id=owner.ownerships[0].unit_id, category="water",
                                         description="热线：水管爆裂", taken_by_id=taker.id)
    assert pg is not None and pg.staff_id == eng.id and ticket.urgency is Urgency.EMERGENCY
    assert ticket.first_contact_owner_id == taker.id
    assert "paged" in kinds(session, ticket.id)
    # a second call does not page twice
    again = dispatch.dispatch_if_emergency(session, ticket, now=NOW, ack_after=timedelta(minutes=5), text=_text,
                                           enabled_channels=["telegram"])
    assert again is None
    assert len(session.scalars(select(DispatchPage).where(DispatchPage.ticket_id == ticket.id)).all()) == 1


def test_non_emergency_is_not_paged(session: Session) -> None:
    owner = make_owner(session)
    t = create_ticket(session, kind=Kind.REPAIR, urgency=Urgency.HIGH, now=NOW, rules=RULES, owner_id=owner.id)
    assert dispatch.dispatch_if_emergency(session, t, now=NOW, ack_after=timedelta(minutes=5), text=_text,
                                          enabled_channels=["telegram"]) is None
    assert "paged" not in kinds(session, t.id) and "page_failed" not in kinds(session, t.id)


# --- S4: engineer contact and visit appointments --------------------------------------------------


def _repair(session: Session, at: datetime = NOW):  # noqa: ANN202
    owner = make_owner(session)
    return create_ticket(session, kind=Kind.REPAIR, now=at, rules=RULES, owner_id=owner.id,
                         unit_id=owner.ownerships[0].unit_id, category="door_window", location="bedroom")


def test_engineer_contact_overdue_is_flagged_once(session: Session) -> None:
    late = _repair(session)
    called = _repair(session)
    record_engineer_contact(session, called, now=NOW + timedelta(hours=3), actor="staff:1")
    before = engineer_contact_overdue(session, now=NOW + timedelta(hours=23))
    assert late not in before
    flagged = engineer_contact_overdue(session, now=NOW + timedelta(hours=25))
    assert late in flagged and called not in flagged
    assert engineer_contact_overdue(session, now=NOW + timedelta(hours=26)) == []
    assert "engineer_contact_overdue" in kinds(session, late.id)


def test_engineer_contact_also_counts_as_first_contact(session: Session) -> None:
    t = _repair(session)
    record_engineer_contact(session, t, now=NOW + timedelta(hours=2), actor="staff:1")
    assert t.status is Status.CONTACTED and t.first_contacted_at == NOW + timedelta(hours=2)


def test_proposed_windows_booked_by_owner_reminded_and_missed(session: Session) -> None:
    t = _repair(session)
    w1 = (datetime(2026, 11, 25, 9, tzinfo=SH), datetime(2026, 11, 25, 11, tzinfo=SH))
    w2 = (datetime(2026, 11, 26, 14, tzinfo=SH), datetime(2026, 11, 26, 16, tzinfo=SH))
    propose_visits(session, t, [w1, w2], now=NOW + timedelta(hours=1), actor="staff:7")
    assert t.engineer_contacted_at == NOW + timedelta(hours=1)
    assert proposed_windows(session, t) == [w1, w2]
    book_visit(session, t, *w2, now=NOW + timedelta(hours=2), actor="owner")
    assert (t.status, t.appointment_start) == (Status.SCHEDULED, w2[0])
    # reminder: not on the 24th at 17:00 (the visit is two days off), yes on the 25th from 18:00
    assert visits_to_remind(session, now=datetime(2026, 11, 24, 17, tzinfo=SH), tz=SH) == []
    assert visits_to_remind(session, now=datetime(2026, 11, 25, 17, tzinfo=SH), tz=SH) == []
    assert visits_to_remind(session, now=datetime(2026, 11, 25, 18, tzinfo=SH), tz=SH) == [t]
    assert visits_to_remind(session, now=datetime(2026, 11, 25, 19, tzinfo=SH), tz=SH) == []
    # nobody arrived: missed, once
    assert missed_visits(session, now=datetime(2026, 11, 26, 16, 10, tzinfo=SH)) == []
    assert missed_visits(session, now=datetime(2026, 11, 26, 16, 40, tzinfo=SH)) == [t]
    assert missed_visits(session, now=datetime(2026, 11, 26, 17, 0, tzinfo=SH)) == []
    assert {"visit_proposed", "visit_booked", "visit_reminder", "visit_missed"} <= set(kinds(session, t.id))


def test_owner_reschedule_and_cancel(session: Session) -> None:
    t = _repair(session)
    first = (datetime(2026, 11, 25, 9, tzinfo=SH), datetime(2026, 11, 25, 11, tzinfo=SH))
    later = (datetime(2026, 11, 27, 9, tzinfo=SH), datetime(2026, 11, 27, 11, tzinfo=SH))
    book_visit(session, t, *first, now=NOW, actor="staff:3")
    assert t.engineer_contacted_at == NOW  # booking on the phone is the engineer's contact
    visits_to_remind(session, now=datetime(2026, 11, 24, 18, 30, tzinfo=SH), tz=SH)
    assert t.visit_reminded_at is not None
    ev = book_visit(session, t, *later, now=NOW + timedelta(hours=1), actor="owner")
    assert ev.kind == "visit_rescheduled" and t.visit_reminded_at is None and t.appointment_start == later[0]
    cancel_visit(session, t, now=NOW + timedelta(hours=2), actor="owner", reason="出差")
    assert t.appointment_start is None and t.status in (Status.SCHEDULED,)
    assert missed_visits(session, now=datetime(2026, 11, 28, tzinfo=SH)) == []
    with pytest.raises(RuleViolation):
        cancel_visit(session, t, now=NOW + timedelta(hours=3), actor="owner")


def test_owner_booking_is_not_an_engineer_contact(session: Session) -> None:
    t = _repair(session)
    book_visit(session, t, datetime(2026, 11, 25, 9, tzinfo=SH), datetime(2026, 11, 25, 11, tzinfo=SH), now=NOW,
               actor="owner")
    assert t.engineer_contacted_at is None
    assert t in engineer_contact_overdue(session, now=NOW + timedelta(hours=25))


@pytest.mark.parametrize("window", [
    (datetime(2026, 11, 24, 8, tzinfo=SH), datetime(2026, 11, 24, 9, tzinfo=SH)),  # past
    (datetime(2026, 11, 25, 11, tzinfo=SH), datetime(2026, 11, 25, 9, tzinfo=SH)),  # ends before it starts
])
def test_bad_visit_windows_refused(session: Session, window: tuple[datetime, datetime]) -> None:
    t = _repair(session)
    with pytest.raises(RuleViolation):
        book_visit(session, t, *window, now=NOW, actor="owner")
    with pytest.raises(RuleViolation):
        propose_visits(session, t, [window], now=NOW, actor="staff:1")
    assert t.appointment_start is None and t.engineer_contacted_at is None


def test_arrived_and_done_lead_to_owner_confirmation(session: Session) -> None:
    t = _repair(session)
    book_visit(session, t, datetime(2026, 11, 25, 9, tzinfo=SH), datetime(2026, 11, 25, 11, tzinfo=SH), now=NOW,
               actor="staff:3")
    mark_arrived(session, t, now=datetime(2026, 11, 25, 9, 5, tzinfo=SH), actor="staff:3")
    assert missed_visits(session, now=datetime(2026, 11, 25, 12, tzinfo=SH)) == []
    mark_done(session, t, now=datetime(2026, 11, 25, 10, tzinfo=SH), actor="staff:3", note="换了合页",
              photos=["p1.jpg"])
    assert t.status is Status.PENDING_OWNER_CONFIRM
    confirm_by_owner(session, t, satisfied=True, now=datetime(2026, 11, 25, 12, tzinfo=SH), rules=RULES)
    assert t.status is Status.CLOSED


def test_contact_timeliness_report(session: Session) -> None:
    on_time, late, missing = _repair(session), _repair(session), _repair(session)
    record_engineer_contact(session, on_time, now=NOW + timedelta(hours=2), actor="staff:1")
    record_engineer_contact(session, late, now=NOW + timedelta(hours=30), actor="staff:1")
    rows = contact_timeliness(session, start=NOW - timedelta(days=1), end=NOW + timedelta(days=1),
                              now=NOW + timedelta(days=3), tz=SH)
    mine = [r for r in rows if r.project_id in {on_time.project_id, late.project_id, missing.project_id}]
    assert sum(r.engineer_contact_on_time for r in mine) == 1
    assert sum(r.engineer_contact_late for r in mine) == 1
    assert sum(r.engineer_contact_missing for r in mine) == 1
    assert {r.month for r in mine} == {"2026-11"}
