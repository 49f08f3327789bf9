"""SMS channel: Twilio signatures (published vectors), inbound SMS/MMS, status callbacks, sending, calls."""

from __future__ import annotations

import pytest

from bot.channels.base import (
    Attachment,
    BadPayload,
    DeliveryStatus,
    InboundMessage,
    OutboundMessage,
    QuickReply,
    SignatureError,
    WebRequest,
)
from bot.channels.sms import EMPTY_TWIML, SmsChannel, opt_keyword
from tests.channels.helpers import (
    SMS_URL,
    TWILIO_SID,
    TWILIO_TOKEN,
    check_inbound,
    load_fixture,
    load_vectors,
    sms_request,
)
from tests.fakes.twilio import FakeTwilio

VECTORS = load_vectors("sms")
OWNER = "+14155550100"


def make_channel(api_base: str = "http://127.0.0.1:9", auth_token: str = TWILIO_TOKEN, **kwargs: object) -> SmsChannel:
    options: dict[str, object] = {"api_base": api_base, "timeout_s": 1.0}
    options.update(kwargs)
    return SmsChannel(TWILIO_SID, auth_token, "+15005550006", **options)  # type: ignore[arg-type]


def signed(url: str, params: dict[str, str], signature: str) -> WebRequest:
    return WebRequest("POST", url, {"X-Twilio-Signature": signature}, {}, b"", form=params)


# ----------------------------------------------------------------------------------------- signatures
@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://mycompany.com/myapp.php?foo=1&bar=2", "expected_signature"),
        ("https://mycompany.com:443/myapp.php?foo=1&bar=2", "url_with_port_443_expected"),
        ("http://mycompany.com:80/myapp.php?foo=1&bar=2", "http_url_with_port_80_expected"),
        ("http://mycompany.com:1234/myapp.php?foo=1&bar=2", "http_url_with_port_1234_expected"),
        ("https://mycompany.com:1234/myapp.php?foo=1&bar=2", "https_url_with_port_1234_validates_with"),
    ],
)
def test_request_validator_vectors(url: str, key: str) -> None:
    v = VECTORS["request_validator"]
    make_channel(auth_token=v["auth_token"]).verify(signed(url, v["params"], v[key]))


@pytest.mark.parametrize(
    "vector", ["inbound_sms_constructed", "inbound_sms_stop_constructed", "status_callback_constructed"]
)
def test_webhook_vectors(vector: str) -> None:
    v = VECTORS[vector]
    make_channel(auth_token=v["auth_token"]).verify(signed(v["url"], v["params"], v["x_twilio_signature"]))


def test_forged_missing_or_misaddressed_signature() -> None:
    v = VECTORS["inbound_sms_constructed"]
    channel = make_channel()
    with pytest.raises(SignatureError):  # forged
        channel.verify(signed(v["url"], v["params"], "RSOYDt4T1cUTdK1PDd93/VVr8B8="))
    with pytest.raises(SignatureError):  # missing header
        channel.verify(WebRequest("POST", v["url"], {}, {}, b"", form=v["params"]))
    with pytest.raises(SignatureError):  # http vs https: the URL must be the public one Twilio called
        channel.verify(signed(v["url"].replace("https", "http"), v["params"], v["x_twilio_signature"]))
    with pytest.raises(SignatureError):  # a parameter changed in transit
        channel.verify(signed(v["url"], {**v["params"], "Body": "改了"}, v["x_twilio_signature"]))


def test_verify_reads_the_raw_form_body_when_form_is_empty() -> None:
    request = sms_request(load_fixture("sms", "inbound_sms"))
    make_channel().verify(WebRequest("POST", request.url, request.headers, {}, request.body))


# -------------------------------------------------------------------------------------------- inbound
def test_plain_sms() -> None:
    check_inbound(
        make_channel(),
        "inbound_sms",
        InboundMessage(
            channel="sms",
            external_user_id=OWNER,
            provider_message_id="SM00000000000000000000000000000001",
            text="厨房水龙头漏水",
            kind="text",
        ),
    )


def test_mms_media_become_attachments() -> None:
    message = check_inbound(make_channel(), "inbound_sms_with_media", {"kind": "image", "text": "厨房水龙头漏水"})
    assert message and message.attachments == (
        Attachment(
            kind="image",
            content_type="image/jpeg",
            url=VECTORS["inbound_sms_constructed"]["params"]["MediaUrl0"],
        ),
    )
    two = check_inbound(make_channel(), "inbound_mms_two_media", {"kind": "image", "text": ""})
    assert two and [a.kind for a in two.attachments] == ["image", "voice"]


def test_stop_is_a_consent_event_applied_at_the_edge() -> None:
    message = check_inbound(make_channel(), "inbound_stop", {"kind": "consent", "event": "stop", "text": "STOP"})
    assert message and opt_keyword(message.text) == "stop"


