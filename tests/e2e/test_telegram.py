"""Telegram end to end: a repair where the owner proves the phone by sharing their own contact."""

from __future__ import annotations

from sqlalchemy import select

from backend.models import ChannelIdentity, Ticket
from tests.e2e.live import World, wait_for


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
