"""Conversation flows through the real pipeline (store -> process -> outbox -> channel)."""

from __future__ import annotations

from sqlalchemy import select

from backend.models import ChannelIdentity, ConsentEvent, Conversation, DispatchPage, Mode, Ticket, TicketEvent
from tests.bot.conftest import Estate
from tests.bot.harness import Bot


def tickets(bot: Bot) -> list[Ticket]:
    with bot.svc.sessions() as s:
        return list(s.scalars(select(Ticket).order_by(Ticket.id)))


def conversation(bot: Bot, channel: str, user: str) -> Conversation:
    with bot.svc.sessions() as s:
        ident = s.scalars(select(ChannelIdentity).where(ChannelIdentity.channel == channel,
                                                        ChannelIdentity.external_id == user)).one()
        return s.scalars(select(Conversation).where(Conversation.identity_id == ident.id)).one()


def bind_wechat(bot: Bot, estate: Estate, user: str = "oWX1") -> None:
    """Bind a WeChat identity through phone and SMS code."""
    bot.say("wechat", user, "我要报修")
    replies = bot.say("wechat", user, estate.owner_phone)
    assert any("验证码" in r for r in replies)
    code = next(m.text for m in bot.channels["sms"].sent if "验证码" in m.text).split("验证码是 ")[1][:6]
    replies = bot.say("wechat", user, code)
    assert any("验证成功" in r for r in replies)


def test_repair_intake_binds_then_asks_only_what_is_missing(bot: Bot, estate: Estate) -> None:
    first = bot.say("wechat", "oWX1", "卫生间漏水了")
    assert any("手机号" in r for r in first)
    bot.say("wechat", "oWX1", f"我的手机是{estate.owner_phone}")
    sms = bot.channels["sms"].sent[-1]
    assert sms.external_user_id == "+86" + estate.owner_phone and "验证码" in sms.text
    code = sms.text.split("验证码是 ")[1][:6]
    replies = bot.say("wechat", "oWX1", code)
    # bound; the leak and the bathroom are known, so the next question is when to visit
    assert any("验证成功" in r for r in replies)
    assert any("什么时间方便" in r for r in replies)
    replies = bot.say("wechat", "oWX1", "明天下午")
    assert any("请确认报修信息" in r and "卫生间" in r for r in replies)
    replies = bot.say("wechat", "oWX1", "1")
    [ticket] = tickets(bot)
    assert ticket.kind.value == "repair" and ticket.category == "water" and ticket.location == "bathroom"
    assert ticket.unit_id == estate.unit_id and ticket.owner_id == estate.owner_id
    assert ticket.appointment_start is not None
    assert any(ticket.number in r and "前与您联系" in r for r in replies)


def test_wrong_otp_three_times_hands_over(bot: Bot, estate: Estate) -> None:
    bot.say("wechat", "oWX2", "我要报修")
    bot.say("wechat", "oWX2", estate.owner_phone)
    bot.say("wechat", "oWX2", "000001")
    bot.say("wechat", "oWX2", "000002")
    replies = bot.say("wechat", "oWX2", "000003")
    assert any("验证未通过" in r for r in replies)
    assert conversation(bot, "wechat", "oWX2").mode is Mode.WAITING
    with bot.svc.sessions() as s:
        ident = s.scalars(select(ChannelIdentity).where(ChannelIdentity.external_id == "oWX2")).one()
        assert ident.owner_id is None


def test_sms_sender_is_proven_no_code_needed(bot: Bot, estate: Estate) -> None:
    user = "+86" + estate.owner_phone
    bot.say("sms", user, "客厅墙上有裂缝")
    replies = bot.say("sms", user, "3栋2单元1502")
    assert any("验证成功" in r for r in replies)
    assert not any("验证码" in m.text for m in bot.channels["sms"].sent)


def test_telegram_contact_share_counts_as_phone(bot: Bot, estate: Estate) -> None:
    bot.say("telegram", "777", "报修")
    replies = bot.contact("telegram", "777", "+86" + estate.owner_phone)
    assert any("房号" in r for r in replies)
    replies = bot.say("telegram", "777", "3栋2单元1502")
    assert any("验证成功" in r for r in replies)
    assert not any("验证码" in m.text for m in bot.channels["sms"].sent)


def test_emergency_from_unbound_identity_pages_at_once_then_asks_address(bot: Bot, estate: Estate) -> None:
    replies = bot.say("wechat", "oStranger", "救命 厨房水管爆了 水漫出来了")
    [ticket] = tickets(bot)
    assert ticket.urgency.value == "emergency" and ticket.owner_id is None
    pages = [m for m in bot.channels["telegram"].sent if m.external_user_id == estate.engineer1_chat]
    assert pages and ticket.number in pages[0].text and pages[0].quick_replies
    assert any("水阀" in r for r in replies)  # safety steps for water
    assert any("联系值班工程师中" in r for r in replies)  # nobody accepted yet: the owner is told the truth
    assert any("具体地址" in r for r in replies)
    replies = bot.say("wechat", "oStranger", "翠湖湾3栋2单元1502 电话13912345678")
    with bot.svc.sessions() as s:
        kinds = list(s.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)))
    assert "details" in kinds and any(ticket.number in r for r in replies)


