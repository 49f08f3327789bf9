"""S22: an owner's reply to a maintenance campaign books a visit (a ticket, one per owner and campaign)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import reminders
from backend.models import Kind, Level, Status, Ticket, TicketEvent
from backend.tickets import RuleViolation, ServiceRules, create_ticket
from tests.factories import make_owner, make_unit
from tests.proactive.conftest import NOW, SH

RULES = ServiceRules()


def campaign(session: Session, project_id: int):  # noqa: ANN201
    return reminders.create_campaign(session, project_id=project_id, kind="windows", starts_on=date(2026, 12, 1),
                                     ends_on=date(2026, 12, 10), notify_at=NOW, now=NOW)


def test_reply_books_a_visit_once_per_owner(session: Session) -> None:
    owner = make_owner(session, make_unit(session), handover_on=date(2025, 6, 30))
    c = campaign(session, owner.ownerships[0].unit.building.project_id)
    start = datetime(2026, 12, 2, 9, tzinfo=SH)
    t = reminders.book_campaign_visit(session, c.id, owner.id, now=NOW, rules=RULES, tz=SH, start=start,
                                      end=start + timedelta(hours=2), text="上午可以")
    assert (t.kind, t.status, t.appointment_start, t.unit_id) == (Kind.REPAIR, Status.SCHEDULED, start,
                                                                  owner.ownerships[0].unit_id)
    kinds = list(session.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == t.id)))
    assert "campaign_booking" in kinds and "visit_booked" in kinds
    later = datetime(2026, 12, 3, 14, tzinfo=SH)
    again = reminders.book_campaign_visit(session, c.id, owner.id, now=NOW + timedelta(hours=1), rules=RULES,
                                          tz=SH, start=later, end=later + timedelta(hours=2))
    assert again.id == t.id and t.appointment_start == later
    assert session.scalars(select(Ticket).where(Ticket.owner_id == owner.id)).all() == [t]
    from backend.tickets import engineer_contact_overdue

    assert t not in engineer_contact_overdue(session, now=NOW + timedelta(days=2))  # the visit is arranged


def test_booking_without_window_opens_the_ticket_for_staff_to_schedule(session: Session) -> None:
    owner = make_owner(session, make_unit(session), handover_on=date(2025, 6, 30))
    c = campaign(session, owner.ownerships[0].unit.building.project_id)
    t = reminders.book_campaign_visit(session, c.id, owner.id, now=NOW, rules=RULES, tz=SH, text="预约")
    assert t.status is Status.RECEIVED and t.appointment_start is None and t.engineer_contact_due_at is not None


def test_campaign_bookings_never_count_as_repeat_repairs(session: Session) -> None:
    owner = make_owner(session, make_unit(session), handover_on=date(2025, 6, 30))
    unit_id = owner.ownerships[0].unit_id
    for _ in range(2):
        create_ticket(session, kind=Kind.REPAIR, now=NOW, rules=RULES, owner_id=owner.id, unit_id=unit_id,
                      category="door_window")
    c = campaign(session, owner.ownerships[0].unit.building.project_id)
    t = reminders.book_campaign_visit(session, c.id, owner.id, now=NOW, rules=RULES, tz=SH)
    assert (t.kind, t.level, t.repair_attempts) == (Kind.REPAIR, Level.CS, 1)


@pytest.mark.parametrize("case", ["over", "outside", "not_handed_over", "other_project"])
def test_refused_bookings(session: Session, case: str) -> None:
    owner = make_owner(session, make_unit(session), handover_on=None if case == "not_handed_over"
                       else date(2025, 6, 30))
    project_id = make_unit(session).building.project_id if case == "other_project" \
        else owner.ownerships[0].unit.building.project_id
    c = campaign(session, project_id)
    now = datetime(2026, 12, 11, 9, tzinfo=SH) if case == "over" else NOW
    start = datetime(2026, 12, 12 if case == "outside" else 2, 9, tzinfo=SH)
    with pytest.raises(RuleViolation):
        reminders.book_campaign_visit(session, c.id, owner.id, now=now, rules=RULES, tz=SH, start=start,
                                      end=start + timedelta(hours=1))
    assert session.scalars(select(Ticket).where(Ticket.owner_id == owner.id)).first() is None
