"""Takeover, reply, notes, hand-back and what the bot does afterwards (in-process bot, console over HTTP)."""

from __future__ import annotations

from sqlalchemy import select

from backend import tickets
from backend.db import transaction
from backend.models import (
    AuditLog,
    ChannelIdentity,
    Conversation,
    Kind,
    Message,
    Mode,
    Outbox,
    Status,
    Survey,
    Ticket,
    Urgency,
)
from tests.bot.conftest import Estate
from tests.console.conftest import Console, post

OPENID = "oOwnerWx01"


def bind(console: Console, estate: Estate, channel: str = "wechat", user: str = OPENID) -> None:
    """An identity already verified as the estate's owner."""
    bot = console.bot
    with transaction(bot.svc.sessions) as s:
        s.add(ChannelIdentity(channel=channel, external_id=user, owner_id=estate.owner_id, verified_at=bot.now,
                              created_at=bot.now))


def conversation(console: Console, user: str = OPENID) -> Conversation:
    with console.bot.svc.sessions() as s:
        identity = s.scalars(select(ChannelIdentity).where(ChannelIdentity.external_id == user)).one()
        return s.scalars(select(Conversation).where(Conversation.identity_id == identity.id)).one()


def test_takeover_reply_note_and_hand_back(console: Console, estate: Estate) -> None:
    bot = console.bot
    bind(console, estate)
    assert any("转接人工" in r for r in bot.say("wechat", OPENID, "转人工"))
    conv = conversation(console)
    assert conv.mode is Mode.WAITING
    sup = console.login("sup")
    assert "等待人工" in sup.get("/console").text

    resp = post(sup, f"/console/conversations/{conv.id}/takeover")
    assert resp.status_code == 303
    conv = conversation(console)
    assert conv.mode is Mode.STAFF and conv.held_by_id == console.users["sup"]

    assert bot.say("wechat", OPENID, "卫生间漏水") == []  # the bot is silent while staff hold it
    page = sup.get(f"/console/conversations/{conv.id}").text
    assert "卫生间漏水" in page and ">repair<" in page and ">0.95<" in page

    reply = "您好，我是客服小安，马上为您处理。"
    assert post(sup, f"/console/conversations/{conv.id}/reply", text=reply).status_code == 303
    with bot.svc.sessions() as s:
        msg = s.scalars(select(Message).where(Message.author == f"staff:{console.users['sup']}",
                                              Message.direction == "out")).one()
        row = s.get(Outbox, msg.outbox_id)
        assert row is not None and (row.channel, row.recipient, row.status) == ("wechat", OPENID, "queued")
    bot.run()
    assert bot.channels["wechat"].to(OPENID)[-1] == "您好，我是客服小安，马上为您处理。"
    assert "已发送" in sup.get(f"/console/conversations/{conv.id}/thread").text

    sent_before = len(bot.channels["wechat"].sent)
    assert post(sup, f"/console/conversations/{conv.id}/note", text="业主情绪激动，注意安抚").status_code == 303
    bot.run()
    assert len(bot.channels["wechat"].sent) == sent_before  # notes never reach the owner
    assert "业主情绪激动" in sup.get(f"/console/conversations/{conv.id}").text

    assert post(sup, f"/console/conversations/{conv.id}/handback").status_code == 303
    assert conversation(console).mode is Mode.BOT
    assert any("不客气" in r for r in bot.say("wechat", OPENID, "谢谢"))
    with bot.svc.sessions() as s:
        actions = [a.action for a in s.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert "takeover" in actions and "hand_back" in actions


def test_hand_back_repeats_the_pending_question(console: Console, estate: Estate) -> None:
    bot = console.bot
    bind(console, estate)
    asked = bot.say("wechat", OPENID, "报修")
    assert any("描述" in r for r in asked)
    conv = conversation(console)
    sup = console.login("sup")
    post(sup, f"/console/conversations/{conv.id}/takeover")
    post(sup, f"/console/conversations/{conv.id}/reply", text="请问是哪里的问题？")
    post(sup, f"/console/conversations/{conv.id}/handback")
    bot.run()
    assert bot.channels["wechat"].to(OPENID)[-1] == asked[-1]
    assert conversation(console).state["flow"] == "intake"
    replies = bot.say("wechat", OPENID, "厨房水管漏水了")
    assert replies and conversation(console).state.get("flow") == "intake"


def _repair(console: Console, estate: Estate, status: Status) -> Ticket:
    bot = console.bot
    with transaction(bot.svc.sessions) as s:
        ticket = tickets.create_ticket(s, kind=Kind.REPAIR, urgency=Urgency.NORMAL, now=bot.now, rules=bot.svc.rules,
                                       category="water", location="kitchen", description="厨房漏水",
                                       owner_id=estate.owner_id, unit_id=estate.unit_id)
        tickets.transition(s, ticket, status, now=bot.now)
        return ticket


def test_hand_back_after_a_confirmed_repair_starts_the_survey(console: Console, estate: Estate) -> None:
    bot = console.bot
    bind(console, estate)
    ticket = _repair(console, estate, Status.PENDING_OWNER_CONFIRM)
    bot.say("wechat", OPENID, "转人工")
    conv = conversation(console)
    sup = console.login("sup")
    post(sup, f"/console/conversations/{conv.id}/takeover")
    post(sup, f"/console/conversations/{conv.id}/reply", text="维修师傅说已经修好了，您看满意吗？")
    # the owner says yes to the agent; the agent records it on the ticket, then hands back
    assert "msg=saved" in post(sup, f"/console/tickets/{ticket.number}/confirm", satisfied="1",
                                note="业主在会话中确认满意").headers["location"]
    post(sup, f"/console/conversations/{conv.id}/handback")
    bot.run()
    assert ticket.number in bot.channels["wechat"].to(OPENID)[-1] and "打分" in bot.channels["wechat"].to(OPENID)[-1]
    assert conversation(console).state["flow"] == "survey"
    assert any("还有什么" in r for r in bot.say("wechat", OPENID, "5"))
    assert any("感谢" in r for r in bot.say("wechat", OPENID, "无"))
    with bot.svc.sessions() as s:
        assert s.get(Ticket, ticket.id).status is Status.CALLBACK_DONE
        assert s.scalars(select(Survey)).one().score == 5


def test_hand_back_asks_for_a_pending_repair_confirmation(console: Console, estate: Estate) -> None:
    bot = console.bot
    bind(console, estate)
    ticket = _repair(console, estate, Status.PENDING_OWNER_CONFIRM)
    bot.say("wechat", OPENID, "转人工")
    conv = conversation(console)
    sup = console.login("sup")
    post(sup, f"/console/conversations/{conv.id}/takeover")
    post(sup, f"/console/conversations/{conv.id}/handback")
    bot.run()
    assert ticket.number in bot.channels["wechat"].to(OPENID)[-1]
    assert conversation(console).state["flow"] == "confirm"
    bot.say("wechat", OPENID, "1")
    with bot.svc.sessions() as s:
        assert s.get(Ticket, ticket.id).status is Status.CLOSED


def test_only_the_holder_replies_and_supervisors_may_take_over(console: Console, estate: Estate) -> None:
    bot = console.bot
    bind(console, estate)
    bot.say("wechat", OPENID, "转人工")
    conv = conversation(console)
    advisor, sup = console.login("advisor"), console.login("sup")
    post(advisor, f"/console/conversations/{conv.id}/takeover")
    resp = post(sup, f"/console/conversations/{conv.id}/reply", text="插话")
    assert resp.status_code == 409 and "插话" in resp.text  # refused, the draft comes back
    assert "err=held_by_other" in post(advisor, f"/console/conversations/{conv.id}/takeover").headers.get(
        "location", "") or conversation(console).held_by_id == console.users["advisor"]
    post(sup, f"/console/conversations/{conv.id}/takeover", force="1")
    assert conversation(console).held_by_id == console.users["sup"]
    # the agent who lost it: Send says who holds it now and gives the draft back; nothing goes out
    lost = post(advisor, f"/console/conversations/{conv.id}/reply", text="还在吗，师傅马上到")
    assert lost.status_code == 409
    assert "还在吗，师傅马上到" in lost.text and "sup员工" in lost.text
    with bot.svc.sessions() as s:
        assert s.scalars(select(Message).where(Message.author == f"staff:{console.users['advisor']}",
                                               Message.direction == "out")).first() is None


def test_agents_see_their_owners_and_the_queue_only(console: Console, estate: Estate) -> None:
    bot = console.bot
    bind(console, estate)
    bot.say("wechat", OPENID, "你好")
    conv = conversation(console)
    advisor, agent2 = console.login("advisor"), console.login("agent2")
    assert advisor.get(f"/console/conversations/{conv.id}").status_code == 200
    assert agent2.get(f"/console/conversations/{conv.id}").status_code == 403
    assert f"/console/conversations/{conv.id}" not in agent2.get("/console").text

    bot.say("wechat", OPENID, "转人工")  # waiting: reserved for the (online) advisor first
    assert agent2.get(f"/console/conversations/{conv.id}").status_code == 403
    assert "优先分配给顾问" in advisor.get("/console").text
    bot.advance(minutes=3)  # then the shared queue
    assert agent2.get(f"/console/conversations/{conv.id}").status_code == 200
    assert "公共队列" in agent2.get("/console").text


def test_owner_text_is_escaped_everywhere(console: Console, estate: Estate) -> None:
    bot = console.bot
    bind(console, estate)
    bot.say("wechat", OPENID, "<script>alert(1)</script><img src=x onerror=alert(2)>")
    conv = conversation(console)
    sup = console.login("sup")
    for path in ("/console", "/console/inbox/rows", f"/console/conversations/{conv.id}",
                 f"/console/conversations/{conv.id}/thread"):
        html = sup.get(path).text
        assert "<script>alert(1)" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
