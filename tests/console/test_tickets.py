"""The ticket board, the ticket page and its actions, the audited export."""

from __future__ import annotations

from sqlalchemy import select

from backend import tickets
from backend.db import transaction
from backend.models import AuditLog, Kind, Status, Ticket, Urgency
from tests.bot.conftest import Estate
from tests.console.conftest import Console, post


def _ticket(console: Console, estate: Estate, **kw: object) -> str:
    bot = console.bot
    with transaction(bot.svc.sessions) as s:
        ticket = tickets.create_ticket(s, kind=kw.pop("kind", Kind.REPAIR), urgency=kw.pop("urgency", Urgency.NORMAL),
                                       now=kw.pop("now", bot.now), rules=bot.svc.rules, category="water",
                                       description="卫生间<b>漏水</b>", owner_id=estate.owner_id,
                                       unit_id=estate.unit_id)
        return ticket.number


def test_board_filters_and_marks_overdue_tickets(console: Console, estate: Estate) -> None:
    first = _ticket(console, estate)
    second = _ticket(console, estate, kind=Kind.COMPLAINT)
    console.bot.advance(days=5)
    sup = console.login("sup")
    board = sup.get("/console/tickets").text
    assert first in board and second in board and 'class="overdue' in board and "data-due=" in board
    only_complaints = sup.get("/console/tickets?kind=complaint").text
    assert second in only_complaints and first not in only_complaints
    assert sup.get("/console/tickets?overdue=0").text.count("AJ-") == 0
    assert sup.get("/console/tickets?status=bogus").status_code == 400


def test_agents_see_only_the_tickets_of_owners_they_advise(console: Console, estate: Estate) -> None:
    number = _ticket(console, estate)
    advisor, agent2 = console.login("advisor"), console.login("agent2")
    assert number in advisor.get("/console/tickets").text
    assert number not in agent2.get("/console/tickets").text
    assert agent2.get(f"/console/tickets/{number}").status_code == 403


def test_status_changes_follow_the_lifecycle_and_are_audited(console: Console, estate: Estate) -> None:
    number = _ticket(console, estate)
    sup = console.login("sup")
    page = sup.get(f"/console/tickets/{number}").text
    assert "created" in page and "卫生间&lt;b&gt;漏水&lt;/b&gt;" in page
    assert "msg=saved" in post(sup, f"/console/tickets/{number}/status", status="contacted").headers["location"]
    refused = post(sup, f"/console/tickets/{number}/status", status="closed")
    assert "err=rule_violation" in refused.headers["location"]
    with console.bot.svc.sessions() as s:
        ticket = s.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert ticket.status is Status.CONTACTED
        entries = list(s.scalars(select(AuditLog).where(AuditLog.action == "status_change")))
        assert [(e.data["from"], e.data["to"]) for e in entries] == [("received", "contacted")]
    post(sup, f"/console/tickets/{number}/assign", staff_id=str(console.users["agent2"]))
    assert "agent2员工" in sup.get(f"/console/tickets/{number}").text


def test_export_is_for_supervisors_and_audited(console: Console, estate: Estate) -> None:
    number = _ticket(console, estate)
    sup = console.login("sup")
    resp = sup.get("/console/tickets/export.csv?kind=repair")
    assert resp.status_code == 200 and number in resp.text and estate.owner_phone not in resp.text
    with console.bot.svc.sessions() as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "export")).one()
        assert entry.data["rows"] == 1 and entry.data["filters"] == {"kind": "repair"}
    assert console.login("advisor").get("/console/tickets/export.csv").status_code == 403


def test_create_a_ticket_from_a_conversation(console: Console, estate: Estate) -> None:
    from tests.console.test_conversations import OPENID, bind, conversation

    bind(console, estate)
    console.bot.say("wechat", OPENID, "转人工")
    conv = conversation(console)
    sup = console.login("sup")
    resp = post(sup, f"/console/conversations/{conv.id}/tickets", kind="complaint", urgency="high",
                description="物业态度差")
    number = resp.headers["location"].rsplit("/", 1)[1]
    with console.bot.svc.sessions() as s:
        ticket = s.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert ticket.conversation_id == conv.id and ticket.first_contact_owner_id == console.users["sup"]
        assert ticket.unit_id == estate.unit_id


def test_rota_shows_now_and_next_and_supervisors_and_admins_edit(console: Console, estate: Estate) -> None:
    agent, sup, admin = console.login("advisor"), console.login("sup"), console.login("admin")
    page = agent.get("/console/rota").text
    assert "当前值班" in page and "添加班次" not in page
    assert post(agent, "/console/rota/shifts", layer="1", staff_id="1", starts_at="2026-11-25T08:00",
                ends_at="2026-11-25T20:00").status_code == 403
    assert "添加班次" in sup.get("/console/rota").text
    assert "msg=saved" in post(sup, "/console/rota/shifts", layer="2", staff_id=str(console.users["agent2"]),
                               starts_at="2026-11-28T08:00", ends_at="2026-11-28T20:00").headers["location"]
    resp = post(admin, "/console/rota/shifts", layer="1", staff_id=str(console.users["agent2"]),
                starts_at="2026-11-27T08:00", ends_at="2026-11-27T20:00")
    assert "msg=saved" in resp.headers["location"]
    assert "agent2员工 · 2026-11-27 08:00" in admin.get("/console/rota").text
