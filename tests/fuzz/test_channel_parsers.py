"""Property-based fuzzing of each channel's webhook parser (verify passes: the bodies are well signed).

Whatever the body, a parser returns normalised messages or raises a :class:`ChannelError` (which the
webhook turns into 400/200): never any other exception, which would be a 500.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.channels.base import ChannelError, InboundMessage, WebRequest
from bot.channels.sms import SmsChannel
from bot.channels.telegram import TelegramChannel
from bot.channels.wechat import WeChatChannel
from tests.fakes.twilio import twilio_signed_form
from tests.fakes.wechat import wechat_signed_post
from tests.loadgen import stack

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
URL = "http://127.0.0.1:8000/hooks/sms"
WECHAT = WeChatChannel(stack.WECHAT_APP_ID, stack.WECHAT_TOKEN, aes_key=stack.WECHAT_AES_KEY)
WECHAT_PLAIN = WeChatChannel(stack.WECHAT_APP_ID, stack.WECHAT_TOKEN)  # an account without an EncodingAESKey
SMS = SmsChannel(stack.TWILIO_SID, stack.TWILIO_TOKEN, stack.TWILIO_NUMBER)
TELEGRAM = TelegramChannel(stack.TELEGRAM_TOKEN, stack.TELEGRAM_SECRET)

text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=60)
tags = st.sampled_from(["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "Event",
                        "EventKey", "PicUrl", "MediaId", "Recognition", "Location_X", "Location_Y", "Label",
                        "Format", "Encrypt", "x"])
msg_types = st.sampled_from(["text", "image", "voice", "video", "location", "link", "event", "file", "", "TEXT"])


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "") + "]]>"


@st.composite
def wechat_xml(draw: Any) -> str:
    """Mostly plausible pushes: random fields, values, order, and sometimes junk around them."""
    fields = draw(st.dictionaries(tags, st.one_of(text, st.integers().map(str)), max_size=10))
    fields.setdefault("MsgType", draw(msg_types))
    if draw(st.booleans()):
        fields.setdefault("FromUserName", draw(text))
    inner = "".join(f"<{k}>{_cdata(v) if draw(st.booleans()) else v}</{k}>" for k, v in fields.items())
    return draw(st.sampled_from(["<xml>{}</xml>", "{}", "<xml>{}", "<root>{}</root>", "<xml><a>{}</a></xml>"])) \
        .format(inner)


def _outcome(parse: Any, request: WebRequest) -> list[InboundMessage] | None:
    try:
        messages = parse(request)
    except ChannelError:
        return None
    assert all(isinstance(m, InboundMessage) and m.provider_message_id for m in messages)
    return messages


@FUZZ
@given(xml=st.one_of(wechat_xml(), text), safe=st.booleans())
def test_wechat_parser_never_crashes(xml: str, safe: bool) -> None:
    query, body = wechat_signed_post(stack.WECHAT_TOKEN, stack.WECHAT_AES_KEY, stack.WECHAT_APP_ID, xml,
                                     mode="safe" if safe else "plain")
    request = WebRequest("POST", "http://127.0.0.1:8000/hooks/wechat", {}, query, body)
    channel = WECHAT if safe else WECHAT_PLAIN  # with a key set, plain pushes are refused (safe mode)
    channel.verify(request)
    _outcome(channel.parse_inbound, request)


@FUZZ
@given(body=st.binary(max_size=300))
def test_wechat_parser_survives_arbitrary_bytes(body: bytes) -> None:
    query, _ = wechat_signed_post(stack.WECHAT_TOKEN, None, stack.WECHAT_APP_ID, "")
    _outcome(WECHAT_PLAIN.parse_inbound, WebRequest("POST", "http://x/hooks/wechat", {}, query, body))


sms_keys = st.sampled_from(["From", "To", "Body", "MessageSid", "SmsSid", "NumMedia", "MediaUrl0",
                            "MediaContentType0", "MediaUrl1", "AccountSid", "SmsStatus", "x"])


@FUZZ
@given(form=st.dictionaries(sms_keys, st.one_of(text, st.integers(-3, 12).map(str)), max_size=10))
def test_sms_parser_never_crashes(form: dict[str, str]) -> None:
    headers = {k.lower(): v for k, v in twilio_signed_form(stack.TWILIO_TOKEN, URL, form).items()}
    request = WebRequest("POST", URL, headers, {}, b"", form)
    SMS.verify(request)
    _outcome(SMS.parse_inbound, request)


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40), st.floats(allow_nan=False), text)
json_value = st.recursive(json_leaf, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                                st.dictionaries(text, inner, max_size=3)),
                          max_leaves=12)
update_keys = st.sampled_from(["message_id", "date", "chat", "from", "text", "photo", "location", "contact",
                               "caption", "sticker", "reply_to_message"])


@st.composite
def telegram_update(draw: Any) -> dict[str, Any]:
    """Updates with the right skeleton and random (often wrongly typed) contents."""
    message = draw(st.dictionaries(update_keys, json_value, max_size=6))
    if draw(st.booleans()):
        message.update(message_id=draw(st.integers(0, 2**31)), date=draw(st.integers(0, 2**31)),
                       chat={"id": draw(st.integers(-2**40, 2**40)), "type": "private"})
    kind = draw(st.sampled_from(["message", "callback_query", "edited_message", "channel_post", "x"]))
    update: dict[str, Any] = {"update_id": draw(st.one_of(st.integers(0, 2**31), json_value))}
    if kind == "callback_query":
        update[kind] = {"id": draw(text), "from": draw(json_value), "data": draw(json_value),
                        "chat_instance": "1", "message": message}
    else:
        update[kind] = message
    return update


@FUZZ
@given(update=st.one_of(telegram_update(), json_value))
@example(update={"update_id": 1, "callback_query": {"id": "1", "from": None, "data": "x", "chat_instance": "1",
                                                    "message": {"message_id": 1, "date": 0}}})  # found: was a 500
def test_telegram_parser_never_crashes(update: Any) -> None:
    request = WebRequest("POST", "http://x/hooks/telegram",
                         {"x-telegram-bot-api-secret-token": stack.TELEGRAM_SECRET}, {},
                         json.dumps(update).encode())
    TELEGRAM.verify(request)
    _outcome(TELEGRAM.parse_inbound, request)


@FUZZ
@given(body=st.binary(max_size=200))
def test_telegram_parser_survives_arbitrary_bytes(body: bytes) -> None:
    _outcome(TELEGRAM.parse_inbound, WebRequest("POST", "http://x", {}, {}, body))
