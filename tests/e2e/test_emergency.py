"""Emergencies end to end: page the on-call engineer at once, safety steps to the owner, ack, escalation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.models import DispatchPage, Outbox, Ticket, TicketEvent, utcnow
from bot.sweeps import escalate_pages
from tests.e2e.live import World, wait_for

OWNERS = {"wechat": "oE2E_emergency", "sms": "+8613600000077", "telegram": "7770077"}


def _page_texts(world: World, channel: str, recipient: str, ticket_number: str) -> list[dict]:
    return [m for m in world.platforms.messages(channel, recipient) if ticket_number in m["text"]]


def _pages(world: World) -> list[DispatchPage]:
    with world.live.sessions() as s:
        return list(s.scalars(select(DispatchPage).order_by(DispatchPage.id)))


@pytest.mark.parametrize("channel", ["wechat", "sms", "telegram"])
def test_emergency_pages_the_on_call_engineer_and_sends_safety_steps(world: World, channel: str) -> None:
    estate = world.estate
    owner = world.chat(channel, OWNERS[channel])
    replies = owner.say("家里有很重的煤气味，快来人", expect="值班工程师")

    with world.live.sessions() as s:
        [ticket] = s.scalars(select(Ticket)).all()
    assert (ticket.kind.value, ticket.urgency.value, ticket.category) == ("repair", "emergency", "gas")
    assert any("燃气总阀" in r for r in replies)  # gas safety steps to the owner
    assert any(ticket.number in r for r in replies)
    assert any("具体地址" in r for r in replies)  # unknown identity: asked for the address afterwards

    [page] = _pages(world)
    assert (page.layer, page.status, page.staff_id) == (1, "sent", estate.engineer1_id)
    # on Telegram, with an ack button carrying the page id
    [tg] = wait_for(lambda: _page_texts(world, "telegram", estate.engineer1_chat, ticket.number), "the Telegram page")
    assert "紧急派单 L1" in tg["text"]
    buttons = [b["callback_data"] for row in tg["data"]["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == [f"ack:{page.id}"]
    # and by SMS to the phone on the staff row
    sms = wait_for(lambda: [m for m in world.platforms.twilio.sent if "紧急派单" in m["Body"]], "the SMS page")
    assert len(sms) == 1 and estate.engineer1_phone in sms[0]["To"]
    # nobody else was paged
    assert not world.platforms.texts("telegram", estate.engineer2_chat)


def test_engineer_acknowledges_with_the_telegram_button(world: World) -> None:
    estate = world.estate
    world.chat("wechat", "oE2E_ack").say("电梯坏了 我妈困在电梯里", expect="值班工程师")
    [page] = _pages(world)
    engineer = world.chat("telegram", estate.engineer1_chat)
    engineer.skip()

    sent = world.hooks.telegram_button(int(estate.engineer1_chat), f"ack:{page.id}")
    assert sent.response.status_code == 200
    assert any("已确认接单" in r for r in engineer.expect("已确认接单", sent))
    wait_for(lambda: world.platforms.telegram.calls("answerCallbackQuery"), "the button press to be answered")

    [page] = _pages(world)
    assert page.status == "acked" and page.acked_at is not None
    with world.live.sessions() as s:
        ticket = s.get(Ticket, page.ticket_id)
        kinds = list(s.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == page.ticket_id)))
    assert ticket.assignee_id == estate.engineer1_id and "page_acked" in kinds

    # the ack timeout passes: an acknowledged page is not escalated
    assert escalate_pages(world.live.services, utcnow() + timedelta(minutes=30)) == 0
    assert len(_pages(world)) == 1


def test_unacknowledged_page_reaches_the_backup_layer(world: World) -> None:
    estate = world.estate
    world.chat("sms", "+8613600000078").say("救命 厨房水管爆了 水漫出来了", expect="值班工程师")
    [first] = _pages(world)
    svc = world.live.services
    ack_after = svc.ack_after

    # still inside the acknowledgement window: nothing happens
    assert escalate_pages(svc, first.sent_at + ack_after - timedelta(seconds=30)) == 0

    # the window has passed: the worker's clock moves on and the sweep pages layer 2
    world.live.app.state.worker._scheduler.pause()  # only this test drives the sweep
    later = utcnow() + ack_after + timedelta(minutes=1)
    svc.clock = lambda: later
    assert escalate_pages(svc, later) == 1
    backup = wait_for(lambda: world.platforms.texts("telegram", estate.engineer2_chat), "the layer-2 page")
    assert "紧急派单 L2" in backup[0]

    pages = _pages(world)
    assert [(p.layer, p.status) for p in pages] == [(1, "escalated"), (2, "sent")]
    # the backup engineer acknowledges with a bare "1"
    engineer2 = world.chat("telegram", estate.engineer2_chat)
    engineer2.skip()
    engineer2.say("1", expect="已确认接单")
    assert [p.status for p in _pages(world)] == ["escalated", "acked"]


def test_engineer_acknowledges_an_sms_page_by_replying_1(world: World) -> None:
    """Staff phones are stored as 11 digits; the engineer's reply arrives from the E.164 number."""
    estate = world.estate
    world.chat("telegram", "7770079").say("厨房冒烟了 着火了", expect="值班工程师")
    wait_for(lambda: world.platforms.twilio.sent, "the SMS page")
    engineer = world.chat("sms", "+86" + estate.engineer1_phone)
    engineer.skip()
    engineer.say("1", expect="已确认接单")
    assert [p.status for p in _pages(world)] == ["acked"]


def test_sms_page_goes_to_an_e164_number(world: World) -> None:
    estate = world.estate
    world.chat("telegram", "7770080").say("厨房冒烟了 着火了", expect="值班工程师")
    [sms] = wait_for(lambda: world.platforms.twilio.sent, "the SMS page")
    assert sms["To"] == "+86" + estate.engineer1_phone


@pytest.mark.parametrize("channel", ["wechat", "sms", "telegram"])
def test_the_replies_of_one_turn_arrive_in_the_order_written(world: World, channel: str) -> None:
    """Safety steps first, then who is coming, then the question: the owner reads them in that order."""
    user = {"wechat": "oE2E_order", "sms": "+8613600000081", "telegram": "7770081"}[channel]
    owner = world.chat(channel, user)
    replies = owner.say("家里有很重的煤气味，快来人", expect="具体地址")
    with world.live.sessions() as s:
        stmt = select(Outbox.payload).where(Outbox.recipient == user).order_by(Outbox.id)
        written = [payload["text"] for payload in s.scalars(stmt)]
    assert len(written) >= 4
    assert replies == written
