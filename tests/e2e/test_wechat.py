"""WeChat end to end: URL verification, and a repair reported by an unbound follower (plain and safe mode)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from backend.models import ChannelIdentity, Ticket
from bot.channels.wechat import WeChatChannel
from tests.e2e.live import WECHAT_APP_ID, WECHAT_SECRET, WECHAT_TOKEN, World, bind_identity, wait_for


@pytest.fixture
def plain_mode_wechat(world: World) -> Iterator[None]:
    """The app's WeChat channel swapped for a plain-mode account (no EncodingAESKey) for one test."""
    channels = world.live.services.channels
    original = channels["wechat"]
    channels["wechat"] = WeChatChannel(WECHAT_APP_ID, WECHAT_TOKEN, app_secret=WECHAT_SECRET,
                                       api_base=world.live.settings.wechat.api_base)
    try:
        yield
    finally:
        channels["wechat"] = original


def test_url_verification_echoes_echostr(world: World) -> None:
    response = world.hooks.wechat_get("4375120948345356249")
    assert response.status_code == 200
    assert response.text == "4375120948345356249"


def test_url_verification_with_a_wrong_token_is_refused(world: World) -> None:
    response = world.hooks.wechat_get("4375120948345356249", token="not-our-token")
    assert response.status_code == 403
    assert "4375120948345356249" not in response.text


@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_repair_binds_by_sms_code_then_opens_a_ticket(world: World, mode: str, request: pytest.FixtureRequest) -> None:
    if mode == "plain":  # an account without an EncodingAESKey
        request.getfixturevalue("plain_mode_wechat")
    estate, openid = world.estate, f"oE2E_{mode}"
    owner = world.chat("wechat", openid, mode=mode)

    replies = owner.say("卫生间漏水了", expect="手机号")
    assert any("安居客户关系中心" in r for r in replies)  # privacy notice on first contact
    owner.say(f"我的手机是{estate.owner_phone}", expect="验证码已发送")  # units are shown only after the code

    # the one-time code went out as a real SMS through the Twilio SDK to the fake
    sms = wait_for(lambda: world.platforms.texts("sms", "+86" + estate.owner_phone), "the OTP SMS")
    code = re.search(r"验证码是 (\d{6})", sms[-1])
    assert code, sms
    replies = owner.say(code.group(1), expect="验证成功")
    # bound; the leak and the bathroom are known, so the next question is when to visit
    assert any("什么时间方便" in r for r in replies)
    owner.say("明天下午", expect="请确认报修信息")
    final = owner.say("1", expect="已为您登记报修")

    with world.live.sessions() as s:
        [ticket] = s.scalars(select(Ticket)).all()
        identity = s.scalars(select(ChannelIdentity).where(ChannelIdentity.external_id == openid)).one()
    assert any(ticket.number in r for r in final)
    assert (ticket.kind.value, ticket.urgency.value, ticket.category, ticket.location) == (
        "repair", "normal", "water", "bathroom")
    assert ticket.owner_id == estate.owner_id and ticket.unit_id == estate.unit_id
    assert ticket.appointment_start is not None
    assert identity.owner_id == estate.owner_id and identity.verified_at is not None
    # every reply went through the customer-service API with a token from the fake's token endpoint
    assert world.platforms.wechat.token_requests
    assert {m["_endpoint"] for m in world.platforms.wechat.sent} == {"custom"}


# ------------------------------------------------------------------ the customer-service window
def _queue_reply(world: World, channel: str, recipient: str, text: str) -> None:
    from backend.db import transaction
    from backend.outbox import enqueue

    with transaction(world.live.sessions) as s:
        enqueue(s, channel=channel, recipient=recipient, text=text, now=world.live.services.clock(),
                purpose="reply", owner_id=world.estate.owner_id)
    world.live.app.state.worker.wake_outbox()
    world.live.settle()


def _rows(world: World) -> dict[str, str]:
    from backend.models import Outbox

    with world.live.sessions() as s:
        return {r.channel: r.status for r in s.scalars(select(Outbox))}