def test_engineer_ack_button_stops_escalation(bot: Bot, estate: Estate) -> None:
    bind_wechat(bot, estate)
    bot.say("wechat", "oWX1", "家里有很重的煤气味")
    with bot.svc.sessions() as s:
        page = s.scalars(select(DispatchPage)).one()
    replies = bot.press("telegram", estate.engineer1_chat, f"ack:{page.id}")
    assert any("已确认接单" in r for r in replies)
    bot.advance(minutes=10)
    bot.sweep()
    with bot.svc.sessions() as s:
        pages = list(s.scalars(select(DispatchPage)))
    assert len(pages) == 1 and pages[0].acked_at is not None


def test_unacknowledged_page_reaches_the_backup_layer(bot: Bot, estate: Estate) -> None:
    bind_wechat(bot, estate)
    bot.say("wechat", "oWX1", "电梯坏了 我妈困在电梯里")
    bot.advance(minutes=4)
    assert bot.sweep()["escalate_pages"] == 0
    bot.advance(minutes=2)
    assert bot.sweep()["escalate_pages"] == 1
    backup = [m for m in bot.channels["telegram"].sent if m.external_user_id == estate.engineer2_chat]
    assert backup and "L2" in backup[0].text
    replies = bot.say("telegram", estate.engineer2_chat, "1")
    assert any("已确认接单" in r for r in replies)


def test_emergency_interrupts_an_intake_in_progress(bot: Bot, estate: Estate) -> None:
    bind_wechat(bot, estate)
    bot.say("wechat", "oWX1", "客厅墙上有裂缝")
    replies = bot.say("wechat", "oWX1", "等等 厨房有煤气味")
    assert any("燃气总阀" in r for r in replies)
    assert [t.urgency.value for t in tickets(bot)] == ["emergency"]


def test_repeat_complaint_escalates_and_hands_over(bot: Bot, estate: Estate) -> None:
    bind_wechat(bot, estate)
    bot.say("wechat", "oWX1", "卫生间漏水")
    bot.say("wechat", "oWX1", "明天上午")
    bot.say("wechat", "oWX1", "1")
    first = bot.say("wechat", "oWX1", "卫生间又漏了，上次根本没修好，我要投诉")
    assert any("投诉" in r for r in first)
    assert conversation(bot, "wechat", "oWX1").mode is Mode.BOT
    second = bot.say("wechat", "oWX1", "又漏了！第二次投诉了")
    assert any("上报至开发商相关部门" in r for r in second)
    assert conversation(bot, "wechat", "oWX1").mode is Mode.WAITING
    levels = [t.level.value for t in tickets(bot)]
    assert levels == ["cs", "cs", "dev_dept"]


def test_enquiry_answers_from_data(bot: Bot, estate: Estate) -> None:
    bind_wechat(bot, estate)
    bot.say("wechat", "oWX1", "算了")
    replies = bot.say("wechat", "oWX1", "我家交房日期是哪天")
    assert any("2025-06-30" in r for r in replies)
    replies = bot.say("wechat", "oWX1", "物业费怎么交")
    assert any("前期物业服务合同" in r for r in replies)
    replies = bot.say("wechat", "oWX1", "火星上能看房吗")
    assert any("转接人工" in r for r in replies)
    assert conversation(bot, "wechat", "oWX1").mode is Mode.WAITING


def test_handoff_silences_the_bot(bot: Bot, estate: Estate) -> None:
    bot.say("telegram", "555", "你好")
    replies = bot.say("telegram", "555", "转人工")
    assert any("人工客服" in r for r in replies)
    assert bot.say("telegram", "555", "有人吗") == []


def test_two_low_confidence_turns_hand_over(bot: Bot, estate: Estate) -> None:
    assert any("没太理解" in r for r in bot.say("telegram", "556", "???"))
    assert any("人工客服" in r for r in bot.say("telegram", "556", "??? ???"))
    assert conversation(bot, "telegram", "556").mode is Mode.WAITING


def test_opt_out_is_recorded_and_acknowledged(bot: Bot, estate: Estate) -> None:
    replies = bot.say("sms", "+8613900000000", "退订")
    assert any("退订" in r and "服务通知" in r for r in replies)
    with bot.svc.sessions() as s:
        ident = s.scalars(select(ChannelIdentity).where(ChannelIdentity.channel == "sms")).one()
        assert ident.marketing_opt_out_at is not None
        event = s.scalars(select(ConsentEvent)).one()
        assert (event.action, event.channel, event.source) == ("withdraw", "sms", "keyword")


def test_platform_retry_is_processed_once(bot: Bot, estate: Estate) -> None:
    assert bot.store("wechat", "oWX9", "家里有煤气味", msg_id="dup-1") is not None
    assert bot.store("wechat", "oWX9", "家里有煤气味", msg_id="dup-1") is None
    bot.run()
    assert len(tickets(bot)) == 1


def test_english_owner_gets_english(bot: Bot, estate: Estate) -> None:
    replies = bot.say("telegram", "901", "There is a strong gas smell in my kitchen")
    assert any("gas valve" in r for r in replies)
    assert any("emergency" in r for r in replies)
