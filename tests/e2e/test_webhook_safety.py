"""Webhook edge cases through the running server: forgeries, retries, malformed and oversize bodies."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy import func, select

from backend.models import DispatchPage, InboundEvent, Message, Ticket
from tests.channels.helpers import load_fixture
from tests.e2e.live import (
    TELEGRAM_SECRET,
    WECHAT_AES_KEY,
    WECHAT_APP_ID,
    WECHAT_TOKEN,
    Hooks,
    Sent,
    World,
    next_id,
    sms_form,
    telegram_update,
    wechat_text_xml,
)
from tests.e2e.test_wechat import plain_mode_wechat  # noqa: F401 - a fixture
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
def _resend_verbatim(hooks: Hooks, user: str, msg_id: str) -> Callable[[], Sent]:
    """The same signed request each time (same timestamp and nonce), as a platform retry is."""
    query, body = wechat_signed_post(WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APP_ID,
                                     wechat_text_xml(user, EMERGENCY, msg_id), openid=user)
    return lambda: Sent(hooks.client.post(hooks.live.url("/hooks/wechat"), params=query, content=body,
                                          headers={"Content-Type": "text/xml"}), msg_id)


@pytest.mark.parametrize("channel", ["wechat", "wechat-safe", "sms", "telegram"])
def test_platform_retry_is_processed_once(world: World, channel: str) -> None:
    hooks, pid = world.hooks, str(next_id())
    if channel.startswith("wechat"):
        user, platform = "oRetry", "wechat"
        send = (lambda: hooks.wechat(user, EMERGENCY, msg_id=pid)) if channel.endswith("safe") \
            else _resend_verbatim(hooks, user, pid)
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
    query, signed = wechat_signed_post(WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APP_ID, body.decode())
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


# ------------------------------------------------------------------------ downgrades and replays
def test_plaintext_push_with_a_captured_signature_is_refused_in_safe_mode(world: World) -> None:
    """Issue 14: the plain signature/timestamp/nonce of one safe push (a proxy log) must not sign a forgery."""
    genuine = world.hooks.wechat("oGenuine", "你好")
    assert genuine.response.status_code == 200
    captured = {k: v for k, v in genuine.response.request.url.params.items()
                if k in ("signature", "timestamp", "nonce", "openid")}
    forged = wechat_text_xml("oVictim", EMERGENCY, str(next_id()))
    response = world.hooks.client.post(world.live.url("/hooks/wechat"), params=captured, content=forged.encode(),
                                       headers={"Content-Type": "text/xml"})
    assert response.status_code == 403
    world.live.settle()
    assert _count(world, InboundEvent) == 1  # the genuine push only
    assert _count(world, Ticket) == 0 and _count(world, DispatchPage) == 0


@pytest.mark.usefixtures("plain_mode_wechat")
def test_plain_mode_nonce_reused_with_another_body_is_refused(world: World) -> None:
    """A plain signature covers only token/timestamp/nonce: the nonce is remembered with its body."""
    query, body = wechat_signed_post(WECHAT_TOKEN, None, WECHAT_APP_ID,
                                     wechat_text_xml("oGenuine", "你好", str(next_id())))
    post = world.hooks.client.post
    url = world.live.url("/hooks/wechat")
    assert post(url, params=query, content=body, headers={"Content-Type": "text/xml"}).status_code == 200
    assert post(url, params=query, content=body, headers={"Content-Type": "text/xml"}).status_code == 200  # retry
    forged = wechat_text_xml("oVictim", EMERGENCY, str(next_id())).encode()
    assert post(url, params=query, content=forged, headers={"Content-Type": "text/xml"}).status_code == 403
    world.live.settle()
    assert _count(world, InboundEvent) == 1
    assert _count(world, Ticket) == 0 and _count(world, DispatchPage) == 0


# ------------------------------------------------------------------------------- hostile characters
def _event_statuses(world: World) -> list[str]:
    with world.live.sessions() as s:
        return list(s.scalars(select(InboundEvent.status).order_by(InboundEvent.id)))


def test_nul_and_control_characters_are_stripped_and_the_emergency_still_pages(world: World) -> None:
    """Issue 14: U+0000 in a text or a display name made PostgreSQL refuse the event; the page never went."""
    chat = 5550010
    sent = world.hooks.telegram_update("text_message", chat, text=f"\u0000{EMERGENCY}\u0007\u001b",
                                       **{"from": {"id": chat, "is_bot": False, "first_name": "业\u0000主"}})
    assert sent.response.status_code == 200
    world.live.wait_processed("telegram", sent.provider_id)
    assert _event_statuses(world) == ["done"]
    with world.live.sessions() as s:
        texts = list(s.scalars(select(Message.text)))
    assert texts and not any(ch in t for t in texts for ch in "\x00\x07\x1b")
    assert _count(world, DispatchPage) == 1


@pytest.mark.parametrize("words", ["①", "²", "9" * 5000, "３"])
def test_unicode_and_huge_digits_do_not_crash_processing(world: World, words: str) -> None:
    """Issue 14: "①", "²" or a 4,300+ digit number crashed the step (and delayed the emergency after it)."""
    chat = 5550011
    first = world.hooks.telegram(chat, words)
    second = world.hooks.telegram(chat, EMERGENCY)
    world.live.wait_processed("telegram", first.provider_id)
    world.live.wait_processed("telegram", second.provider_id)
    assert _event_statuses(world) == ["done", "done"]
    assert _count(world, DispatchPage) == 1


def test_malformed_ack_button_from_an_engineer_does_not_crash(world: World) -> None:
    """Issue 14: button data ``ack:abc`` failed processing five times."""
    sent = world.hooks.telegram_button(int(world.estate.engineer1_chat), "ack:abc")
    world.live.wait_processed("telegram", sent.provider_id)
    assert _event_statuses(world) == ["done"]
