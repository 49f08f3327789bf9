"""Enquiries, complaints and handoff end to end, for owners whose identity is already bound."""

from __future__ import annotations

from sqlalchemy import select

from backend import tickets
from backend.db import transaction
from backend.models import ChannelIdentity, Conversation, Kind, Mode, Ticket, Urgency, utcnow
from tests.e2e.live import World, bind_identity


def _repair_ticket(world: World) -> str:
    """A bathroom leak the owner reported earlier (created as the bot would)."""
    svc = world.live.services
    with transaction(svc.sessions) as s:
        ticket = tickets.create_ticket(s, kind=Kind.REPAIR, urgency=Urgency.NORMAL, now=utcnow(), rules=svc.rules,
                                       category="water", location="bathroom", description="卫生间漏水",
                                       owner_id=world.estate.owner_id, unit_id=world.estate.unit_id, actor="bot")
        return ticket.number


def _mode(world: World, channel: str, user: str) -> Mode:
    with world.live.sessions() as s:
        identity = s.scalars(select(ChannelIdentity).where(ChannelIdentity.channel == channel,
                                                           ChannelIdentity.external_id == user)).one()
        return s.scalars(select(Conversation).where(Conversation.identity_id == identity.id)).one().mode


def test_enquiries_are_answered_from_the_owners_data_and_the_faq(world: World) -> None:
    estate = world.estate
    bind_identity(world.live.sessions, "wechat", "oE2E_enq", estate.owner_id)
    number = _repair_ticket(world)
    owner = world.chat("wechat", "oE2E_enq")

    assert any("2025-06-30" in r for r in owner.say("请问交房时间", expect="交付日期"))
    assert any(number in r and "报修" in r for r in owner.say("我的工单进度怎么样", expect="您最近的工单"))
    assert any("前期物业服务合同" in r for r in owner.say("物业费怎么交", expect="物业"))
    assert _mode(world, "wechat", "oE2E_enq") is Mode.BOT


def test_personal_enquiry_from_an_unknown_number_asks_for_binding_first(world: World) -> None:
    replies = world.chat("telegram", "7770003").say("我家什么时候交房", expect="核实您的业主身份")
    assert not any("2025-06-30" in r for r in replies)


def test_repeated_complaint_escalates_and_waits_for_staff(world: World) -> None:
    estate = world.estate
    bind_identity(world.live.sessions, "telegram", "7770004", estate.owner_id)
    _repair_ticket(world)
    owner = world.chat("telegram", "7770004")

    first = owner.say("卫生间又漏了，上次根本没修好，我要投诉", expect="已登记您的投诉")
    assert any("需要人工客服" in r for r in first)
    assert _mode(world, "telegram", "7770004") is Mode.BOT

    second = owner.say("还是漏，第二次投诉了", expect="上报至")
    assert any("开发商相关部门" in r for r in second)
    assert _mode(world, "telegram", "7770004") is Mode.WAITING
    with world.live.sessions() as s:
        rows = list(s.scalars(select(Ticket).order_by(Ticket.id)))
    assert [(t.kind.value, t.level.value) for t in rows] == [("repair", "cs"), ("complaint", "cs"),
                                                             ("complaint", "dev_dept")]
    assert all(t.category == "water" and t.location == "bathroom" for t in rows)

    # staff now own the conversation: the bot stays silent
    before = world.platforms.total()
    sent = world.hooks.telegram(7770004, "有人在处理吗")
    assert sent.response.status_code == 200
    world.live.wait_processed("telegram", sent.provider_id)
    assert world.platforms.total() == before


def test_handoff_request_silences_the_bot(world: World) -> None:
    owner = world.chat("sms", "+8613600000090")
    owner.say("你好", expect="您好")
    assert any("人工客服" in r for r in owner.say("转人工", expect="转接人工客服"))
    assert _mode(world, "sms", "+8613600000090") is Mode.WAITING

    before = world.platforms.total()
    sent = world.hooks.sms("+8613600000090", "有人吗")
    assert sent.response.status_code == 200
    world.live.wait_processed("sms", sent.provider_id)
    assert world.platforms.total() == before  # no further bot replies
