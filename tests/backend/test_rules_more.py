"""S1 night routing, S12 responsible party, S13 expert advisors, S15 resolution per year, S25 tiers."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from backend.models import Kind, Status, Urgency
from backend.tickets import (
    RuleViolation,
    ServiceRules,
    after_hours,
    complaint_resolution_by_year,
    create_ticket,
    expert_referrals,
    refer_to_expert,
    responsible_party_for,
    route_for,
    set_responsible_party,
    transition,
)
from tests.factories import make_owner

SH = ZoneInfo("Asia/Shanghai")
TUE = datetime(2026, 11, 24, 10, 0, tzinfo=SH)
RULES = ServiceRules()


@pytest.mark.parametrize(("at", "night"), [
    (datetime(2026, 11, 24, 8, 29, tzinfo=SH), True), (datetime(2026, 11, 24, 8, 30, tzinfo=SH), False),
    (datetime(2026, 11, 24, 17, 59, tzinfo=SH), False), (datetime(2026, 11, 24, 18, 0, tzinfo=SH), True),
    (datetime(2026, 11, 28, 11, 0, tzinfo=SH), True),  # Saturday
    (datetime(2026, 10, 1, 11, 0, tzinfo=SH), True),  # National Day
])
def test_after_hours(at: datetime, night: bool) -> None:
    assert after_hours(at, RULES) is night


def test_night_routing() -> None:
    night = datetime(2026, 11, 24, 23, 0, tzinfo=SH)
    assert route_for(kind=Kind.REPAIR, urgency=Urgency.EMERGENCY, paid=False, now=night, rules=RULES) == "dispatch"
    assert route_for(kind=Kind.REPAIR, urgency=Urgency.NORMAL, paid=True, now=night, rules=RULES) \
        == "monitoring_centre"
    assert route_for(kind=Kind.REPAIR, urgency=Urgency.NORMAL, paid=False, now=night, rules=RULES) \
        == "monitoring_centre"
    assert route_for(kind=Kind.ENQUIRY, urgency=Urgency.NORMAL, paid=False, now=night, rules=RULES) == "centre"
    assert route_for(kind=Kind.REPAIR, urgency=Urgency.NORMAL, paid=True, now=TUE, rules=RULES) == "centre"


def test_responsible_party_split(session: Session) -> None:
    owner = make_owner(session)
    unit_id = owner.ownerships[0].unit_id
    repair = create_ticket(session, kind=Kind.REPAIR, now=TUE, rules=RULES, owner_id=owner.id, unit_id=unit_id,
                           category="water")
    complaint = create_ticket(session, kind=Kind.COMPLAINT, now=TUE, rules=RULES, owner_id=owner.id)
    assert responsible_party_for(complaint, in_warranty=None, construction_defect=None) == "cs_staff"
    assert responsible_party_for(repair, in_warranty=True, construction_defect=True) == "contractor"
    assert responsible_party_for(repair, in_warranty=True, construction_defect=False) == "property_maintenance"
    assert responsible_party_for(repair, in_warranty=False, construction_defect=None) == "property_maintenance"
    assert responsible_party_for(repair, in_warranty=None, construction_defect=None) is None
    repair.repair_attempts = 3
    assert responsible_party_for(repair, in_warranty=True, construction_defect=False) == "repairer"
    assert responsible_party_for(repair, in_warranty=True, construction_defect=True) == "contractor"
    set_responsible_party(session, repair, "contractor", now=TUE, actor="staff:1", reason="施工质量")
    assert repair.responsible_party == "contractor"
    with pytest.raises(RuleViolation):
        set_responsible_party(session, repair, "owner", now=TUE, actor="staff:1")


def test_expert_referrals(session: Session) -> None:
    t = create_ticket(session, kind=Kind.COMPLAINT, now=TUE, rules=RULES)
    refer_to_expert(session, t, "legal", now=TUE, actor="staff:1", note="业主要起诉")
    refer_to_expert(session, t, "media", now=TUE, actor="staff:1")
    assert expert_referrals(session, t) == ["legal", "media"]
    with pytest.raises(RuleViolation):
        refer_to_expert(session, t, "astrology", now=TUE, actor="staff:1")
    transition(session, t, Status.CLOSED, now=TUE)
    with pytest.raises(RuleViolation):
        refer_to_expert(session, t, "legal", now=TUE, actor="staff:1")


def test_complaint_resolution_by_year(session: Session) -> None:
    owner = make_owner(session)
    rows_before = {r.year: r for r in complaint_resolution_by_year(session, now=TUE, rules=RULES)}
    quick = create_ticket(session, kind=Kind.COMPLAINT, now=TUE, rules=RULES, owner_id=owner.id)
    slow = create_ticket(session, kind=Kind.COMPLAINT, now=TUE, rules=RULES, owner_id=owner.id)
    create_ticket(session, kind=Kind.COMPLAINT, now=TUE, rules=RULES, owner_id=owner.id)  # still open
    transition(session, quick, Status.CLOSED, now=TUE + timedelta(days=2))
    transition(session, slow, Status.CLOSED, now=TUE + timedelta(days=20))
    later = datetime(2027, 1, 10, tzinfo=SH)
    row = {r.year: r for r in complaint_resolution_by_year(session, now=later, rules=RULES)}[2026]
    base = rows_before.get(2026)
    got = (row.resolved_on_time, row.resolved_late, row.open_overdue)
    assert got == tuple(x + (getattr(base, f, 0) if base else 0) for x, f in
                        ((1, "resolved_on_time"), (1, "resolved_late"), (1, "open_overdue")))
    assert row.rate is not None and 0 < row.rate < 1


def test_vip_tier_gets_a_sooner_first_contact(session: Session) -> None:
    owner = make_owner(session)
    owner.tier = "vip"
    vip = create_ticket(session, kind=Kind.REPAIR, now=TUE, rules=RULES, owner_id=owner.id, category="water")
    other = make_owner(session)
    std = create_ticket(session, kind=Kind.REPAIR, now=TUE, rules=RULES, owner_id=other.id, category="water")
    assert vip.contact_due_at == TUE + timedelta(hours=4)
    assert std.contact_due_at == datetime(2026, 11, 25, 10, 0, tzinfo=SH)


def test_plan_agreed_needs_a_written_plan(session: Session) -> None:
    from backend.tickets import agree_plan

    t = create_ticket(session, kind=Kind.REPAIR, now=TUE, rules=RULES, category="water")
    with pytest.raises(RuleViolation):
        agree_plan(session, t, "  ", now=TUE, actor="staff:1")
    assert t.status is Status.RECEIVED
    agree_plan(session, t, "更换卫生间下水管，约2小时，保修期内免费", now=TUE, actor="staff:1", options=["局部修补"])
    assert t.status is Status.PLAN_AGREED
    from sqlalchemy import select

    from backend.models import TicketEvent

    plan = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id, TicketEvent.kind == "plan")).one()
    assert plan.data["options"] == ["局部修补"]


def test_advisor_contact_due(session: Session) -> None:
    from backend.models import ChannelIdentity, Conversation, Message, Role
    from backend.tickets import add_event, advisor_contact_due
    from tests.factories import make_staff

    advisor = make_staff(session, Role.AGENT)
    called = make_owner(session, advisor=advisor)
    messaged = make_owner(session, advisor=advisor)
    forgotten = make_owner(session, advisor=advisor)
    t = create_ticket(session, kind=Kind.ENQUIRY, now=TUE - timedelta(days=10), rules=RULES, owner_id=called.id)
    add_event(session, t, "note", at=TUE - timedelta(days=10), actor=f"staff:{advisor.id}", text="回访")
    ident = ChannelIdentity(channel="wechat", external_id="o_adv", owner_id=messaged.id)
    session.add(ident)
    session.flush()
    conv = Conversation(identity_id=ident.id, owner_id=messaged.id)
    session.add(conv)
    session.flush()
    session.add(Message(conversation_id=conv.id, direction="out", author=f"staff:{advisor.id}", text="您好",
                        created_at=TUE - timedelta(days=5)))
    # another staff member's message does not count as the advisor's contact
    other = ChannelIdentity(channel="wechat", external_id="o_adv2", owner_id=forgotten.id)
    session.add(other)
    session.flush()
    conv2 = Conversation(identity_id=other.id, owner_id=forgotten.id)
    session.add(conv2)
    session.flush()
    session.add(Message(conversation_id=conv2.id, direction="out", author="staff:999999", text="x",
                        created_at=TUE - timedelta(days=1)))
    session.flush()
    due = advisor_contact_due(session, now=TUE, every=timedelta(days=30), advisor_id=advisor.id)
    assert [(a, o) for a, o, _ in due] == [(advisor.id, forgotten.id)]
    later = advisor_contact_due(session, now=TUE + timedelta(days=22), every=timedelta(days=30),
                                advisor_id=advisor.id)
    assert [o for _, o, _ in later] == [forgotten.id, called.id]


@pytest.mark.parametrize(("spots", "ok"), [([], True), ([400, 120], True), ([401], False),
                                           ([10, 10, 10], False)])
def test_hollow_spot_rule(spots: list[float], ok: bool) -> None:
    from backend.warranty import hollow_spots_acceptable

    assert hollow_spots_acceptable(spots) is ok
