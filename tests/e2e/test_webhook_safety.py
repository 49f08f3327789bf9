"""Webhook edge cases through the running server: forgeries, retries, malformed and oversize bodies."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy import func, select

from backend.models import InboundEvent, Ticket
from tests.channels.helpers import load_fixture
from tests.e2e.live import (
    TELEGRAM_SECRET,
    WECHAT_APP_ID,
    WECHAT_TOKEN,
    Hooks,
    World,
    next_id,
    sms_form,
    telegram_update,
    wechat_text_xml,
)
from tests.fakes.wechat import wechat_signed_post

EMERGENCY = "家里有很重的煤气味"


def _count(world: World, model: type) -> int:
    with world.live.sessions() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _assert_nothing_stored(world: World) -> None:
    world.live.settle()
    assert _count(world, InboundEvent) == 0
    assert _count(world, Ticket) == 0
    assert world.platforms.total() == 0


# --------------------------------------------------------------------------------------- forgeries
def _wechat_wrong_signature(h: Hooks) -> httpx.Response:
    xml = wechat_text_xml("oForger", EMERGENCY, str(next_id()))
    return h.wechat_raw(xml, token="not-the-token")


def _wechat_stale_timestamp(h: Hooks) -> httpx.Response:
    xml = wechat_text_xml("oForger", EMERGENCY, str(next_id()))
    return h.wechat_raw(xml, timestamp=str(int(time.time()) - 3600))  # correctly signed, an hour old: a replay


def _wechat_safe_wrong_msg_signature(h: Hooks) -> httpx.Response:
    xml = wechat_text_xml("oForger", EMERGENCY, str(next_id()))
    return h.wechat_raw(xml, mode="safe", query_override={"msg_signature": "0" * 40})


def _twilio_wrong_signature(h: Hooks) -> httpx.Response:
    form = sms_form("+8613600000001", EMERGENCY, f"SM{next_id():032d}")
    return h.twilio_raw("/hooks/sms", form, headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"})


def _twilio_signed_for_another_url(h: Hooks) -> httpx.Response:
    form = sms_form("+8613600000001", EMERGENCY, f"SM{next_id():032d}")
    return h.twilio_raw("/hooks/sms", form, sign_url="https://evil.example.com/hooks/sms")


def _twilio_unsigned(h: Hooks) -> httpx.Response:
    form = sms_form("+8613600000001", EMERGENCY, f"SM{next_id():032d}")
    return h.client.post(h.live.url("/hooks/sms"), data=form)


def _telegram_wrong_secret(h: Hooks) -> httpx.Response:
    body = json.dumps(telegram_update("text_message", 5550001, next_id(), text=EMERGENCY)).encode()
    return h.telegram_raw(body, secret="wrong-secret")


def _telegram_no_secret(h: Hooks) -> httpx.Response:
    body = json.dumps(telegram_update("text_message", 5550001, next_id(), text=EMERGENCY)).encode()
    return h.telegram_raw(body, secret=None)


FORGERIES: dict[str, Callable[[Hooks], httpx.Response]] = {
    "wechat-wrong-signature": _wechat_wrong_signature,
    "wechat-stale-timestamp": _wechat_stale_timestamp,
    "wechat-safe-wrong-msg-signature": _wechat_safe_wrong_msg_signature,
    "twilio-wrong-signature": _twilio_wrong_signature,
    "twilio-signed-for-another-url": _twilio_signed_for_another_url,
    "twilio-unsigned": _twilio_unsigned,
    "telegram-wrong-secret": _telegram_wrong_secret,
    "telegram-no-secret": _telegram_no_secret,
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_forged_webhook_is_refused_and_nothing_is_stored(world: World, forgery: str) -> None:
    response = FORGERIES[forgery](world.hooks)
    assert response.status_code == 403
    _assert_nothing_stored(world)


# ----------------------------------------------------------------------------------------- retries
@pytest.mark.parametrize("channel", ["wechat", "wechat-safe", "sms", "telegram"])
def test_platform_retry_is_processed_once(world: World, channel: str) -> None:
    hooks, pid = world.hooks, str(next_id())
    if channel.startswith("wechat"):
        mode = "safe" if channel.endswith("safe") else "plain"
        user, platform = "oRetry", "wechat"
        send = lambda: hooks.wechat(user, EMERGENCY, mode=mode, msg_id=pid)  # noqa: E731
    elif channel == "sms":
        user, platform = "+8613600000002", "sms"
        send = lambda: hooks.sms(user, EMERGENCY, sid=f"SM{pid:0>32}")  # noqa: E731
    else:
        user, platform = "5550002", "telegram"
        send = lambda: hooks.telegram(int(user), EMERGENCY, update_id=int(pid))  # noqa: E731

    first = send()
    assert first.response.status_code == 200
    world.live.wait_processed(platform, first.provider_id)
    second = send()  # the platform did not see our answer in time and retries
    assert second.response.status_code == 200
    world.live.wait_processed(platform, second.provider_id)

    assert _count(world, InboundEvent) == 1
    assert _count(world, Ticket) == 1
    safety = [t for t in world.platforms.texts(platform, user) if "燃气总阀" in t]
    assert len(safety) == 1


# ---------------------------------------------------------------------------------------- malformed
def _wechat_body(h: Hooks, body: bytes) -> httpx.Response:
    query, signed = wechat_signed_post(WECHAT_TOKEN, None, WECHAT_APP_ID, body.decode())
    return h.client.post(h.live.url("/hooks/wechat"), params=query, content=signed,
                         headers={"Content-Type": "text/xml"})


def _sha1_sorted(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _wechat_safe_garbage(h: Hooks) -> httpx.Response:
    """A correctly signed safe-mode push whose ``Encrypt`` is not ciphertext of this account."""
    encrypt = "bm90IHJlYWxseSBlbmNyeXB0ZWQ="
    body = f"<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    timestamp, nonce = str(int(time.time())), "12345"
    query = {"timestamp": timestamp, "nonce": nonce, "encrypt_type": "aes",
             "signature": _sha1_sorted(WECHAT_TOKEN, timestamp, nonce),
             "msg_signature": _sha1_sorted(WECHAT_TOKEN, timestamp, nonce, encrypt)}
    return h.client.post(h.live.url("/hooks/wechat"), params=query, content=body.encode(),
                         headers={"Content-Type": "text/xml"})


def _sms_missing_from(h: Hooks) -> httpx.Response:
    form = sms_form("+8613600000003", EMERGENCY, f"SM{next_id():032d}")
    del form["From"]
    return h.twilio_raw("/hooks/sms", form)


def _sms_missing_sid(h: Hooks) -> httpx.Response:
    form = sms_form("+8613600000003", EMERGENCY, "x")
    for key in ("MessageSid", "SmsMessageSid", "SmsSid"):
        del form[key]
    return h.twilio_raw("/hooks/sms", form)


def _status_missing_fields(h: Hooks) -> httpx.Response:
    return h.twilio_raw("/hooks/sms/status", {"MessageSid": "SM1"})


MALFORMED: dict[str, Callable[[Hooks], httpx.Response]] = {
    "wechat-broken-xml": lambda h: _wechat_body(h, load_fixture("wechat", "malformed")),
    "wechat-xml-bomb": lambda h: _wechat_body(h, load_fixture("wechat", "xml_bomb")),
    "wechat-external-entity": lambda h: _wechat_body(h, load_fixture("wechat", "external_entity")),
    "wechat-missing-from": lambda h: _wechat_body(h, load_fixture("wechat", "missing_from")),
    "wechat-safe-undecryptable": _wechat_safe_garbage,
    "sms-missing-from": _sms_missing_from,
    "sms-missing-sid": _sms_missing_sid,
    "sms-status-missing-fields": _status_missing_fields,
    "telegram-broken-json": lambda h: h.telegram_raw(load_fixture("telegram", "malformed")),
    "telegram-not-an-update": lambda h: h.telegram_raw(load_fixture("telegram", "not_an_update")),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_body_is_refused_and_nothing_is_stored(world: World, case: str) -> None:
    response = MALFORMED[case](world.hooks)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    _assert_nothing_stored(world)


# ----------------------------------------------------------------------------------------- oversize
@pytest.mark.parametrize("channel", ["wechat", "sms", "telegram"])
def test_oversize_body_is_refused_with_413(world: World, channel: str) -> None:
    limit = world.live.settings.max_body_bytes
    padding = "漏" * (limit // 3 + 10)  # 3 bytes each in UTF-8: just over the limit
    hooks = world.hooks
    if channel == "wechat":
        response = hooks.wechat_raw(wechat_text_xml("oBig", padding, str(next_id())))
    elif channel == "sms":
        response = hooks.twilio_raw("/hooks/sms", sms_form("+8613600000004", padding, f"SM{next_id():032d}"))
    else:
        body = json.dumps(telegram_update("text_message", 5550003, next_id(), text=padding)).encode()
        response = hooks.telegram_raw(body, secret=TELEGRAM_SECRET)
    assert response.status_code == 413
    _assert_nothing_stored(world)


def test_oversize_chunked_body_without_content_length_is_refused(world: World) -> None:
    limit = world.live.settings.max_body_bytes

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server must count while reading
        for _ in range(limit // 16384 + 2):
            yield b"x" * 16384

    response = world.hooks.client.post(world.live.url("/hooks/telegram"), content=chunks(),
                                       headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
                                                "Content-Type": "application/json"})
    assert response.status_code == 413
    _assert_nothing_stored(world)