def test_a_message_refused_outside_the_window_goes_by_sms_instead(world: World) -> None:
    """45015 is a routing signal: the owner never wrote (or wrote 48 h ago), so SMS carries the reply."""
    bind_identity(world.live.sessions, "wechat", "oSilent", world.estate.owner_id)
    _queue_reply(world, "wechat", "oSilent", "您的报修工程师已接单")
    assert _rows(world) == {"wechat": "rerouted", "sms": "sent"}
    assert [r["_errcode"] for r in world.platforms.wechat.refusals] == [45015]
    assert world.platforms.texts("sms", "+86" + world.estate.owner_phone) == ["您的报修工程师已接单"]


def test_quota_used_up_falls_back_and_stops_choosing_the_window(world: World) -> None:
    bind_identity(world.live.sessions, "wechat", "oChatty", world.estate.owner_id)
    world.platforms.wechat.user_action("oChatty", "message")
    for i in range(6):
        _queue_reply(world, "wechat", "oChatty", f"第{i}条")
    from backend.models import Outbox

    with world.live.sessions() as s:
        rows = [(r.channel, r.status) for r in s.scalars(select(Outbox).order_by(Outbox.id))]
    assert rows[:5] == [("wechat", "sent")] * 5
    assert ("wechat", "rerouted") in rows and ("sms", "sent") in rows  # the sixth: 45047, then SMS


def test_unsubscribe_closes_the_window_and_marks_the_identity(world: World) -> None:
    openid = "oLeaving"
    bind_identity(world.live.sessions, "wechat", openid, world.estate.owner_id)
    xml = load_fixture_text("unsubscribe").replace("[CDATA[FromUser]]", f"[CDATA[{openid}]]")
    assert world.hooks.wechat_raw(xml, openid=openid).status_code == 200
    world.live.settle()
    with world.live.sessions() as s:
        identity = s.scalars(select(ChannelIdentity).where(ChannelIdentity.external_id == openid)).one()
    assert identity.blocked_at is not None and identity.window_opened_at is None


def test_a_follow_opens_only_the_short_window(world: World) -> None:
    openid = "oNewFollower"
    xml = load_fixture_text("subscribe").replace("[CDATA[FromUser]]", f"[CDATA[{openid}]]")
    assert world.hooks.wechat_raw(xml, openid=openid).status_code == 200
    world.live.settle()
    with world.live.sessions() as s:
        identity = s.scalars(select(ChannelIdentity).where(ChannelIdentity.external_id == openid)).one()
    assert identity.window_kind == "event"


def load_fixture_text(name: str) -> str:
    from tests.channels.helpers import load_fixture

    return load_fixture("wechat", name).decode()


@pytest.mark.parametrize("fixture", ["video", "shortvideo", "link", "scan", "subscribe_qrscene", "unknown_type"])
def test_other_message_types_are_processed_not_dropped(world: World, fixture: str) -> None:
    from backend.models import InboundEvent
    from tests.e2e.live import next_id

    openid = f"oType_{fixture}"
    xml = load_fixture_text(fixture).replace("[CDATA[fromUser]]", f"[CDATA[{openid}]]")
    xml = xml.replace("[CDATA[FromUser]]", f"[CDATA[{openid}]]")
    xml = re.sub(r"<MsgId>\d+</MsgId>", f"<MsgId>{next_id()}</MsgId>", xml)
    assert world.hooks.wechat_raw(xml, openid=openid).status_code == 200
    world.live.settle()
    with world.live.sessions() as s:
        [event] = s.scalars(select(InboundEvent)).all()
    assert event.status == "done", event.error


def test_template_delivery_receipt_marks_the_outbox_row(world: World) -> None:
    from backend.db import transaction
    from backend.models import Outbox

    with transaction(world.live.sessions) as s:
        s.add(Outbox(channel="wechat", recipient="oReceipt", purpose="notice", payload={"text": "x"}, status="sent",
                     provider_message_id="200163836"))
    xml = load_fixture_text("template_job_finish")
    assert world.hooks.wechat_raw(xml, openid="fromuser").status_code == 200
    world.live.settle()
    with world.live.sessions() as s:
        assert s.scalars(select(Outbox)).one().status == "delivered"
