"""Telegram channel: secret token, update types, sending through the real PTB Bot against the fake API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.channels.base import (
    Attachment,
    BadPayload,
    InboundMessage,
    OutboundMessage,
    QuickReply,
    SignatureError,
)
from bot.channels.telegram import TelegramChannel
from tests.channels.helpers import (
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    check_inbound,
    load_fixture,
    load_vectors,
    telegram_request,
)
from tests.fakes.telegram import FakeTelegram

VECTORS = load_vectors("telegram")
REQUESTS = VECTORS["requests_constructed"]["requests"]
CHAT = "1111111"


def make_channel(api_base: str = "http://127.0.0.1:9", **kwargs: object) -> TelegramChannel:
    options: dict[str, object] = {
        "api_base": api_base,
        "timeout_s": 2.0,
        "contact_button_label": "分享手机号",
    }
    options.update(kwargs)
    return TelegramChannel(TELEGRAM_TOKEN, TELEGRAM_SECRET, **options)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------- verify
def test_secret_token_header() -> None:
    channel = make_channel()
    body = load_fixture("telegram", "text_message")
    channel.verify(telegram_request(body))
    for secret in ("wrong", "", None, TELEGRAM_SECRET + "x"):
        with pytest.raises(SignatureError):
            channel.verify(telegram_request(body, secret=secret))


def test_secret_token_vector_header_name() -> None:
    assert VECTORS["secret_token_header"]["header"] == "X-Telegram-Bot-Api-Secret-Token"


# --------------------------------------------------------------------------------------------- inbound
def test_text() -> None:
    check_inbound(
        make_channel(),
        "text_message",
        InboundMessage(
            channel="telegram",
            external_user_id=CHAT,
            provider_message_id="10000",
            text="厨房水龙头漏水",
            kind="text",
            received_at=datetime.fromtimestamp(1441645532, tz=UTC),
            display_name="Test Firstname Test Lastname",
        ),
    )


def test_command_is_text() -> None:
    check_inbound(make_channel(), "command_start", {"kind": "text", "text": "/start"})


def test_photo_takes_largest_size() -> None:
    check_inbound(
        make_channel(),
        "photo_message",
        {
            "kind": "image",
            "text": "漏水位置",
            "attachments": (Attachment(kind="image", media_id="AgACAgQAAxkBAAIBlarge"),),
        },
    )


def test_location() -> None:
    check_inbound(
        make_channel(),
        "location_message",
        {
            "kind": "location",
            "attachments": (Attachment(kind="location", latitude=31.230416, longitude=121.473701),),
        },
    )


@pytest.mark.parametrize(
    ("name", "phone", "own"),
    [("contact_own", "+8613800138000", True), ("contact_forwarded", "+8613900139000", False)],
)
def test_contact_marks_whether_it_is_the_senders_own(name: str, phone: str, own: bool) -> None:
    message = check_inbound(make_channel(), name, {"kind": "contact"})
    assert message and message.attachments[0].phone == phone and message.attachments[0].own_contact is own


def test_callback_query_is_a_button() -> None:
    check_inbound(
        make_channel(),
        "callback_query",
        {
            "kind": "button",
            "event": "confirm:ticket42",
            "external_user_id": CHAT,
            "provider_message_id": "10005",
        },
    )


@pytest.mark.parametrize(("name", "expected"), [
    ("voice_message", {"kind": "voice", "attachments": (Attachment(kind="voice", media_id="AwACAgVoice",
                                                                   content_type="audio/ogg"),)}),
    ("document_message", {"kind": "file", "text": "物业合同", "attachments": (
        Attachment(kind="file", media_id="BQACAgDoc", content_type="application/pdf", label="漏水.pdf"),)}),
    ("video_message", {"kind": "video"}),
    ("edited_message", {"kind": "text", "text": "厨房水龙头漏水", "provider_message_id": "10008"}),
    ("sticker_message", {"kind": "unsupported", "event": "sticker"}),
    ("my_chat_member_kicked", {"kind": "state", "event": "blocked", "external_user_id": CHAT}),
])
def test_every_update_type_is_parsed_not_dropped(name: str, expected: dict[str, object]) -> None:
    check_inbound(make_channel(), name, expected)


def test_group_chats_are_ignored_unless_configured() -> None:
    check_inbound(make_channel(), "group_message", expect_noop=True)
    assert check_inbound(make_channel(allow_groups=True), "group_message", {"kind": "text"})


async def test_set_webhook_asks_for_my_chat_member(fake_telegram: FakeTelegram) -> None:
    assert (await make_channel(fake_telegram.base_url).set_webhook("https://bot.example.com/hooks/telegram")).ok
    [call] = fake_telegram.calls("setWebhook")
    assert "my_chat_member" in call["allowed_updates"] and "edited_message" in call["allowed_updates"]


@pytest.mark.parametrize("name", ["malformed", "not_an_update"])
def test_bad_json_is_bad_payload(name: str) -> None:
    with pytest.raises(BadPayload):
        make_channel().parse_inbound(telegram_request(load_fixture("telegram", name)))
    with pytest.raises(BadPayload):
        make_channel().parse_inbound(telegram_request(b"[1, 2]"))


def test_ack_is_empty_200() -> None:
    response = make_channel().ack(telegram_request(b"{}"))
    assert (response.body, response.status_code) == ("", 200)


# --------------------------------------------------------------------------------------------- sending
@pytest.fixture
async def channel(fake_telegram: FakeTelegram) -> AsyncIterator[TelegramChannel]:
    channel = make_channel(fake_telegram.base_url, timeout_s=0.5)
    yield channel
    await channel.close()


def out(text: str = "已收到您的报修", **kwargs: object) -> OutboundMessage:
    return OutboundMessage(channel="telegram", external_user_id=CHAT, text=text, **kwargs)  # type: ignore


async def test_send_text_initialises_once(channel: TelegramChannel, fake_telegram: FakeTelegram) -> None:
    first, second = await channel.send(out()), await channel.send(out("第二条"))
    assert first.ok and second.ok and first.provider_message_id == "1"
    paths = [r.path.rsplit("/", 1)[1] for r in fake_telegram.requests]
    assert paths == ["getMe", "sendMessage", "sendMessage"]
    assert fake_telegram.calls("sendMessage")[0] == {
        "method": "sendMessage",
        "chat_id": 1111111,
        "text": "已收到您的报修",
    }


async def test_quick_replies_become_inline_keyboard(channel: TelegramChannel, fake_telegram: FakeTelegram) -> None:
    expected = REQUESTS["sendMessage_inline_keyboard"]
    choices = tuple(QuickReply(b["text"], b["callback_data"]) for b in expected["reply_markup"]["inline_keyboard"][0])
    assert (await channel.send(out(expected["text"], quick_replies=choices))).ok
    [sent] = fake_telegram.calls("sendMessage")
    assert {k: v for k, v in sent.items() if k != "method"} == expected


async def test_request_contact_button(channel: TelegramChannel, fake_telegram: FakeTelegram) -> None:
    expected = REQUESTS["sendMessage_request_contact"]
    assert (await channel.send(out(expected["text"], request_contact=True))).ok
    [sent] = fake_telegram.calls("sendMessage")
    assert {k: v for k, v in sent.items() if k != "method"} == expected


async def test_photo(channel: TelegramChannel, fake_telegram: FakeTelegram) -> None:
    assert (await channel.send(out("维修示意图", image_url="https://x.example/a.jpg"))).ok
    [sent] = fake_telegram.calls("sendPhoto")
    assert (sent["photo"], sent["caption"], sent["chat_id"]) == (
        "https://x.example/a.jpg",
        "维修示意图",
        1111111,
    )


async def test_answer_callback_and_set_webhook(channel: TelegramChannel, fake_telegram: FakeTelegram) -> None:
    assert (await channel.answer_callback("4382bfdwdsb323b2d9", "已确认")).ok
    assert (await channel.set_webhook("https://bot.example.com/telegram/webhook")).ok
    [answer] = fake_telegram.calls("answerCallbackQuery")
    assert {k: v for k, v in answer.items() if k != "method"} == REQUESTS["answerCallbackQuery"]
    [hook] = fake_telegram.calls("setWebhook")
    assert (hook["url"], hook["secret_token"], hook["allowed_updates"]) == (
        "https://bot.example.com/telegram/webhook",
        TELEGRAM_SECRET,
        ["message", "edited_message", "callback_query", "my_chat_member"],
    )


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # raised inside PTB's RetryAfter
async def test_flood_control_is_retryable_with_retry_after(
    channel: TelegramChannel, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.rate_limit_next(retry_after=5)
    result = await channel.send(out())
    assert (result.ok, result.retryable, result.retry_after) == (False, True, 5.0)


async def test_error_mapping(channel: TelegramChannel, fake_telegram: FakeTelegram) -> None:
    await channel.send(out())  # initialise first so faults hit sendMessage
    cases = [
        (lambda: fake_telegram.reject_next(400, "Bad Request: chat not found"), False, "BadRequest"),
        (
            lambda: fake_telegram.reject_next(403, "Forbidden: bot was blocked by the user"),
            False,
            "Forbidden",
        ),
        (
            lambda: fake_telegram.fail_next(1, 500, {"ok": False, "error_code": 500, "description": "x"}),
            True,
            "NetworkError",
        ),
        (lambda: fake_telegram.hang_next(1, seconds=2), True, "TimedOut"),
        (lambda: fake_telegram.drop_next(1), True, "NetworkError"),
    ]
    for inject, retryable, name in cases:
        inject()
        result = await channel.send(out())
        assert (result.ok, result.retryable) == (False, retryable), name
        assert (result.error or "").startswith(name), result.error
    assert (await channel.send(out())).ok


async def test_unreachable_api_is_retryable() -> None:
    channel = make_channel("http://127.0.0.1:9", timeout_s=0.5)
    result = await channel.send(out())
    assert not result.ok and result.retryable
    await channel.close()


async def test_a_deeply_nested_body_is_a_bad_payload_not_a_crash(channel: TelegramChannel) -> None:
    from bot.channels.base import BadPayload, WebRequest

    body = b'{"update_id": 1, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(BadPayload):
        channel.parse_inbound(WebRequest(method="POST", url="https://anju.example.com/hooks/telegram", headers={},
                                         query={}, body=body))
