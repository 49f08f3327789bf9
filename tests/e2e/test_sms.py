"""SMS through Twilio end to end: the sender number proves the owner; delivery receipts update the outbox."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from backend.models import ChannelIdentity, ConsentEvent, InboundEvent, Outbox, Ticket
from tests.e2e.live import TWILIO_NUMBER, World, bind_identity, wait_for


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


# ---------------------------------------------------------------------------------- opt-out (STOP)
def _notice(world: World, ref_id: int) -> object:
    from backend.db import transaction
    from backend.notify import Notice, send_one
    from bot.proactive_sweeps import policy

    with transaction(world.live.sessions) as s:
        return send_one(s, world.estate.owner_id, Notice(text="停水通知：明天9点至12点"), kind="service",
                        ref_id=ref_id, now=world.live.services.clock(), policy=policy(world.live.services))


@pytest.mark.parametrize("word", ["STOP", "end", "Quit", "CANCEL", "REVOKE", "OPTOUT", "UNSUBSCRIBE", "STOPALL"])
def test_stop_from_an_owners_phone_blocks_all_sms_and_is_recorded_against_the_owner(world: World, word: str) -> None:
    sender = "+86" + world.estate.owner_phone
    sent = world.hooks.sms(sender, word)
    assert sent.response.status_code == 200 and "<Message>" not in sent.response.text
    world.live.settle()
    with world.live.sessions() as s:
        [consent] = s.scalars(select(ConsentEvent)).all()
        identity = s.scalars(select(ChannelIdentity).where(ChannelIdentity.external_id == sender)).one()
        events = s.scalar(select(func.count()).select_from(InboundEvent))
    assert (consent.owner_id, consent.channel, consent.action) == (world.estate.owner_id, "sms", "opt_out")
    assert identity.blocked_at is not None and events == 0  # not handed to the dialogs: no second reply
    assert world.platforms.texts("sms", sender) == [] and world.platforms.twilio.refusals == []
    route = _notice(world, 1)  # the owner's only channel was SMS: nothing left, no doomed send
    assert route.channel is None and route.reason == "unreachable"  # type: ignore[attr-defined]

    world.hooks.sms(sender, "START")
    world.live.settle()
    assert _notice(world, 2).channel == "sms"  # type: ignore[attr-defined]


def test_after_stop_service_notices_go_to_the_owners_other_channel(world: World) -> None:
    bind_identity(world.live.sessions, "telegram", "5550077", world.estate.owner_id)
    world.hooks.sms("+86" + world.estate.owner_phone, "STOP")
    world.live.settle()
    assert _notice(world, 3).channel == "telegram"  # type: ignore[attr-defined]


def test_help_is_answered_once_with_the_help_text_not_ok(world: World) -> None:
    sender = "+8613700000011"
    sent = world.hooks.sms(sender, "HELP")
    assert "<Message>" in sent.response.text and "STOP" in sent.response.text
    world.live.settle()
    assert world.platforms.texts("sms", sender) == []  # nothing more from the dialogs ("OK.")


def test_a_send_refused_with_21610_is_rerouted_not_dead(world: World) -> None:
    """An SMS to a number that opted out elsewhere (Twilio's list, not ours) is refused: try the next route."""
    from backend.db import transaction
    from backend.outbox import enqueue

    bind_identity(world.live.sessions, "telegram", "5550078", world.estate.owner_id)
    phone = "+86" + world.estate.owner_phone
    world.platforms.twilio.opt_out(phone)
    with transaction(world.live.sessions) as s:
        enqueue(s, channel="sms", recipient=phone, text="您的报修已受理", now=world.live.services.clock(),
                purpose="reply", owner_id=world.estate.owner_id)  # replies are exempt from quiet hours
    world.live.app.state.worker.wake_outbox()
    world.live.settle()
    with world.live.sessions() as s:
        rows = {r.channel: (r.status, r.last_error) for r in s.scalars(select(Outbox))}
    assert {k: v[0] for k, v in rows.items()} == {"sms": "rerouted", "telegram": "sent"}, rows
    assert world.platforms.texts("telegram", "5550078") == ["您的报修已受理"]
    assert [r["_code"] for r in world.platforms.twilio.refusals] == [21610]