def test_help_is_answered_with_the_help_text_and_stop_is_not_answered() -> None:
    channel = make_channel(help_reply="安居客服 400-000-0000 & help")
    help_request = sms_request(load_fixture("sms", "inbound_stop").replace(b"Body=STOP", b"Body=help"))
    assert "<Message>安居客服 400-000-0000 &amp; help</Message>" in channel.ack(help_request).body
    assert channel.ack(sms_request(load_fixture("sms", "inbound_stop"))).body == EMPTY_TWIML


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("STOP", "stop"),
        (" stop ", "stop"),
        ("Unsubscribe", "stop"),
        ("退订", None),  # the owner's marketing opt-out: a dialog matter, not Twilio's block
        ("TD", None),
        ("REVOKE", "stop"),
        ("optout", "stop"),
        ("QUIT", "stop"),
        ("END", "stop"),
        ("STOPALL", "stop"),
        ("CANCEL", "stop"),
        ("START", "start"),
        ("unstop", "start"),
        ("HELP", "help"),
        ("info", "help"),
        ("STOP PLEASE", None),
        ("漏水", None),
        ("", None),
    ],
)
def test_opt_keyword(text: str, expected: str | None) -> None:
    assert opt_keyword(text) == expected


def test_missing_from_is_bad_payload() -> None:
    channel = make_channel()
    request = sms_request(load_fixture("sms", "missing_from"))
    channel.verify(request)
    with pytest.raises(BadPayload):
        channel.parse_inbound(request)


def test_status_callback() -> None:
    channel = make_channel()
    request = sms_request(load_fixture("sms", "status_undelivered"), url="https://bot.example.com/twilio/status")
    channel.verify(request)
    assert channel.parse_status(request) == DeliveryStatus(
        provider_message_id="SM00000000000000000000000000000002", status="undelivered", error="30003"
    )
    with pytest.raises(BadPayload):
        channel.parse_status(sms_request(load_fixture("sms", "inbound_sms")))


def test_ack_is_empty_twiml() -> None:
    response = make_channel().ack(sms_request(load_fixture("sms", "inbound_sms"), url=SMS_URL))
    assert (response.body, response.media_type) == (EMPTY_TWIML, "text/xml")


# -------------------------------------------------------------------------------------------- sending
def out(text: str = "已收到您的报修", **kwargs: object) -> OutboundMessage:
    return OutboundMessage(channel="sms", external_user_id=OWNER, text=text, **kwargs)  # type: ignore[arg-type]


def twilio_channel(fake: FakeTwilio, **kwargs: object) -> SmsChannel:
    return make_channel(fake.base_url, auth_token=fake.auth_token, **kwargs)


async def test_send_with_numbered_choices_and_status_callback(fake_twilio: FakeTwilio) -> None:
    channel = twilio_channel(fake_twilio, status_callback="https://bot.example.com/hooks/sms/status")
    result = await channel.send(
        out("请选择上门时间", quick_replies=(QuickReply("上午", "am"), QuickReply("下午", "pm")))
    )
    assert result.ok and result.provider_message_id == "SM" + "1".zfill(32) and result.status == "queued"
    [sent] = fake_twilio.sent
    assert (sent["To"], sent["From"], sent["Body"], sent["StatusCallback"]) == (
        OWNER,
        "+15005550006",
        "请选择上门时间\n1. 上午\n2. 下午",
        "https://bot.example.com/hooks/sms/status",
    )
    assert fake_twilio.requests[0].path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"


async def test_send_image_as_mms(fake_twilio: FakeTwilio) -> None:
    assert (await twilio_channel(fake_twilio).send(out("示意图", image_url="https://x.example/a.jpg"))).ok
    assert fake_twilio.sent[0]["MediaUrl"] == ["https://x.example/a.jpg"]
    assert "StatusCallback" not in fake_twilio.sent[0]


async def test_rate_limit_is_retryable_with_retry_after(fake_twilio: FakeTwilio) -> None:
    fake_twilio.rate_limit_next(retry_after=7)
    result = await twilio_channel(fake_twilio).send(out())
    assert (result.ok, result.retryable, result.retry_after) == (False, True, 7.0)


async def test_unsubscribed_recipient_is_permanent(fake_twilio: FakeTwilio) -> None:
    fake_twilio.reject_next(21610)
    result = await twilio_channel(fake_twilio).send(out())
    assert not result.ok and not result.retryable and "21610" in (result.error or "")


async def test_wrong_credentials_are_permanent(fake_twilio: FakeTwilio) -> None:
    result = await make_channel(fake_twilio.base_url, auth_token="wrong").send(out())
    assert not result.ok and not result.retryable and "401" in (result.error or "")


async def test_server_faults_are_retryable(fake_twilio: FakeTwilio) -> None:
    channel = twilio_channel(fake_twilio, timeout_s=0.3)
    fake_twilio.fail_next(1, 503)
    fake_twilio.hang_next(1, seconds=2)
    fake_twilio.drop_next(1)
    results = [await channel.send(out()) for _ in range(3)]
    assert [(r.ok, r.retryable) for r in results] == [(False, True)] * 3
    assert results[0].retry_after is None and "timeout" in (results[1].error or "")
    assert (await channel.send(out())).ok


async def test_place_call(fake_twilio: FakeTwilio) -> None:
    channel = twilio_channel(fake_twilio)
    by_url = await channel.place_call(OWNER, twiml_url="https://bot.example.com/voice/survey/42")
    inline = await channel.place_call(OWNER, twiml='<Response><Say language="cmn-CN">您好</Say></Response>')
    assert by_url.ok and inline.ok and by_url.provider_message_id.startswith("CA")  # type: ignore[union-attr]
    assert fake_twilio.calls[0]["Url"] == "https://bot.example.com/voice/survey/42"
    assert "您好" in fake_twilio.calls[1]["Twiml"]
    with pytest.raises(ValueError):
        await channel.place_call(OWNER)
