"""Reply routing (WeChat's 48 h window), advisor-first routing and the pickup-timeout alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from backend import conversations as convs
from backend.db import transaction
from backend.models import ChannelIdentity, ConsoleAlert, Conversation, Mode, Outbox, Owner, Role, Staff
from bot.console.pickup import pickup_sweep
from tests.bot.conftest import Estate
from tests.console.conftest import Console, post
from tests.console.test_conversations import OPENID, bind, conversation

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def _identity(channel: str, last: datetime | None) -> ChannelIdentity:
    return ChannelIdentity(channel=channel, external_id="oX" if channel == "wechat" else "42", last_inbound_at=last)


def test_inside_the_48h_window_wechat_replies_in_chat() -> None:
    route = convs.reply_route(_identity("wechat", NOW - timedelta(hours=47)), None, now=NOW, template_id="tpl",
                              sms_enabled=True)
    assert (route.channel, route.recipient, route.via) == ("wechat", "oX", "chat")


def test_outside_the_window_a_template_then_sms_then_late() -> None:
    identity = _identity("wechat", NOW - timedelta(hours=49))
    owner = Owner(name="业主", phone="13912345678")
    assert convs.reply_route(identity, owner, now=NOW, template_id="service_notice", sms_enabled=True) == \
        convs.Route("wechat", "oX", "template", "service_notice")
    assert convs.reply_route(identity, owner, now=NOW, template_id=None, sms_enabled=True) == \
        convs.Route("sms", "+8613912345678", "sms")
    assert convs.reply_route(identity, None, now=NOW, template_id=None, sms_enabled=True).via == "late"


def test_other_channels_always_reply_in_chat() -> None:
    assert convs.reply_route(_identity("telegram", None), None, now=NOW, template_id=None,
                             sms_enabled=False).via == "chat"


def test_staff_reply_after_48h_goes_by_sms(console: Console, estate: Estate) -> None:
    bot = console.bot
    bind(console, estate)
    bot.say("wechat", OPENID, "转人工")
    bot.advance(hours=49)
    conv = conversation(console)
    sup = console.login("sup")
    post(sup, f"/console/conversations/{conv.id}/takeover")
    post(sup, f"/console/conversations/{conv.id}/reply", text="您好，回复您之前的问题。")
    with bot.svc.sessions() as s:
        row = s.scalars(select(Outbox).where(Outbox.staff_id == console.users["sup"])).one()
    assert (row.channel, row.recipient) == ("sms", "+86" + estate.owner_phone)
    assert "改发短信" in sup.get(f"/console/conversations/{conv.id}").text


def test_waiting_owner_goes_to_the_queue_when_the_advisor_is_offline(console: Console, estate: Estate) -> None:
    bot = console.bot
    bind(console, estate)
    bot.say("wechat", OPENID, "转人工")
    conv = conversation(console)
    with bot.svc.sessions() as s:
        assert convs.route_waiting(s, s.get(Conversation, conv.id), now=bot.now,
                                   advisor_window=timedelta(minutes=2)) is None  # advisor not logged in
    console.login("advisor")
    with bot.svc.sessions() as s:
        assert convs.route_waiting(s, s.get(Conversation, conv.id), now=bot.now,
                                   advisor_window=timedelta(minutes=2)) == estate.advisor_id


def test_pickup_timeout_alerts_supervisors_once(console: Console, estate: Estate) -> None:
    bot = console.bot
    bind(console, estate)
    with transaction(bot.svc.sessions) as s:
        sup = s.scalars(select(Staff).where(Staff.role == Role.SUPERVISOR, Staff.telegram_chat_id.is_not(None))).first()
        assert sup is not None
    bot.say("wechat", OPENID, "转人工")
    conv = conversation(console)
    assert pickup_sweep(bot.svc, bot.now + timedelta(minutes=4)) == 0
    assert pickup_sweep(bot.svc, bot.now + timedelta(minutes=6)) == 1
    assert pickup_sweep(bot.svc, bot.now + timedelta(minutes=7)) == 0  # once per waiting period
    bot.advance(minutes=7)
    bot.run()
    assert any("转人工超时" in t for t in bot.channels["telegram"].to(sup.telegram_chat_id))
    client = console.login("sup")
    assert "转人工超时无人接待" in client.get("/console").text
    post(client, f"/console/conversations/{conv.id}/takeover")
    with bot.svc.sessions() as s:
        alert = s.scalars(select(ConsoleAlert)).one()
        assert alert.acked_by_id == console.users["sup"] and s.get(Conversation, conv.id).mode is Mode.STAFF
