"""Service rules on tickets: numbers, lifecycle, deadlines, repeats, escalation, ownership."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import Kind, Level, Role, Status, Survey, TicketEvent, Urgency
from backend.tickets import (
    RuleViolation,
    ServiceRules,
    confirm_by_owner,
    create_ticket,
    level_for,
    reopen,
    transition,
)
from tests.factories import make_owner, make_staff, make_unit

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=SH)
RULES = ServiceRules()


def events(session: Session, ticket_id: int) -> list[str]:
    return list(session.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket_id)
                                .order_by(TicketEvent.id)))


def repair(session: Session, owner_id: int, unit_id: int, *, at: datetime = NOW, **kw: object):
    kw.setdefault("category", "water")
    kw.setdefault("location", "bathroom")
    return create_ticket(session, kind=Kind.REPAIR, now=at, rules=RULES, owner_id=owner_id, unit_id=unit_id, **kw)


def test_numbers_are_readable_and_sequential_per_day(session: Session) -> None:
    a = create_ticket(session, kind=Kind.ENQUIRY, now=NOW, rules=RULES)
    b = create_ticket(session, kind=Kind.ENQUIRY, now=NOW, rules=RULES)
    assert a.number.startswith("AJ-20261127-")
    assert int(b.number[-4:]) == int(a.number[-4:]) + 1
    c = create_ticket(session, kind=Kind.ENQUIRY, now=NOW + timedelta(days=1), rules=RULES)
    assert c.number == "AJ-20261128-0001"


def test_emergency_is_due_at_once_and_normal_repair_in_one_working_day(session: Session) -> None:
    owner = make_owner(session)
    unit_id = owner.ownerships[0].unit_id
    em = repair(session, owner.id, unit_id, urgency=Urgency.EMERGENCY)
    assert em.contact_due_at == NOW
    fri = datetime(2026, 9, 30, 16, 0, tzinfo=SH)  # before National Day
    normal = repair(session, owner.id, unit_id, at=fri, category="door_window", location="entrance")
    assert normal.contact_due_at == datetime(2026, 10, 8, 16, 0, tzinfo=SH)
    assert normal.engineer_contact_due_at == fri + timedelta(hours=24)


def test_repair_closes_only_with_owner_confirmation_and_creates_survey(session: Session) -> None:
    owner = make_owner(session)
    t = repair(session, owner.id, owner.ownerships[0].unit_id)
    transition(session, t, Status.IN_PROGRESS, now=NOW)
    transition(session, t, Status.PENDING_OWNER_CONFIRM, now=NOW)
    with pytest.raises(RuleViolation):
        transition(session, t, Status.CLOSED, now=NOW)
    confirm_by_owner(session, t, satisfied=True, now=NOW, rules=RULES)
    assert t.status is Status.CLOSED and t.owner_confirmed_at == NOW
    survey = session.scalars(select(Survey).where(Survey.ticket_id == t.id)).one()
    assert survey.due_at == NOW + RULES.survey_delay
    assert events(session, t.id)[-3:] == ["owner_confirmation", "status", "survey_scheduled"]


def test_lifecycle_refuses_backward_moves(session: Session) -> None:
    owner = make_owner(session)
    t = repair(session, owner.id, owner.ownerships[0].unit_id)
    transition(session, t, Status.SCHEDULED, now=NOW)
    assert t.first_contacted_at == NOW
    with pytest.raises(RuleViolation):
        transition(session, t, Status.CONTACTED, now=NOW)
    with pytest.raises(RuleViolation):
        transition(session, t, Status.CALLBACK_DONE, now=NOW)


def test_dissatisfied_owner_reopens_and_counts_an_attempt(session: Session) -> None:
    owner = make_owner(session)
    t = repair(session, owner.id, owner.ownerships[0].unit_id)
    transition(session, t, Status.PENDING_OWNER_CONFIRM, now=NOW)
    confirm_by_owner(session, t, satisfied=False, now=NOW, rules=RULES)
    assert (t.status, t.repair_attempts, t.kind, t.level) == (Status.TRIAGED, 2, Kind.REPAIR, Level.CS)
    transition(session, t, Status.PENDING_OWNER_CONFIRM, now=NOW)
    confirm_by_owner(session, t, satisfied=False, now=NOW, rules=RULES)
    # the third attempt is a complaint at the developer's department
    assert (t.repair_attempts, t.kind, t.level) == (3, Kind.COMPLAINT, Level.DEV_DEPT)
    assert "escalated" in events(session, t.id)


def test_repeat_detection_links_same_unit_category_location(session: Session) -> None:
    owner = make_owner(session)
    unit_id = owner.ownerships[0].unit_id
    first = repair(session, owner.id, unit_id)
    other_place = repair(session, owner.id, unit_id, location="kitchen")
    assert other_place.related_ticket_id is None
    second = repair(session, owner.id, unit_id, at=NOW + timedelta(days=10))
    assert second.related_ticket_id == first.id and second.repair_attempts == 2
    third = repair(session, owner.id, unit_id, at=NOW + timedelta(days=20))
    assert (third.kind, third.level, third.repair_attempts) == (Kind.COMPLAINT, Level.DEV_DEPT, 3)
    fourth = repair(session, owner.id, unit_id, at=NOW + timedelta(days=30))
    assert (fourth.kind, fourth.level) == (Kind.COMPLAINT, Level.HQ)
    assert fourth.responsible_party == "repairer"


def test_repeat_window_is_configurable(session: Session) -> None:
    owner = make_owner(session)
    unit_id = owner.ownerships[0].unit_id
    repair(session, owner.id, unit_id)
    late = repair(session, owner.id, unit_id, at=NOW + RULES.repeat_window + timedelta(days=1))
    assert late.related_ticket_id is None and late.repair_attempts == 1
    short = ServiceRules(repeat_window=timedelta(days=5))
    t = create_ticket(session, kind=Kind.REPAIR, now=NOW + RULES.repeat_window + timedelta(days=7), rules=short,
                      owner_id=owner.id, unit_id=unit_id, category="water", location="bathroom")
    assert t.related_ticket_id is None


def test_complaint_escalation_second_to_department_third_to_hq(session: Session) -> None:
    owner = make_owner(session)
    unit_id = owner.ownerships[0].unit_id
    levels = []
    for day in range(3):
        c = create_ticket(session, kind=Kind.COMPLAINT, now=NOW + timedelta(days=day), rules=RULES,
                          owner_id=owner.id, unit_id=unit_id, category="water", location="bathroom")
        levels.append(c.level)
    assert levels == [Level.CS, Level.DEV_DEPT, Level.HQ]


@pytest.mark.parametrize(
    ("repairs", "complaints", "level"),
    [(1, 0, Level.CS), (2, 1, Level.CS), (3, 0, Level.DEV_DEPT), (4, 0, Level.HQ), (1, 2, Level.DEV_DEPT),
     (1, 3, Level.HQ), (3, 3, Level.HQ), (4, 1, Level.HQ)],
)
def test_level_is_the_higher_of_both_counters(repairs: int, complaints: int, level: Level) -> None:
    assert level_for(repairs, complaints) is level


def test_first_contact_owner_and_advisor_recorded(session: Session) -> None:
    advisor = make_staff(session, Role.AGENT)
    taker = make_staff(session, Role.AGENT)
    unit = make_unit(session)
    owner = make_owner(session, unit, advisor=advisor)
    by_bot = repair(session, owner.id, unit.id)
    assert (by_bot.advisor_id, by_bot.first_contact_owner_id) == (advisor.id, advisor.id)
    by_staff = repair(session, owner.id, unit.id, category="electrical", taken_by_id=taker.id)
    assert (by_staff.advisor_id, by_staff.first_contact_owner_id) == (advisor.id, taker.id)
    assert by_bot.project_id == unit.building.project_id


def test_reopen_refused_for_untouched_ticket(session: Session) -> None:
    owner = make_owner(session)
    t = repair(session, owner.id, owner.ownerships[0].unit_id)
    with pytest.raises(RuleViolation):
        reopen(session, t, now=NOW)


def test_ticket_events_are_append_only(session: Session) -> None:
    t = create_ticket(session, kind=Kind.ENQUIRY, now=NOW, rules=RULES)
    ev = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id)).first()
    ev.kind = "tampered"
    with pytest.raises(ValueError, match="append-only"):
        session.flush()
