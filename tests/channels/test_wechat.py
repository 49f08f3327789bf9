"""WeChat channel: URL verification, plain/safe pushes, message types, hostile XML, sending."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest

from bot.channels.base import (
    Attachment,
    BadPayload,
    InboundMessage,
    OutboundMessage,
    QuickReply,
    SignatureError,
    WebRequest,
)
from bot.channels.wechat import WeChatChannel
from tests.channels.helpers import (
    NOW,
    WECHAT_AES_KEY,
    WECHAT_APP_ID,
    WECHAT_SECRET,
    WECHAT_TOKEN,
    check_inbound,
    load_fixture,
    load_vectors,
    wechat_request,
)
from tests.fakes.wechat import FakeWeChat, wechat_signed_get

VECTORS = load_vectors("wechat")
SENT_AT = datetime.fromtimestamp(1348831860, tz=UTC)


def make_channel(api_base: str = "http://127.0.0.1:9", now: float = NOW, **kwargs: object) -> WeChatChannel:
    options: dict[str, object] = {
        "app_secret": WECHAT_SECRET,
        "aes_key": WECHAT_AES_KEY,
        "api_base": api_base,
        "clock": lambda: now,
        "timeout_s": 1.0,
    }
    options.update(kwargs)
    return WeChatChannel(WECHAT_APP_ID, WECHAT_TOKEN, **options)  # type: ignore[arg-type]


def channel_for(mode: str, **kwargs: object) -> WeChatChannel:
    """A plain-mode account has no EncodingAESKey; a safe-mode one has."""
    return make_channel(aes_key=WECHAT_AES_KEY if mode == "safe" else None, **kwargs)


def url_request(url: str, method: str = "POST", body: bytes = b"") -> WebRequest:
    return WebRequest(method=method, url=url, headers={}, query=dict(parse_qsl(urlsplit(url).query)), body=body)


def vector(section: str, vector_id: str) -> dict[str, str]:
    return next(v for v in VECTORS[section] if v["id"] == vector_id)


# ------------------------------------------------------------------------------------ URL verification
def test_url_verification_official_vector() -> None:
    v = vector("plain_signature", "official_message_push_url_verify_GET")
    channel = WeChatChannel("wx", v["token"], clock=lambda: 1714036504)
    assert channel.verify_url(url_request(v["request_url"], "GET")) == v["expected_response_body"]


def test_url_verification_wechatpy_vector_and_its_negative() -> None:
    v = vector("plain_signature", "wechatpy_test_utils_check_signature")
    channel = WeChatChannel("wx", v["token"], clock=lambda: int(v["timestamp"]))
    query = {"signature": v["signature"], "timestamp": v["timestamp"], "nonce": v["nonce"], "echostr": "42"}
    assert channel.verify_url(WebRequest("GET", "https://x/", {}, query, b"")) == "42"
    with pytest.raises(SignatureError):
        channel.verify_url(WebRequest("GET", "https://x/", {}, {**query, "signature": v["negative_signature"]}, b""))


def test_url_verification_rejects_forged_and_stale() -> None:
    channel = make_channel()
    good = wechat_signed_get(WECHAT_TOKEN, "echo", timestamp=str(NOW))
    assert channel.verify_url(WebRequest("GET", "https://x/", {}, good, b"")) == "echo"
    with pytest.raises(SignatureError):
        channel.verify_url(WebRequest("GET", "https://x/", {}, {**good, "signature": "0" * 40}, b""))
    with pytest.raises(SignatureError, match="stale"):
        make_channel(now=NOW + 301).verify_url(WebRequest("GET", "https://x/", {}, good, b""))


def test_plain_post_official_vector_signature() -> None:
    v = vector("plain_signature", "official_message_push_plain_POST")
    WeChatChannel("wx", v["token"], clock=lambda: 1714037059).verify(url_request(v["request_url"]))


# ------------------------------------------------------------------------------------------- safe mode
def test_tencent_safe_mode_sample_decrypts_and_verifies() -> None:
    v = vector("aes", "tencent_official_WXBizMsgCrypt_python_sample")
    channel = WeChatChannel(v["appid"], v["token"], aes_key=v["encoding_aes_key"], clock=lambda: int(v["timestamp"]))
    query = {
        "timestamp": v["timestamp"],
        "nonce": v["nonce"],
        "msg_signature": v["msg_signature"],
        "encrypt_type": "aes",
    }
    request = WebRequest("POST", "https://x/", {}, query, v["post_body_xml"].encode())
    channel.verify(request)
    [message] = channel.parse_inbound(request)
    assert (message.text, message.provider_message_id, message.external_user_id) == (
        "abcdteT",
        "6054768590064713728",
        "oyORnuP8q7ou2gfYjqLzSIWZf0rs",
    )
    with pytest.raises(SignatureError):
        channel.verify(
            WebRequest("POST", "https://x/", {}, {**query, "msg_signature": "f" * 40}, v["post_body_xml"].encode())
        )


def test_official_safe_mode_vector_signature_checks_but_json_body_is_not_xml() -> None:
    v = vector("aes", "official_message_push_safe_mode")
    channel = WeChatChannel(v["appid"], v["token"], aes_key=v["encoding_aes_key"], clock=lambda: int(v["timestamp"]))
    envelope = (
        f"<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName>"
        f"<Encrypt><![CDATA[{v['body_json']['Encrypt']}]]></Encrypt></xml>"
    ).encode()
    request = url_request(v["request_url"], body=envelope)
    channel.verify(request)  # msg_signature, AES and app id all check out
    with pytest.raises(BadPayload):  # the mini-program doc sample carries JSON; 公众号 pushes are XML
        channel.parse_inbound(request)


@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_text_in_both_modes(mode: str) -> None:
    check_inbound(
        make_channel(aes_key=WECHAT_AES_KEY if mode == "safe" else None),
        "text_zh",
        InboundMessage(
            channel="wechat",
            external_user_id="oOwner0001",
            provider_message_id="24512345678901234",
            text="卫生间漏水，楼下天花板湿了",
            kind="text",
            received_at=datetime.fromtimestamp(1714112445, tz=UTC),
        ),
        mode=mode,
    )


def test_safe_mode_rejects_forged_tampered_and_foreign_pushes() -> None:
    channel = make_channel()
    good = wechat_request(load_fixture("wechat", "text"), mode="safe")
    forged = WebRequest("POST", good.url, {}, {**good.query, "msg_signature": "0" * 40}, good.body)
    tampered = WebRequest("POST", good.url, {}, good.query, good.body.replace(b"CDATA[", b"CDATA[A", 2))
    foreign = wechat_request(load_fixture("wechat", "text"), mode="safe", app_id="wx_someone_else")
    for request in (forged, tampered, foreign):
        with pytest.raises(SignatureError):
            channel.verify(request)
    with pytest.raises(SignatureError):  # safe push but no AES key configured
        make_channel(aes_key=None).verify(good)


# ------------------------------------------------------------------------------------- message types
def test_image() -> None:
    check_inbound(
        make_channel(),
        "image",
        InboundMessage(
            channel="wechat",
            external_user_id="fromUser",
            provider_message_id="1234567890123456",
            kind="image",
            attachments=(Attachment(kind="image", url="this is a url", media_id="media_id"),),
            received_at=SENT_AT,
        ),
    )


def test_voice_without_and_with_recognition() -> None:
    plain = check_inbound(make_channel(), "voice", {"kind": "voice", "text": ""})
    assert plain and plain.attachments == (Attachment(kind="voice", media_id="media_id", content_type="Format"),)
    check_inbound(make_channel(), "voice_recognition", {"kind": "voice", "text": "腾讯微信团队"})


def test_location() -> None:
    check_inbound(
        make_channel(),
        "location",
        {
            "kind": "location",
            "attachments": (Attachment(kind="location", latitude=23.134521, longitude=113.358803, label="位置信息"),),
        },
    )


@pytest.mark.parametrize("name", ["subscribe", "unsubscribe"])
def test_follow_events_use_sender_time_event_as_id(name: str) -> None:
    check_inbound(
        make_channel(),
        name,
        {
            "kind": "event",
            "event": name,
            "external_user_id": "FromUser",
            "provider_message_id": f"FromUser:123456789:{name}",
        },
    )


def test_menu_click_is_a_button() -> None:
    check_inbound(
        make_channel(),
        "click",
        {"kind": "button", "event": "EVENTKEY", "provider_message_id": "FromUser:123456789:CLICK"},
    )


@pytest.mark.parametrize(("name", "expected"), [
    ("video", {"kind": "video", "provider_message_id": "1234567890123456",
               "attachments": (Attachment(kind="video", media_id="media_id", content_type="video",
                                          label="thumb_media_id"),)}),
    ("shortvideo", {"kind": "video", "provider_message_id": "1234567890123457"}),
    ("link", {"kind": "link", "text": "公众平台官网链接\n公众平台官网链接",
              "attachments": (Attachment(kind="link", url="url", label="公众平台官网链接"),)}),
    ("scan", {"kind": "event", "event": "scan", "text": "unit_3_2_1502",
              "provider_message_id": "FromUser:123456789:SCAN"}),
    ("subscribe_qrscene", {"kind": "event", "event": "subscribe", "text": "unit_3_2_1502"}),
    ("template_job_finish", {"kind": "receipt", "event": "delivered", "text": "200163836"}),
    ("unknown_type", {"kind": "unsupported", "event": "miniprogrampage", "provider_message_id": "1234567890123458"}),
])
def test_every_message_type_is_parsed_not_dropped(name: str, expected: dict[str, object]) -> None:
    check_inbound(make_channel(), name, expected)


# ------------------------------------------------------------------------------------ hostile input
@pytest.mark.parametrize("name", ["xml_bomb", "external_entity", "malformed", "missing_from"])
@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_hostile_or_broken_xml_is_bad_payload(name: str, mode: str) -> None:
    channel = channel_for(mode)
    request = wechat_request(load_fixture("wechat", name), mode=mode)
    channel.verify(request)
    with pytest.raises(BadPayload):
        channel.parse_inbound(request)


def test_bomb_as_safe_mode_envelope_is_bad_payload() -> None:
    good = wechat_request(load_fixture("wechat", "text"), mode="safe")
    request = WebRequest("POST", good.url, {}, good.query, load_fixture("wechat", "xml_bomb"))
    with pytest.raises(BadPayload):
        make_channel().verify(request)


def test_forged_plain_signature() -> None:
    good = wechat_request(load_fixture("wechat", "text"), mode="plain")
    with pytest.raises(SignatureError):
        channel_for("plain").verify(WebRequest("POST", good.url, {}, {**good.query, "signature": "0" * 40}, good.body))


@pytest.mark.parametrize("mode", ["plain", "safe"])
@pytest.mark.parametrize("offset", [-301, 301, 3600])
def test_stale_or_future_timestamp_is_a_replay(mode: str, offset: int) -> None:
    request = wechat_request(load_fixture("wechat", "text"), mode=mode, timestamp=NOW + offset)
    with pytest.raises(SignatureError, match="stale"):
        channel_for(mode).verify(request)
    channel_for(mode, now=NOW + offset).verify(request)  # fine when the clocks agree


def test_plaintext_push_refused_once_an_aes_key_is_configured() -> None:
    """The safe-mode downgrade: the plain signature of one push must not be accepted when AES is on."""
    plain = wechat_request(load_fixture("wechat", "text"), mode="plain")
    with pytest.raises(SignatureError, match="plaintext"):
        make_channel().verify(plain)
    make_channel(accept_plaintext=True).verify(plain)  # the explicit switch-over setting
    channel_for("plain").verify(plain)  # an account without a key is in plain mode


def test_compatible_mode_body_is_trusted_only_through_msg_signature() -> None:
    """A body carrying <Encrypt> is checked with msg_signature even without encrypt_type=aes."""
    safe = wechat_request(load_fixture("wechat", "text"), mode="safe")
    no_type = {k: v for k, v in safe.query.items() if k != "encrypt_type"}
    channel = make_channel(accept_plaintext=True)
    channel.verify(WebRequest("POST", safe.url, {}, no_type, safe.body))
    forged = {**no_type, "msg_signature": "0" * 40}
    with pytest.raises(SignatureError):
        channel.verify(WebRequest("POST", safe.url, {}, forged, safe.body))


def test_non_ascii_signature_is_refused_not_a_crash() -> None:
    plain = wechat_request(load_fixture("wechat", "text"), mode="plain")
    safe = wechat_request(load_fixture("wechat", "text"), mode="safe")
    with pytest.raises(SignatureError):
        channel_for("plain").verify(WebRequest("POST", plain.url, {}, {**plain.query, "signature": "签名"}, plain.body))
    with pytest.raises(SignatureError):
        make_channel().verify(WebRequest("POST", safe.url, {}, {**safe.query, "msg_signature": "签名"}, safe.body))


def test_ack_is_success_even_in_safe_mode() -> None:
    response = make_channel().ack(wechat_request(load_fixture("wechat", "text"), mode="safe"))
    assert (response.body, response.status_code) == ("success", 200)


# --------------------------------------------------------------------------------------------- sending
def out(text: str = "您好", **kwargs: object) -> OutboundMessage:
    return OutboundMessage(channel="wechat", external_user_id="oOwner0001", text=text, **kwargs)  # type: ignore


async def test_send_text_fetches_token_once(fake_wechat: FakeWeChat) -> None:
    fake_wechat.user_action("oOwner0001")  # the owner wrote: the customer-service window is open
    channel = make_channel(fake_wechat.base_url)
    first = await channel.send(out("已收到您的报修"))
    second = await channel.send(
        out(
            "工程师将于24小时内联系您",
            quick_replies=(QuickReply("确认", "confirm"), QuickReply("改期", "reschedule")),
        )
    )
    assert first.ok and second.ok
    assert len(fake_wechat.token_requests) == 1
    assert fake_wechat.sent == [
        {
            "_endpoint": "custom",
            "touser": "oOwner0001",
            "msgtype": "text",
            "text": {"content": "已收到您的报修"},
        },
        {
            "_endpoint": "custom",
            "touser": "oOwner0001",
            "msgtype": "text",
            "text": {"content": "工程师将于24小时内联系您\n1. 确认\n2. 改期"},
        },
    ]


async def test_template_message(fake_wechat: FakeWeChat) -> None:
    channel = make_channel(fake_wechat.base_url, template_ids={"survey": "TPL-123"})
    result = await channel.send(out(template_id="survey", template_data={"thing2": "维修已完成"}))
    assert result.ok and result.provider_message_id == "1000"
    assert fake_wechat.sent == [
        {
            "_endpoint": "template",
            "touser": "oOwner0001",
            "template_id": "TPL-123",
            "data": {"thing2": {"value": "维修已完成"}},
        }
    ]


async def test_expired_token_is_refetched_once(fake_wechat: FakeWeChat) -> None:
    fake_wechat.user_action("oOwner0001")  # the owner wrote: the customer-service window is open
    channel = make_channel(fake_wechat.base_url)
    assert (await channel.send(out())).ok
    fake_wechat.expire_tokens()
    assert (await channel.send(out())).ok
    assert len(fake_wechat.token_requests) == 2 and len(fake_wechat.sent) == 2


async def test_token_close_to_expiry_is_refreshed(fake_wechat: FakeWeChat) -> None:
    fake_wechat.user_action("oOwner0001")  # the owner wrote: the customer-service window is open
    fake_wechat.expires_in = 30  # wechatpy refreshes tokens with under 60 s left
    channel = make_channel(fake_wechat.base_url)
    assert (await channel.send(out())).ok and (await channel.send(out())).ok
    assert len(fake_wechat.token_requests) == 2


@pytest.mark.parametrize(
    ("errcode", "retryable", "hint"),
    [(45015, False, "template"), (45047, False, "quota"), (-1, True, "busy"), (40003, False, "OpenID")],
)
async def test_errcodes(fake_wechat: FakeWeChat, errcode: int, retryable: bool, hint: str) -> None:
    fake_wechat.errcode_next(errcode)
    result = await make_channel(fake_wechat.base_url).send(out())
    assert not result.ok and result.retryable is retryable
    assert str(errcode) in (result.error or "") and hint in (result.error or "")


async def test_http_faults_are_retryable(fake_wechat: FakeWeChat) -> None:
    fake_wechat.user_action("oOwner0001")  # the owner wrote: the customer-service window is open
    channel = make_channel(fake_wechat.base_url, timeout_s=0.3)
    fake_wechat.fail_next(1, 502, path="/message/")
    fake_wechat.hang_next(1, seconds=2, path="/message/")
    fake_wechat.drop_next(1, path="/message/")
    results = [await channel.send(out()) for _ in range(3)]
    assert [(r.ok, r.retryable) for r in results] == [(False, True)] * 3
    assert "502" in (results[0].error or "") and "timeout" in (results[1].error or "")
    assert (await channel.send(out())).ok


async def test_token_endpoint_failures(fake_wechat: FakeWeChat) -> None:
    fake_wechat.fail_next(1, 503, path="/cgi-bin/token")
    assert (await make_channel(fake_wechat.base_url).send(out())).retryable
    wrong = await make_channel(fake_wechat.base_url, app_secret="wrong").send(out())
    assert not wrong.ok and not wrong.retryable and "40125" in (wrong.error or "")


def test_key_rotation_accepts_the_previous_key_too() -> None:
    old_key, new_key = WECHAT_AES_KEY, "Z" * 43
    pushed_with_old = wechat_request(load_fixture("wechat", "text"), mode="safe", aes_key=old_key)
    rotating = make_channel(aes_key=new_key, previous_aes_key=old_key)
    rotating.verify(pushed_with_old)
    assert rotating.parse_inbound(pushed_with_old)[0].kind == "text"
    with pytest.raises((SignatureError, BadPayload)):
        make_channel(aes_key=new_key).verify(pushed_with_old)  # without the previous key: refused
