"""S16: expectation vs experience over the five service dimensions, and the monthly gap report."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import surveys
from backend.models import Kind, Status, Survey, Urgency
from backend.tickets import ServiceRules, confirm_by_owner, create_ticket, transition
from tests.factories import make_owner
from tests.proactive.conftest import NOW, SH

DIMS = {"responsiveness": 2, "reliability": 4, "professionalism": 5, "empathy": 3, "tangibles": 4}


def survey(session: Session) -> Survey:
    rules = ServiceRules()
    owner = make_owner(session, handover_on=date(2026, 1, 1))
    t = create_ticket(session, kind=Kind.REPAIR, urgency=Urgency.NORMAL, now=NOW - timedelta(days=2), rules=rules,
                      owner_id=owner.id, unit_id=owner.ownerships[0].unit_id, category="water")
    transition(session, t, Status.PENDING_OWNER_CONFIRM, now=NOW - timedelta(days=1))
    confirm_by_owner(session, t, satisfied=True, now=NOW - timedelta(days=1), rules=rules)
    return session.scalars(select(Survey).where(Survey.ticket_id == t.id)).one()


def test_gap_is_experience_minus_expectation(session: Session) -> None:
    s = survey(session)
    surveys.record_answer(session, s, score=4, comment=None, now=NOW, rules=ServiceRules())
    assert surveys.record_dimensions(session, s, expectation=5, dimensions=DIMS, now=NOW) == -1.4
    assert s.dimensions == DIMS and s.expectation == 5
    rows = surveys.gap_report(session, start=NOW - timedelta(days=1), end=NOW + timedelta(days=1), tz=SH)
    assert rows == [{"month": "2026-11", "surveys": 1, "expectation": 5.0, "experience": 3.6, "gap": -1.4,
                     **{k: float(v) for k, v in DIMS.items()}}]


@pytest.mark.parametrize(("expectation", "dims"), [
    (6, DIMS), (0, DIMS), (3, {**DIMS, "tangibles": 9}), (3, {k: v for k, v in DIMS.items() if k != "empathy"}),
    (3, {**DIMS, "speed": 3}),
])
def test_bad_dimensions_refused(session: Session, expectation: int, dims: dict[str, int]) -> None:
    s = survey(session)
    with pytest.raises(ValueError):
        surveys.record_dimensions(session, s, expectation=expectation, dimensions=dims, now=NOW)
    assert s.dimensions is None


def test_signing_survey_once_per_ownership_in_the_window(session: Session) -> None:
    from backend.models import Ticket

    rules = ServiceRules()
    recent = make_owner(session, signed_on=(NOW - timedelta(days=10)).date(), handover_on=None)
    fresh = make_owner(session, signed_on=(NOW - timedelta(days=2)).date(), handover_on=None)
    old = make_owner(session, signed_on=(NOW - timedelta(days=400)).date(), handover_on=None)
    surveys.schedule_signing_surveys(session, now=NOW, rules=rules, tz=SH)
    surveys.schedule_signing_surveys(session, now=NOW + timedelta(hours=1), rules=rules, tz=SH)
    rows = list(session.scalars(select(Survey).where(Survey.owner_id.in_([recent.id, fresh.id, old.id]))))
    assert [s.owner_id for s in rows] == [recent.id]
    owed = {s.owner_id: s for s in rows}
    carrier = session.get(Ticket, owed[recent.id].ticket_id)
    assert (carrier.kind, carrier.status) == (Kind.ENQUIRY, Status.CLOSED)
    # a low score opens a complaint follow-up like any callback
    follow = surveys.record_answer(session, owed[recent.id], score=1, comment="销售承诺不兑现", now=NOW, rules=rules)
    assert follow is not None and follow.kind is Kind.COMPLAINT
    assert session.get(Ticket, carrier.id).status is Status.CALLBACK_DONE
