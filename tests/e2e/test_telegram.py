"""Telegram end to end: a repair where the owner proves the phone by sharing their own contact."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.models import ChannelIdentity, Ticket
from tests.e2e.live import World, bind_identity, next_id, wait_for


def test_repair_with_contact_share_binds_without_a_code(world: World) -> None:
    estate, chat_id = world.estate, 7770001
    owner = world.chat("telegram", str(chat_id))

    owner.say("卫生间漏水了", expect="手机号")
    [ask_phone] = [m["data"] for m in world.platforms.messages("telegram", str(chat_id)) if "购房登记" in m["text"]]
    keyboard = ask_phone["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_contact"] is True  # a real share-contact button

    sent = world.hooks.telegram_contact(chat_id, "+86" + estate.owner_phone)
    assert sent.response.status_code == 200
    owner.expect("房号", sent)
    replies = owner.say(estate.unit_text, expect="验证成功")
    assert not world.platforms.twilio.sent  # the contact proved the phone: no SMS code
    assert any("什么时间方便" in r for r in replies)
    owner.say("明天上午", expect="请确认报修信息")
    [confirm] = [m["data"] for m in world.platforms.messages("telegram", str(chat_id)) if "请确认" in m["text"]]
    buttons = [b["callback_data"] for row in confirm["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons  # choices arrive as inline buttons

    final = owner.say("1", expect="已为您登记报修")
    with world.live.sessions() as s:
        [ticket] = s.scalars(select(Ticket)).all()
        identity = s.scalars(select(ChannelIdentity).where(ChannelIdentity.external_id == str(chat_id))).one()
    assert any(ticket.number in r for r in final)
    assert (ticket.kind.value, ticket.category, ticket.location) == ("repair", "water", "bathroom")
    assert ticket.owner_id == estate.owner_id and ticket.unit_id == estate.unit_id
    assert identity.owner_id == estate.owner_id and identity.display_name


def test_a_forwarded_contact_is_not_proof(world: World) -> None:
    estate, chat_id = world.estate, 7770002
    owner = world.chat("telegram", str(chat_id))
    owner.say("卫生间漏水了", expect="手机号")
    contact = {"phone_number": "+86" + estate.owner_phone, "first_name": "别人", "user_id": 424242}
    sent = world.hooks.telegram_update("contact_own", chat_id, contact=contact)
    owner.expect("验证码已发送", sent)  # someone else's card: the code goes to the owner's phone
    assert wait_for(lambda: world.platforms.texts("sms", "+86" + estate.owner_phone), "the OTP SMS")


# ------------------------------------------------------------------------ blocked and other types
def _notice_route(world: World, ref_id: int) -> object:
    from backend.db import transaction
    from backend.notify import Notice, send_one
    from bot.proactive_sweeps import policy

    with transaction(world.live.sessions) as s:
        return send_one(s, world.estate.owner_id, Notice(text="电梯年检通知"), kind="service", ref_id=ref_id,
                        now=world.live.services.clock(), policy=policy(world.live.services))


def test_a_user_who_blocks_the_bot_is_no_longer_chosen(world: World) -> None:
    import json as _json

    from tests.e2e.live import FIXTURES

    chat = 1111111
    bind_identity(world.live.sessions, "telegram", str(chat), world.estate.owner_id)
    assert _notice_route(world, 1).channel == "telegram"  # type: ignore[attr-defined]
    update = _json.loads((FIXTURES / "telegram" / "my_chat_member_kicked.json").read_text())
    update["update_id"] = next_id()
    assert world.hooks.telegram_raw(_json.dumps(update).encode()).status_code == 200
    world.live.settle()
    assert _notice_route(world, 2).channel == "sms"  # type: ignore[attr-defined]
    assert world.platforms.texts("telegram", str(chat)) == []  # and no reply to the block itself


def test_a_send_refused_with_403_is_rerouted(world: World) -> None:
    from backend.db import transaction
    from backend.models import Outbox
    from backend.outbox import enqueue

    bind_identity(world.live.sessions, "telegram", "5550091", world.estate.owner_id)
    world.platforms.telegram.block("5550091")
    with transaction(world.live.sessions) as s:
        enqueue(s, channel="telegram", recipient="5550091", text="您的报修已受理", now=world.live.services.clock(),
                purpose="reply", owner_id=world.estate.owner_id)
    world.live.app.state.worker.wake_outbox()
    world.live.settle()
    with world.live.sessions() as s:
        rows = {r.channel: r.status for r in s.scalars(select(Outbox))}
        identity = s.scalars(select(ChannelIdentity).where(ChannelIdentity.external_id == "5550091")).one()
    assert rows == {"telegram": "rerouted", "sms": "sent"} and identity.blocked_at is not None


@pytest.mark.parametrize("fixture", ["voice_message", "document_message", "video_message", "sticker_message"])
def test_other_message_types_are_processed_not_dropped(world: World, fixture: str) -> None:
    sent = world.hooks.telegram_update(fixture, 5550092)
    assert sent.response.status_code == 200
    event = world.live.wait_processed("telegram", sent.provider_id)
    assert event.status == "done"


def test_an_edited_message_is_a_new_turn(world: World) -> None:
    import json as _json

    from tests.e2e.live import telegram_update

    update = telegram_update("text_message", 5550093, next_id(), text="家里有很重的煤气味")
    update["edited_message"] = update.pop("message")
    assert world.hooks.telegram_raw(_json.dumps(update).encode()).status_code == 200
    event = world.live.wait_processed("telegram", str(update["update_id"]))
    assert event.status == "done"
    with world.live.sessions() as s:
        assert s.scalars(select(Ticket)).all()  # the emergency in the edit was handled
