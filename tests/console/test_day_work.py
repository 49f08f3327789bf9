"""The console for a day's work (issue 15): emergencies any agent can act on, the dispatch panel, resolve and
snooze, chat replies as first contact, owner confirmation that cannot be bypassed, owner context."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from backend.db import transaction
from backend.models import (
    AuditLog,
    ChannelIdentity,
    Conversation,
    DispatchPage,
    Kind,
    Outbox,
    Staff,
    Status,
    Ticket,
    TicketEvent,
    Urgency,
)
from tests.bot.conftest import Estate
from tests.console.conftest import Console, post
from tests.console.test_conversations import OPENID, bind, conversation

EMERGENCY = "救命 厨房水管爆了 水漫出来了"
STRANGER = "oStranger01"


def _emergency(console: Console, user: str = STRANGER) -> tuple[Conversation, Ticket]:
    console.bot.say("wechat", user, EMERGENCY)
    conv = conversation(console, user)
    with console.bot.svc.sessions() as s:
        ticket = s.scalars(select(Ticket).where(Ticket.conversation_id == conv.id)).one()
    return conv, ticket


def _pages(console: Console, ticket: Ticket) -> list[DispatchPage]:
    with console.bot.svc.sessions() as s:
        return list(s.scalars(select(DispatchPage).where(DispatchPage.ticket_id == ticket.id)
                              .order_by(DispatchPage.id)))


def _audit(console: Console, action: str) -> list[AuditLog]:
    with console.bot.svc.sessions() as s:
        return list(s.scalars(select(AuditLog).where(AuditLog.action == action)))


# --- 1. every agent can open the emergency they are alerted to ----------------------------------


def test_any_agent_sees_and_opens_an_emergency_from_an_unverified_owner(console: Console, estate: Estate) -> None:
    conv, ticket = _emergency(console)
    assert conv.owner_id is None and ticket.urgency is Urgency.EMERGENCY
    agent = console.login("agent2")  # neither the advisor nor holding anything
    assert f"/console/conversations/{conv.id}" in agent.get("/console").text
    assert agent.get(f"/console/conversations/{conv.id}").status_code == 200
    assert agent.get(f"/console/tickets/{ticket.number}").status_code == 200
    # an ordinary conversation of an unverified stranger stays out of her inbox
    console.bot.say("wechat", "oOther", "你好")
    other = conversation(console, "oOther")
    assert agent.get(f"/console/conversations/{other.id}").status_code == 403


# --- 2. dispatch in view ---------------------------------------------------------------------------


def test_dispatch_panel_shows_pages_and_acknowledge_on_behalf_stops_escalation(console: Console,
                                                                               estate: Estate) -> None:
    bot = console.bot
    conv, ticket = _emergency(console)
    [first] = _pages(console, ticket)
    agent = console.login("agent2")
    page = agent.get(f"/console/conversations/{conv.id}").text
    assert 'id="dispatch"' in page and f'data-page="{first.id}"' in page
    assert "tel:13800000001" in page  # the layer-1 engineer's phone, to call
    assert f'name="back" value="/console/conversations/{conv.id}"' in page  # actions come back here
    assert "telegram" in page.split('id="dispatch"', 1)[1]

    refused = post(agent, f"/console/tickets/{ticket.number}/pages/{first.id}/ack", note="")
    assert "err=note_required" in refused.headers["location"]
    assert _pages(console, ticket)[0].acked_at is None
    resp = post(agent, f"/console/tickets/{ticket.number}/pages/{first.id}/ack", note="已电话联系工程师，20分钟到",
                back=f"/console/conversations/{conv.id}")
    assert resp.headers["location"].startswith(f"/console/conversations/{conv.id}")
    bot.advance(minutes=30)
    bot.sweep()
    pages = _pages(console, ticket)
    assert len(pages) == 1 and pages[0].status == "acked"  # nobody at layer 2 or 3 was paged
    with bot.svc.sessions() as s:
        ev = s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                 TicketEvent.kind == "page_acked_on_behalf")).one()
        assert ev.actor == f"staff:{console.users['agent2']}" and ev.data["note"].startswith("已电话联系")
    [entry] = _audit(console, "page_ack_on_behalf")
    assert entry.staff_id == console.users["agent2"] and entry.data["page_id"] == first.id
    assert "代为确认" in agent.get(f"/console/tickets/{ticket.number}").text


def test_unacknowledged_pages_escalate_in_view_and_re_page_starts_again(console: Console, estate: Estate) -> None:
    bot = console.bot
    conv, ticket = _emergency(console)
    bot.advance(minutes=bot.svc.settings.sla.page_ack_minutes + 1)
    bot.sweep()
    first, second = _pages(console, ticket)
    assert (first.status, second.layer) == ("escalated", 2)
    sup = console.login("sup")
    panel = sup.get(f"/console/tickets/{ticket.number}").text.split('id="dispatch"', 1)[1]
    assert "st-escalated" in panel and f'data-page="{second.id}"' in panel
    post(sup, f"/console/tickets/{ticket.number}/repage", layer="1")
    pages = _pages(console, ticket)
    assert len(pages) == 3 and pages[-1].layer == 1 and pages[-1].status == "sent"
    assert pages[1].status == "repaged"  # the replaced page no longer escalates on its own
    bot.run()
    assert sum(ticket.number in m for m in bot.channels["telegram"].to(estate.engineer1_chat)) == 2
    assert _audit(console, "repage")


# --- 3. resolve / snooze; the owner waiting for a person first ---------------------------------------


def _inbox_ids(client: object, show: str = "") -> list[int]:
    import re

    html = client.get("/console/inbox/rows" + (f"?show={show}" if show else "")).text  # type: ignore[attr-defined]
    return [int(x) for x in re.findall(r'<tr class="row[^"]*" data-conversation="(\d+)"', html)]


def test_resolved_emergencies_leave_the_list_and_the_waiting_owner_sorts_first(console: Console,
                                                                                estate: Estate) -> None:
    bot = console.bot
    handled, _ = _emergency(console, "oE1")
    other, _ = _emergency(console, "oE2")
    bind(console, estate)
    bot.say("wechat", OPENID, "转人工")
    waiting = conversation(console)
    sup = console.login("sup")
    ids = _inbox_ids(sup)
    assert ids[0] == waiting.id and {handled.id, other.id} <= set(ids)

    assert "err=resolve_waiting" in post(sup, f"/console/conversations/{waiting.id}/resolve").headers["location"]
    post(sup, f"/console/conversations/{handled.id}/resolve")
    post(sup, f"/console/conversations/{other.id}/resolve", op="snooze", snooze="30m")
    ids = _inbox_ids(sup)
    assert handled.id not in ids and other.id not in ids and waiting.id in ids
    assert {handled.id, other.id} <= set(_inbox_ids(sup, "handled"))
    assert _audit(console, "conversation_resolved") and _audit(console, "conversation_snoozed")

    bot.advance(minutes=31)  # the snooze is over
    assert other.id in _inbox_ids(sup)
    bot.say("wechat", "oE1", "水又漏了")  # the owner writes again: back in the list
    assert handled.id in _inbox_ids(sup)


# --- 4. a chat reply is first contact ---------------------------------------------------------------


def test_a_staff_chat_reply_is_the_first_contact_on_linked_tickets(console: Console, estate: Estate) -> None:
    bot = console.bot
    conv, ticket = _emergency(console)
    assert ticket.first_contacted_at is None
    sup = console.login("sup")
    post(sup, f"/console/conversations/{conv.id}/takeover")
    post(sup, f"/console/conversations/{conv.id}/reply", text="您好，工程师正在赶来，请先关闭总水阀。")
    bot.advance(minutes=5)
    post(sup, f"/console/conversations/{conv.id}/reply", text="还好吗？")
    with bot.svc.sessions() as s:
        fresh = s.get(Ticket, ticket.id)
        assert fresh is not None and fresh.first_contacted_at == bot.now - timedelta(minutes=5)
        events = list(s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                          TicketEvent.kind == "first_contact")))
    assert len(events) == 1 and events[0].actor == f"staff:{console.users['sup']}"
    assert 'class="tag danger"' not in sup.get(f"/console/tickets/{ticket.number}").text.split("</h1>")[0]


# --- 5. owner confirmation cannot be bypassed ------------------------------------------------------


def _repair(console: Console, estate: Estate, status: Status) -> Ticket:
    from backend import tickets

    with transaction(console.bot.svc.sessions) as s:
        ticket = tickets.create_ticket(s, kind=Kind.REPAIR, now=console.bot.now, rules=console.bot.svc.rules,
                                       owner_id=estate.owner_id, unit_id=estate.unit_id, description="卫生间漏水")
        ticket.status = status
        s.flush()
        s.expunge(ticket)
        return ticket


def test_no_one_click_close_from_in_progress(console: Console, estate: Estate) -> None:
    ticket = _repair(console, estate, Status.IN_PROGRESS)
    sup = console.login("sup")
    resp = post(sup, f"/console/tickets/{ticket.number}/confirm", satisfied="1", note="业主说好了")
    assert "err=confirm_needs_pending" in resp.headers["location"]
    assert "err=rule_violation" in post(sup, f"/console/tickets/{ticket.number}/status",
                                        status="closed").headers["location"]
    with console.bot.svc.sessions() as s:
        assert s.get(Ticket, ticket.id).status is Status.IN_PROGRESS  # type: ignore[union-attr]
    page = sup.get(f"/console/tickets/{ticket.number}").text
    assert 'id="confirm-yes"' not in page and 'id="mark-done"' in page


def test_confirmation_by_phone_needs_a_note(console: Console, estate: Estate) -> None:
    ticket = _repair(console, estate, Status.PENDING_OWNER_CONFIRM)
    agent = console.login("advisor")
    assert "err=note_required" in post(agent, f"/console/tickets/{ticket.number}/confirm",
                                       satisfied="1").headers["location"]
    post(agent, f"/console/tickets/{ticket.number}/confirm", satisfied="1", note="15:20 电话确认，业主满意")
    with console.bot.svc.sessions() as s:
        fresh = s.get(Ticket, ticket.id)
        assert fresh is not None and fresh.status is Status.CLOSED
        kinds = set(s.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)))
    assert {"owner_confirmation", "confirmed_by_phone", "survey_scheduled"} <= kinds


def test_supervisor_override_needs_a_written_reason_and_is_audited(console: Console, estate: Estate) -> None:
    ticket = _repair(console, estate, Status.IN_PROGRESS)
    agent, sup = console.login("advisor"), console.login("sup")
    assert post(agent, f"/console/tickets/{ticket.number}/close-override",
                reason="业主长期联系不上，已上门确认修复").status_code == 403
    assert "err=override_reason_required" in post(sup, f"/console/tickets/{ticket.number}/close-override",
                                                   reason="不用了").headers["location"]
    post(sup, f"/console/tickets/{ticket.number}/close-override", reason="业主长期联系不上，已上门确认修复")
    with console.bot.svc.sessions() as s:
        fresh = s.get(Ticket, ticket.id)
        assert fresh is not None and fresh.status is Status.CLOSED and fresh.owner_confirmed_at is None
    [entry] = _audit(console, "close_override")
    assert entry.staff_id == console.users["sup"] and "联系不上" in entry.data["reason"]


# --- 6. force takeover reaches the colleague's page ---------------------------------------------------


def test_force_takeover_event_reaches_the_agent_who_lost_it(console: Console, estate: Estate) -> None:
    from bot.console.auth import Ctx
    from bot.console.inbox import _Visibility

    bind(console, estate)
    console.bot.say("wechat", OPENID, "转人工")
    conv = conversation(console)
    advisor, sup = console.login("advisor"), console.login("sup")
    post(advisor, f"/console/conversations/{conv.id}/takeover")
    captured: list[dict[str, object]] = []
    console.bot.svc.broker.publish = captured.append  # type: ignore[method-assign]
    post(sup, f"/console/conversations/{conv.id}/takeover", force="1")
    [event] = [e for e in captured if e["type"] == "takeover"]
    assert event["previous"] == console.users["advisor"]
    agent2 = Ctx(console.bot.svc, console.users["agent2"], "a2", "agent2", Staff.role.type.enum_class("agent"),
                 "zh", "", console.bot.now, None)
    loser = Ctx(console.bot.svc, console.users["advisor"], "ad", "advisor", agent2.role, "zh", "", console.bot.now,
                None)
    import asyncio

    assert asyncio.run(_Visibility(loser).allows(event)) is True
    assert asyncio.run(_Visibility(agent2).allows(event)) is False


# --- 7. owner context -------------------------------------------------------------------------------------


def test_owner_page_masks_the_phone_and_reveal_is_audited(console: Console, estate: Estate) -> None:
    bind(console, estate, channel="telegram", user="55501")
    console.bot.say("telegram", "55501", "你好")
    conv = conversation(console, "55501")
    agent = console.login("advisor")
    conv_page = agent.get(f"/console/conversations/{conv.id}").text
    assert f"/console/owners/{estate.owner_id}" in conv_page
    assert "139****5678" in conv_page and estate.owner_phone not in conv_page  # a Telegram owner's phone, masked
    page = agent.get(f"/console/owners/{estate.owner_id}").text
    assert "139****5678" in page and estate.owner_phone not in page and "telegram" in page
    assert 'id="pipl"' not in page  # PIPL actions are for supervisors
    revealed = post(agent, f"/console/owners/{estate.owner_id}/phone")
    assert estate.owner_phone in revealed.text
    [entry] = _audit(console, "phone_revealed")
    assert entry.target == f"owner:{estate.owner_id}" and entry.staff_id == console.users["advisor"]
    assert console.login("agent2").get(f"/console/owners/{estate.owner_id}").status_code == 403


def test_search_finds_owners_by_name_phone_tail_and_unit_and_tickets_by_number(console: Console,
                                                                                estate: Estate) -> None:
    ticket = _repair(console, estate, Status.RECEIVED)
    with console.bot.svc.sessions() as s:
        from backend.models import Owner

        name = s.get(Owner, estate.owner_id).name  # type: ignore[union-attr]
    sup = console.login("sup")
    for q in (name, estate.owner_phone[-4:], f"3栋2单元{estate.unit_room}"):
        assert f"/console/owners/{estate.owner_id}" in sup.get("/console/search", params={"q": q}).text, q
    assert f"/console/tickets/{ticket.number}" in sup.get("/console/search", params={"q": ticket.number}).text
    assert f"/console/tickets/{ticket.number}" in sup.get("/console/search", params={"q": "卫生间"}).text
    assert estate.owner_phone not in sup.get("/console/search", params={"q": estate.owner_phone[-4:]}).text
    # an agent finds only what she may open
    assert f"/console/owners/{estate.owner_id}" not in console.login("agent2").get(
        "/console/search", params={"q": estate.owner_phone[-4:]}).text


def test_a_registered_owner_writing_by_sms_is_recognised(console: Console, estate: Estate) -> None:
    console.bot.say("sms", "+86" + estate.owner_phone, "转人工")
    with console.bot.svc.sessions() as s:
        identity = s.scalars(select(ChannelIdentity).where(ChannelIdentity.channel == "sms")).one()
        conv = s.scalars(select(Conversation).where(Conversation.identity_id == identity.id)).one()
    page = console.login("sup").get(f"/console/conversations/{conv.id}").text
    assert f"/console/owners/{estate.owner_id}" in page


def test_pipl_erase_from_the_owner_page_without_typing_an_id(console: Console, estate: Estate) -> None:
    sup = console.login("sup")
    page = sup.get(f"/console/owners/{estate.owner_id}").text
    assert f"/console/privacy/export?owner_id={estate.owner_id}" in page
    back = f"/console/owners/{estate.owner_id}"
    wrong = post(sup, "/console/privacy/erase", owner_id=str(estate.owner_id), confirm="0000", back=back)
    assert "err=confirm_mismatch" in wrong.headers["location"]
    post(sup, "/console/privacy/erase", owner_id=str(estate.owner_id), confirm=estate.owner_phone[-4:], back=back)
    [entry] = _audit(console, "pipl_erase")
    assert entry.target == f"owner:{estate.owner_id}"
    assert not [e for e in _audit(console, "export") if e.target == f"owner:{estate.owner_id}"]


def test_assigning_a_ticket_notifies_the_engineer(console: Console, estate: Estate) -> None:
    ticket = _repair(console, estate, Status.TRIAGED)
    with console.bot.svc.sessions() as s:
        engineer = s.scalars(select(Staff).where(Staff.telegram_chat_id == estate.engineer2_chat)).one()
    sup = console.login("sup")
    post(sup, f"/console/tickets/{ticket.number}/assign", staff_id=str(engineer.id))
    console.bot.run()
    sent = console.bot.channels["telegram"].to(estate.engineer2_chat)
    assert any(ticket.number in text for text in sent)
    assert estate.owner_phone not in " ".join(sent)
    with console.bot.svc.sessions() as s:
        assert s.scalars(select(Outbox).where(Outbox.staff_id == engineer.id, Outbox.purpose == "notice")).one()
    # re-assigning back and forth at once is fine (no duplicate key)
    post(sup, f"/console/tickets/{ticket.number}/assign", staff_id=str(console.users["agent2"]))
    assert "msg=saved" in post(sup, f"/console/tickets/{ticket.number}/assign",
                               staff_id=str(engineer.id)).headers["location"]


def test_the_advisor_sees_her_owner_writing_by_sms_before_binding(console: Console, estate: Estate) -> None:
    console.bot.say("sms", "+86" + estate.owner_phone, "你好，我想咨询一下")
    with console.bot.svc.sessions() as s:
        identity = s.scalars(select(ChannelIdentity).where(ChannelIdentity.channel == "sms")).one()
        conv = s.scalars(select(Conversation).where(Conversation.identity_id == identity.id)).one()
        assert conv.owner_id is None
    advisor = console.login("advisor")
    assert advisor.get(f"/console/conversations/{conv.id}").status_code == 200
    rows = advisor.get("/console/inbox/rows").text
    assert f"/console/conversations/{conv.id}" in rows and "未绑定" not in rows.split(f"{conv.id}", 1)[1][:400]
    assert console.login("agent2").get(f"/console/conversations/{conv.id}").status_code == 403
