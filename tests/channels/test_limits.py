"""Length limits: the fakes refuse what the platforms refuse, and the channels split to fit."""

from __future__ import annotations

from bot.channels.base import OutboundMessage, QuickReply
from bot.channels.common import split_text, utf8_bytes
from bot.channels.sms import SmsChannel
from bot.channels.telegram import TelegramChannel
from tests.channels.helpers import TELEGRAM_SECRET, TWILIO_SID
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio


def test_split_prefers_paragraphs_then_sentences_and_keeps_everything() -> None:
    text = "第一段。" * 30 + "\n\n" + "第二段很长。" * 40
    parts = split_text(text, 150)
    assert all(len(p) <= 150 for p in parts) and parts[0].endswith("。")
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")
    assert split_text("短", 10) == ["短"]
    assert all(utf8_bytes(p) <= 2048 for p in split_text("漏" * 2000, 2048, utf8_bytes))


async def test_telegram_long_text_is_split_and_buttons_go_last(fake_telegram: FakeTelegram) -> None:
    channel = TelegramChannel(fake_telegram.token, TELEGRAM_SECRET, api_base=fake_telegram.base_url, timeout_s=2)
    text = "工程师上门说明。" * 700  # 5,600 characters
    result = await channel.send(OutboundMessage("telegram", "1111111", text, quick_replies=(QuickReply("好", "ok"),)))
    assert result.ok
    calls = fake_telegram.calls("sendMessage")
    assert len(calls) == 2 and all(len(c["text"]) <= 4096 for c in calls)
    assert "reply_markup" not in calls[0] and "reply_markup" in calls[1]
    await channel.close()


async def test_telegram_fake_refuses_what_telegram_refuses(fake_telegram: FakeTelegram) -> None:
    channel = TelegramChannel(fake_telegram.token, TELEGRAM_SECRET, api_base=fake_telegram.base_url, timeout_s=2)
    fake_telegram.block("1111111")
    blocked = await channel.send(OutboundMessage("telegram", "1111111", "hi"))
    assert not blocked.ok and blocked.unreachable == "blocked" and not blocked.retryable
    long_caption = await channel.send(OutboundMessage("telegram", "2222222", "图" * 1500, image_url="https://x/a.jpg"))
    assert long_caption.ok  # sent as a photo, then the text
    assert [c["method"] for c in fake_telegram.sent] == ["sendPhoto", "sendMessage"]
    await channel.close()


async def test_sms_long_body_is_split_under_1600(fake_twilio: FakeTwilio) -> None:
    channel = SmsChannel(TWILIO_SID, fake_twilio.auth_token, "+15005550006", api_base=fake_twilio.base_url)
    assert (await channel.send(OutboundMessage("sms", "+8613912345678", "回复内容。" * 400))).ok
    assert [len(m["Body"]) <= 1600 for m in fake_twilio.sent] == [True, True]


async def test_sms_to_an_opted_out_number_is_21610_unreachable(fake_twilio: FakeTwilio) -> None:
    channel = SmsChannel(TWILIO_SID, fake_twilio.auth_token, "+15005550006", api_base=fake_twilio.base_url)
    fake_twilio.opt_out("+8613912345678")
    result = await channel.send(OutboundMessage("sms", "+8613912345678", "停水通知"))
    assert not result.ok and result.unreachable == "opted_out" and "21610" in (result.error or "")
    assert fake_twilio.sent == []


def test_an_emoji_does_not_turn_an_english_sms_into_ucs2() -> None:
    from bot.channels.sms import segment_friendly

    assert segment_friendly("⚠️ Gas smell: open the windows, do not switch lights.") == \
        "Gas smell: open the windows, do not switch lights."
    assert segment_friendly("⚠️ 燃气泄漏：请开窗") == "⚠️ 燃气泄漏：请开窗"  # UCS-2 anyway
    assert segment_friendly("plain text") == "plain text"
