"""S24 handover reminders and S19 open day (invitation, rectification list, follow-up)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import progress
from backend.models import Outbox, Status
from backend.notify import Policy
from backend.tickets import RuleViolation, ServiceRules, confirm_by_owner, transition
from tests.factories import make_owner, make_unit
from tests.proactive.conftest import NOW, SH

POLICY = Policy(frozenset({"sms"}))
RULES = ServiceRules()


def sent_to(session: Session, owner_id: int) -> list[Outbox]:
    return list(session.scalars(select(Outbox).where(Outbox.owner_id == owner_id).order_by(Outbox.id)))


def test_handover_reminder_cadence_and_cap(session: Session) -> None:
    unit = make_unit(session, stage="handing_over")
    waiting = make_owner(session, unit, handover_on=None)
    done = make_owner(session, make_unit(session, stage="handing_over"), handover_on=date(2026, 11, 1))
    building = make_owner(session, make_unit(session, stage="under_construction"), handover_on=None)
    assert progress.remind_handover(session, now=NOW, tz=SH, policy=POLICY) >= 1
    assert len(sent_to(session, waiting.id)) == 1 and "收房" in sent_to(session, waiting.id)[0].payload["text"]
    assert sent_to(session, done.id) == [] and sent_to(session, building.id) == []
    progress.remind_handover(session, now=NOW + timedelta(days=13), tz=SH, policy=POLICY)
    assert len(sent_to(session, waiting.id)) == 1  # not before 14 days
    for day in (14, 28, 42, 56):
        progress.remind_handover(session, now=NOW + timedelta(days=day), tz=SH, policy=POLICY)
    assert len(sent_to(session, waiting.id)) == 3  # at most three reminders


def test_open_day_invite_issues_follow_up(session: Session) -> None:
    unit = make_unit(session, stage="under_construction")
    owner = make_owner(session, unit, handover_on=None)
    handed = make_owner(session, make_unit(session), handover_on=date(2025, 6, 30))
    project_id = unit.building.project_id
    open_day = date(2026, 12, 5)
    for _ in range(2):  # invited once
        progress.invite_open_day(session, project_id=project_id, open_day=open_day, now=NOW, tz=SH, policy=POLICY)
    assert len(sent_to(session, owner.id)) == 1 and sent_to(session, handed.id) == []
    at = datetime(2026, 12, 5, 10, tzinfo=SH)
    a = progress.record_open_day_issue(session, owner_id=owner.id, unit_id=unit.id, open_day=open_day,
                                       description="次卧墙面空鼓", now=at, rules=RULES, category="wall_floor_ceiling")
    b = progress.record_open_day_issue(session, owner_id=owner.id, unit_id=unit.id, open_day=open_day,
                                       description="阳台门关不严", now=at, rules=RULES, category="door_window")
    with pytest.raises(RuleViolation):
        progress.record_open_day_issue(session, owner_id=handed.id, unit_id=handed.ownerships[0].unit_id,
                                       open_day=open_day, description="x", now=at, rules=RULES)
    # one is fixed and confirmed by the owner
    transition(session, a, Status.PENDING_OWNER_CONFIRM, now=at + timedelta(days=3))
    confirm_by_owner(session, a, satisfied=True, now=at + timedelta(days=4), rules=RULES)
    items = progress.rectification_list(session, unit.id)
    assert [(i["ticket"], i["rectified"]) for i in items] == [(a.number, True), (b.number, False)]
    for _ in range(2):  # followed up once
        progress.open_day_follow_up(session, project_id=project_id, open_day=open_day, now=at + timedelta(days=5),
                                    policy=POLICY)
    assert len(sent_to(session, owner.id)) == 2
    follow = sent_to(session, owner.id)[-1].payload["text"]
    assert b.number in follow and a.number not in follow
