"""Terminal channel, registry, numbered-choice fallback and phone masking."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from pydantic import SecretStr

from bot.channels.base import OutboundMessage, QuickReply, WebRequest
from bot.channels.common import match_numbered_choice, secret_value, with_numbered_choices
from bot.channels.privacy import mask_phone
from bot.channels.registry import build_channels
from bot.channels.sms import SmsChannel
from bot.channels.telegram import TelegramChannel
from bot.channels.terminal import TerminalChannel
from bot.channels.wechat import WeChatChannel
from bot.settings import TelegramSettings, TwilioSettings, WeChatSettings
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio
from tests.fakes.wechat import FakeWeChat

CHOICES = (QuickReply("上午 9-12 点", "am"), QuickReply("下午 2-6 点", "pm"))


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("+14155550167", "+1 *** ***-**67"),
        ("+442071838750", "**********50"),
        ("", ""),
        ("123", "***"),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_numbered_choices_round_trip() -> None:
    assert with_numbered_choices("请选择时间", CHOICES) == "请选择时间\n1. 上午 9-12 点\n2. 下午 2-6 点"
    assert with_numbered_choices("无选项", ()) == "无选项"
    for answer, payload in [("1", "am"), (" 2 ", "pm"), ("２", "pm"), ("2.", "pm"), ("上午 9-12 点", "am")]:
        assert (match_numbered_choice(answer, CHOICES) or QuickReply("", "")).payload == payload
    assert match_numbered_choice("3", CHOICES) is None and match_numbered_choice("0", CHOICES) is None
    assert match_numbered_choice("明天", CHOICES) is None


def test_secret_value() -> None:
    assert (secret_value(SecretStr("x")), secret_value("y"), secret_value(None)) == ("x", "y", "")


async def test_terminal_channel() -> None:
    stream = io.StringIO()
    channel = TerminalChannel(stream)
    message = channel.message_from_line("卫生间漏水\n")
    assert message and (message.text, message.external_user_id, message.provider_message_id) == (
        "卫生间漏水",
        "terminal-owner",
        "terminal-in-1",
    )
    assert channel.message_from_line("   ") is None
    result = await channel.send(
        OutboundMessage("terminal", "terminal-owner", "请选择时间", quick_replies=CHOICES, request_contact=True)
    )
    assert result.ok and result.provider_message_id == "terminal-out-1"
    assert stream.getvalue() == (
        "安居> 请选择时间\n1. 上午 9-12 点\n2. 下午 2-6 点\n[请输入手机号 please type your phone number]\n"
    )
    parsed = channel.parse_inbound(WebRequest("POST", "local", {}, {}, "一\n\n二\n".encode()))
    assert [m.text for m in parsed] == ["一", "二"]
    channel.verify(WebRequest("POST", "local", {}, {}, b""))
    assert channel.ack(WebRequest("POST", "local", {}, {}, b"")).status_code == 200


def test_registry_builds_enabled_channels_only() -> None:
    settings = SimpleNamespace(
        public_url="https://bot.example.com/",
        wechat=WeChatSettings(
            app_id="wx1",
            token=SecretStr("t"),
            app_secret=SecretStr("s"),
            encoding_aes_key=SecretStr("A" * 43),
        ),
        twilio=TwilioSettings(account_sid="AC1", auth_token=SecretStr("tok"), from_number="+15005550006"),
        telegram=TelegramSettings(),  # not configured -> disabled
    )
    channels = build_channels(settings)
    assert set(channels) == {"wechat", "sms"}
    assert isinstance(channels["wechat"], WeChatChannel) and isinstance(channels["sms"], SmsChannel)
    assert channels["sms"].status_callback == "https://bot.example.com/hooks/sms/status"  # type: ignore[attr-defined]


async def test_from_settings_talks_to_api_base(
    fake_wechat: FakeWeChat, fake_twilio: FakeTwilio, fake_telegram: FakeTelegram
) -> None:
    settings = SimpleNamespace(
        wechat=WeChatSettings(
            app_id=fake_wechat.app_id,
            token=SecretStr("t"),
            app_secret=SecretStr(fake_wechat.app_secret),
            api_base=fake_wechat.base_url,
        ),
        twilio=TwilioSettings(
            account_sid=fake_twilio.account_sid,
            auth_token=SecretStr(fake_twilio.auth_token),
            from_number="+15005550006",
            api_base=fake_twilio.base_url,
        ),
        telegram=TelegramSettings(
            bot_token=SecretStr(fake_telegram.token),
            secret_token=SecretStr("sec"),
            api_base=fake_telegram.base_url,
        ),
    )
    channels = build_channels(settings)
    fake_wechat.user_action("1111111")  # the user wrote first: WeChat's customer-service window is open
    for name, channel in channels.items():
        assert (await channel.send(OutboundMessage(name, "1111111", "hi"))).ok, name
    assert fake_wechat.sent and fake_twilio.sent and fake_telegram.calls("sendMessage")
    telegram = channels["telegram"]
    assert isinstance(telegram, TelegramChannel)
    await telegram.close()
