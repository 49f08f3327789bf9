"""SMS through Twilio end to end: the sender number proves the owner; delivery receipts update the outbox."""

from __future__ import annotations

from sqlalchemy import select

from backend.models import ChannelIdentity, Outbox, Ticket
from tests.e2e.live import TWILIO_NUMBER, World, wait_for


def test_repair_by_sms_needs_no_code_because_the_sender_number_is_proven(world: World) -> None:
    estate = world.estate
    sender = "+86" + estate.owner_phone
    owner = world.chat("sms", sender)

    replies = owner.say("客厅墙上有裂缝", expect="房号")
    assert not any("购房登记的手机号" in r for r in replies)  # the phone is the sender's number
    replies = owner.say(estate.unit_text, expect="验证成功")
    assert not any("验证码" in r for r in owner.received())  # no one-time code by SMS
    assert any("什么时间方便" in r for r in replies)
    owner.say("周六上午", expect="请确认报修信息")
    final = owner.say("1", expect="已为您登记报修")

    with world.live.sessions() as s:
        [ticket] = s.scalars(select(Ticket)).all()
        identity = s.scalars(select(ChannelIdentity).where(ChannelIdentity.external_id == sender)).one()
    assert any(ticket.number in r for r in final)
    assert (ticket.kind.value, ticket.category, ticket.location) == ("repair", "wall_floor_ceiling", "living_room")
    assert ticket.owner_id == estate.owner_id and ticket.unit_id == estate.unit_id
    assert identity.owner_id == estate.owner_id
    # replies left from our number with the status callback the app registered
    sent = world.platforms.messages("sms", sender)[-1]["data"]
    assert sent["From"] == TWILIO_NUMBER
    assert sent["StatusCallback"] == world.live.url("/hooks/sms/status")


def test_status_callback_marks_the_outbox_row_delivered(world: World) -> None:
    sender = "+8613700000009"
    world.chat("sms", sender).say("你好", expect="您好")

    def sent_row() -> Outbox | None:
        with world.live.sessions() as s:
            stmt = select(Outbox).where(Outbox.recipient == sender, Outbox.status == "sent")
            return s.scalars(stmt.order_by(Outbox.id.desc())).first()

    row = wait_for(sent_row, "a sent outbox row with Twilio's MessageSid")
    assert row.provider_message_id and row.provider_message_id.startswith("SM")
    form = {"MessageSid": row.provider_message_id, "MessageStatus": "delivered", "AccountSid": "AC1",
            "To": sender, "From": TWILIO_NUMBER, "ApiVersion": "2010-04-01"}
    response = world.hooks.twilio_raw("/hooks/sms/status", form)
    assert response.status_code == 204

    with world.live.sessions() as s:
        assert s.get(Outbox, row.id).status == "delivered"


def test_forged_status_callback_changes_nothing(world: World) -> None:
    sender = "+8613700000010"
    world.chat("sms", sender).say("你好", expect="您好")
    with world.live.sessions() as s:
        row = s.scalars(select(Outbox).where(Outbox.recipient == sender, Outbox.status == "sent")).first()
    assert row is not None
    form = {"MessageSid": row.provider_message_id or "", "MessageStatus": "failed"}
    response = world.hooks.twilio_raw("/hooks/sms/status", form, auth_token="someone-else")
    assert response.status_code == 403
    with world.live.sessions() as s:
        assert s.get(Outbox, row.id).status == "sent"
