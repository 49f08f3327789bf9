"""Shared helpers for channel tests: fixture files, signed request builders, ``check_inbound``."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from bot.channels.base import InboundMessage, UnsupportedEvent, WebRequest
from tests.fakes.twilio import twilio_signed_form
from tests.fakes.wechat import wechat_signed_post

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FIXTURE_DIRS = {"wechat": "wechat", "sms": "sms", "telegram": "telegram"}

# Credentials shared by the channel tests and their fakes.
NOW = 1714112445
WECHAT_TOKEN = "anju-webhook-token"
WECHAT_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
WECHAT_APP_ID = "wx_fake_app"
WECHAT_SECRET = "fake-secret"
TWILIO_SID = "AC00000000000000000000000000000001"
TWILIO_TOKEN = "12345"
SMS_URL = "https://bot.example.com/twilio/sms"
TELEGRAM_TOKEN = "123456:FAKE-token"
TELEGRAM_SECRET = "s3cr3t_Token-123"


def fixture_path(channel: str, name: str) -> Path:
    """The single file ``tests/fixtures/<channel>/<name>.*``."""
    matches = sorted((FIXTURES / FIXTURE_DIRS[channel]).glob(f"{name}.*"))
    assert len(matches) == 1, f"expected one fixture {channel}/{name}.*, found {matches}"
    return matches[0]


def load_fixture(channel: str, name: str) -> bytes:
    """The raw bytes of a payload fixture."""
    return fixture_path(channel, name).read_bytes()


def load_vectors(channel: str) -> dict[str, Any]:
    """The copy of the published vectors kept next to a channel's fixtures."""
    return json.loads((FIXTURES / FIXTURE_DIRS[channel] / "vectors.json").read_text())


def wechat_request(
    body: bytes,
    *,
    mode: str = "safe",
    timestamp: int = NOW,
    token: str = WECHAT_TOKEN,
    app_id: str = WECHAT_APP_ID,
    aes_key: str = WECHAT_AES_KEY,
) -> WebRequest:
    """A POST push signed as the WeChat server would sign it."""
    query, signed_body = wechat_signed_post(token, aes_key, app_id, body.decode(), mode=mode, timestamp=str(timestamp))
    return WebRequest(
        method="POST",
        url="https://bot.example.com/hooks/wechat",
        headers={"Content-Type": "text/xml"},
        query=query,
        body=signed_body,
    )


def sms_request(
    body: bytes, *, url: str = SMS_URL, auth_token: str = TWILIO_TOKEN, headers: dict[str, str] | None = None
) -> WebRequest:
    """A form POST signed as Twilio would sign it (``headers`` overrides the signature)."""
    form = dict(parse_qsl(body.decode().strip(), keep_blank_values=True))
    signed = {**twilio_signed_form(auth_token, url, form), **(headers or {})}
    return WebRequest(method="POST", url=url, headers=signed, query={}, body=body.strip(), form=form)


def telegram_request(body: bytes, *, secret: str | None = TELEGRAM_SECRET) -> WebRequest:
    """A webhook POST as Telegram sends it (with the secret-token header unless ``secret`` is None)."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return WebRequest(method="POST", url="https://bot.example.com/hooks/telegram", headers=headers, query={}, body=body)


REQUEST_BUILDERS: dict[str, Callable[..., WebRequest]] = {
    "wechat": wechat_request,
    "sms": sms_request,
    "telegram": telegram_request,
}


def event_label(message: InboundMessage) -> str:
    """How a message is named in ``SUPPORTED_EVENTS`` (``event:<name>`` for WeChat follow events)."""
    return f"event:{message.event}" if message.kind == "event" else message.kind


def check_inbound(
    channel: Any,
    fixture_name: str,
    expected: InboundMessage | dict[str, Any] | None = None,
    *,
    expect_noop: bool = False,
    **request_options: Any,
) -> InboundMessage | None:
    """Verify and parse a fixture through ``channel`` and compare with ``expected``.

    Args:
        channel: The channel under test.
        fixture_name: File stem under ``tests/fixtures/<channel>/``.
        expected: A full :class:`InboundMessage` (compared without ``raw``) or a dict of fields to compare.
        expect_noop: The fixture is an event the channel deliberately ignores (``UnsupportedEvent``).
        request_options: Passed to the channel's request builder (``mode="safe"``...).

    Returns:
        The parsed message (``None`` for a no-op).
    """
    request = REQUEST_BUILDERS[channel.name](load_fixture(channel.name, fixture_name), **request_options)
    channel.verify(request)
    if expect_noop:
        with pytest.raises(UnsupportedEvent):
            channel.parse_inbound(request)
        return None
    messages = channel.parse_inbound(request)
    assert len(messages) == 1
    message = messages[0]
    assert message.channel == channel.name
    assert event_label(message) in channel.SUPPORTED_EVENTS, f"undeclared event {event_label(message)}"
    assert message.raw, "raw payload must be kept"
    if isinstance(expected, InboundMessage):
        assert dataclasses.replace(message, raw={}) == dataclasses.replace(expected, raw={})
    elif expected is not None:
        actual = {key: getattr(message, key) for key in expected}
        assert actual == expected
    return message
