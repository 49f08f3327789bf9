"""Field-work sweeps end to end (S4, appointments): alerts reach supervisors once, the owner gets the visit
reminder the evening before with reschedule/cancel buttons, missed visits alert."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from backend.db import transaction
from backend.models import ChannelIdentity, ConsoleAlert, Kind, Role, Ticket
from backend.tickets import ServiceRules, book_visit, create_ticket
from tests.factories import make_owner, make_staff, make_unit
from tests.fakes.recording import RecordingChannel
from tests.proactive.conftest import NOW, SH
from tests.proactive.harness import World

OPENID = "o_field_1"


def world(engine, now: datetime) -> World:  # noqa: ANN001
    return World(engine, now, {name: RecordingChannel(name) for name in ("wechat", "sms", "telegram")})


def repair(sessions) -> int:  # noqa: ANN001
    with transaction(sessions) as s:
        make_staff(s, Role.SUPERVISOR, telegram_chat_id="9003")
        owner = make_owner(s, make_unit(s), handover_on=date(2025, 1, 1), phone="13912345678")
        s.add(ChannelIdentity(channel="wechat", external_id=OPENID, owner_id=owner.id, last_inbound_at=NOW))
        t = create_ticket(s, kind=Kind.REPAIR, now=NOW, rules=ServiceRules(), owner_id=owner.id,
                          unit_id=owner.ownerships[0].unit_id, category="water", location="kitchen")
        return t.id


def test_engineer_contact_overdue_alerts_supervisor_once(sessions, clean) -> None:
    tid = repair(sessions)
    w = world(clean, NOW)
    w.advance(hours=23)
    assert w.sweep()["engineer_contact_alerts"] == 0
    w.advance(hours=2)
    assert w.sweep()["engineer_contact_alerts"] == 1
    assert w.sweep()["engineer_contact_alerts"] == 0
    w.deliver_all()
    with sessions() as s:
        number = s.get(Ticket, tid).number
        alerts = s.scalars(select(ConsoleAlert).where(ConsoleAlert.ticket_id == tid)).all()
        assert [a.kind for a in alerts] == ["engineer_contact"]
    sent = w.channels["telegram"].to("9003")
    assert len(sent) == 1 and number in sent[0]


def test_visit_reminder_not_in_quiet_hours_but_next_morning(sessions, clean) -> None:
    tid = repair(sessions)
    start = datetime(2026, 11, 26, 11, 0, tzinfo=SH)
    with transaction(sessions) as s:
        book_visit(s, s.get(Ticket, tid), start, start + timedelta(hours=2), now=NOW, actor="staff:1")
    w = world(clean, NOW)
    w.at(datetime(2026, 11, 25, 22, 0, tzinfo=SH))  # worker was down all evening
    assert w.sweep()["visit_reminders"] == 0
    w.at(datetime(2026, 11, 26, 8, 5, tzinfo=SH))
    assert w.sweep()["visit_reminders"] == 1


def test_visit_reminder_evening_before_then_missed_visit_alert(sessions, clean) -> None:
    tid = repair(sessions)
    start = datetime(2026, 11, 26, 9, 0, tzinfo=SH)
    with transaction(sessions) as s:
        book_visit(s, s.get(Ticket, tid), start, start + timedelta(hours=2), now=NOW, actor="staff:1")
    w = world(clean, NOW)
    w.at(datetime(2026, 11, 25, 17, 0, tzinfo=SH))
    assert w.sweep()["visit_reminders"] == 0
    w.at(datetime(2026, 11, 25, 18, 5, tzinfo=SH))
    assert w.sweep()["visit_reminders"] == 1
    w.sweep()
    w.deliver_all()
    to_owner = w.channels["wechat"].sent
    assert len(to_owner) == 1 and to_owner[0].external_user_id == OPENID
    assert [q.payload for q in to_owner[0].quick_replies] == [f"visit:reschedule:{tid}", f"visit:cancel:{tid}"]
    w.at(datetime(2026, 11, 26, 11, 45, tzinfo=SH))
    assert w.sweep()["missed_visit_alerts"] == 1
    assert w.sweep()["missed_visit_alerts"] == 0
    with sessions() as s:
        kinds = {a.kind for a in s.scalars(select(ConsoleAlert).where(ConsoleAlert.ticket_id == tid))}
    assert kinds == {"visit_missed"}
