"""A page that reaches nobody is an alarm; the owner is told the truth; staff bind by one-time code."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from backend import staff_contacts
from backend.models import ConsoleAlert, DispatchPage, Outbox, Staff, StaffBindCode, Ticket, TicketEvent
from tests.bot.harness import Bot
from tests.ops.conftest import Estate

EMERGENCY = "救命 厨房水管爆了 水漫出来了"


def _clear(bot: Bot, *chats: str) -> None:
    with bot.svc.sessions() as s, s.begin():
        s.execute(update(Staff).where(Staff.telegram_chat_id.in_(chats)).values(telegram_chat_id=None, phone=None))


def _events(bot: Bot) -> list[TicketEvent]:
    with bot.svc.sessions() as s:
        return list(s.scalars(select(TicketEvent).order_by(TicketEvent.id)))


def test_unreachable_first_layer_alarms_and_pages_the_backup_at_once(bot: Bot, estate: Estate,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    _clear(bot, estate.engineer1_chat)
    with caplog.at_level(logging.ERROR, logger="backend.dispatch"):
        replies = bot.say("wechat", "oStranger", EMERGENCY)
    kinds = [e.kind for e in _events(bot)]
    assert "page_unreachable" in kinds and "alarm" in kinds and "paged" in kinds
    with bot.svc.sessions() as s:
        [page] = s.scalars(select(DispatchPage)).all()
        assert page.layer == 2  # no 5-minute wait on a page that could never arrive
        [alert] = s.scalars(select(ConsoleAlert)).all()
        ticket = s.scalars(select(Ticket)).one()
        assert alert.kind == "page_unreachable" and alert.ticket_id == ticket.id
    backup = bot.channels["telegram"].to(estate.engineer2_chat)
    supervisor = bot.channels["telegram"].to(estate.supervisor_chat)
    assert backup and ticket.number in backup[0]
    assert any(ticket.number in m and "告警" in m for m in supervisor)
    assert any(r.levelno == logging.ERROR and ticket.number in r.getMessage() for r in caplog.records)
    assert any("联系值班工程师中" in r for r in replies)  # someone was paged: the usual reply is true


def test_nobody_reachable_tells_the_owner_the_truth_and_the_hotline(bot: Bot, estate: Estate,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    _clear(bot, estate.engineer1_chat, estate.engineer2_chat)
    bot.svc.settings.hotline = "400-123-4567"
    with caplog.at_level(logging.ERROR, logger="backend.dispatch"):
        replies = bot.say("wechat", "oStranger", EMERGENCY)
    kinds = [e.kind for e in _events(bot)]
    assert kinds.count("page_unreachable") == 2 and "paged" in kinds  # layer 3, the supervisor, is reachable
    _clear(bot, estate.supervisor_chat)
    replies = bot.say("wechat", "oOther", EMERGENCY)
    kinds = [e.kind for e in _events(bot)]
    assert "page_failed" in kinds
    assert any("400-123-4567" in r for r in replies)
    assert not any("已收到通知" in r for r in replies)  # never "the engineer has been paged" when nobody was
    with bot.svc.sessions() as s:
        assert s.scalar(select(ConsoleAlert).where(ConsoleAlert.kind == "page_unreachable").limit(1))
    assert any("nobody reachable" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)


def test_staff_bind_by_one_time_code_then_pages_arrive_there(bot: Bot, estate: Estate) -> None:
    _clear(bot, estate.engineer1_chat)
    with bot.svc.sessions() as s, s.begin():
        e1 = s.scalars(select(Staff).where(Staff.username.is_not(None)).where(Staff.role == "engineer")
                       .order_by(Staff.id)).first()
        code = staff_contacts.issue_bind_code(s, e1, now=bot.now, actor="test")
        e1_id = e1.id
    replies = bot.say("telegram", "5550001", f"绑定 {code}")
    assert replies and "已绑定" in replies[0]
    with bot.svc.sessions() as s:
        assert s.get(Staff, e1_id).telegram_chat_id == "5550001"
    again = bot.say("telegram", "5550002", code)  # one use only
    assert again and "无效" in again[0]
    with bot.svc.sessions() as s:
        assert s.get(Staff, e1_id).telegram_chat_id == "5550001"
    bot.say("wechat", "oStranger", EMERGENCY)
    pages = bot.channels["telegram"].to("5550001")
    assert pages and "紧急派单" in pages[0]
    assert bot.say("telegram", "5550001", "1")  # and the bound account can acknowledge
    with bot.svc.sessions() as s:
        assert s.scalars(select(DispatchPage)).one().status == "acked"


def test_expired_or_superseded_codes_do_not_bind(bot: Bot, estate: Estate) -> None:
    with bot.svc.sessions() as s, s.begin():
        e2 = s.scalars(select(Staff).where(Staff.telegram_chat_id == estate.engineer2_chat)).one()
        first = staff_contacts.issue_bind_code(s, e2, now=bot.now, actor="test")
        second = staff_contacts.issue_bind_code(s, e2, now=bot.now, actor="test")
    assert "无效" in bot.say("telegram", "6660001", first)[0]
    bot.advance(hours=25)
    assert "无效" in bot.say("telegram", "6660002", second)[0]
    with bot.svc.sessions() as s:
        assert s.scalar(select(StaffBindCode.used_at).where(StaffBindCode.staff_id == e2.id).limit(1)) is None


def test_send_test_message_reaches_each_paging_channel(bot: Bot, estate: Estate) -> None:
    with bot.svc.sessions() as s, s.begin():
        e1 = s.scalars(select(Staff).where(Staff.telegram_chat_id == estate.engineer1_chat)).one()
        sent = staff_contacts.send_test(s, e1, now=bot.now, enabled=bot.svc.channels, text="test", actor="t")
    assert sorted(sent) == ["sms", "telegram"]
    bot.run()
    assert bot.channels["telegram"].to(estate.engineer1_chat) == ["test"]
    assert bot.channels["sms"].to("+8613800000001") == ["test"]
    with bot.svc.sessions() as s:
        assert {r.priority for r in s.scalars(select(Outbox))} == {0}


def test_contacts_are_validated_unique_and_audited(bot: Bot, estate: Estate) -> None:
    from backend.models import AuditLog

    with bot.svc.sessions() as s, s.begin():
        e2 = s.scalars(select(Staff).where(Staff.telegram_chat_id == estate.engineer2_chat)).one()
        with pytest.raises(staff_contacts.ContactError):
            staff_contacts.set_contacts(s, e2, now=bot.now, actor="t", changes={"telegram_chat_id": "not-a-chat"})
        with pytest.raises(staff_contacts.ContactError):  # already engineer 1's
            staff_contacts.set_contacts(s, e2, now=bot.now, actor="t", changes={"telegram_chat_id": "9001"})
        with pytest.raises(staff_contacts.ContactError):
            staff_contacts.set_contacts(s, e2, now=bot.now, actor="t", changes={"phone": "12"})
        changed = staff_contacts.set_contacts(s, e2, now=bot.now, actor="t",
                                              changes={"phone": "+86 139-0000-1111", "telegram_chat_id": ""})
        assert changed == {"phone": "139****1111", "telegram_chat_id": None}
        assert e2.phone == "13900001111" and e2.telegram_chat_id is None
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "contact_changed")).one()
        assert "13900001111" not in str(entry.data)


def test_coverage_gaps_find_holes_and_unreachable_people(bot: Bot, estate: Estate) -> None:
    now = bot.now
    with bot.svc.sessions() as s:
        gaps = staff_contacts.coverage_gaps(s, start=now, end=now + timedelta(days=1), enabled=bot.svc.channels)
        assert gaps == []  # the estate's rota covers two days on every layer
        gaps = staff_contacts.coverage_gaps(s, start=now, end=now + timedelta(days=3), enabled=bot.svc.channels)
        assert {g.layer for g in gaps} == {1, 2, 3} and all(g.reason == "nobody" for g in gaps)
        assert all(g.starts_at == now + timedelta(days=2) for g in gaps)
        gaps = staff_contacts.coverage_gaps(s, start=now, end=now + timedelta(days=1), enabled=["wechat"])
        assert {g.layer for g in gaps} == {1, 2, 3} and all(g.reason.startswith("unreachable:") for g in gaps)


def test_coverage_sweep_alerts_supervisors_once_a_day(bot: Bot, estate: Estate) -> None:
    from bot.ops_sweeps import coverage_sweep

    assert coverage_sweep(bot.svc, bot.now) == 3  # the rota ends in two days: one gap per layer
    assert coverage_sweep(bot.svc, bot.now + timedelta(hours=1)) == 0
    bot.run()
    alerts = [m for m in bot.channels["telegram"].to(estate.supervisor_chat) if "值班表" in m]
    assert len(alerts) == 1
    with bot.svc.sessions() as s:
        kinds = sorted(a.kind for a in s.scalars(select(ConsoleAlert)))
    assert kinds == ["rota_gap_l1", "rota_gap_l2", "rota_gap_l3"]
