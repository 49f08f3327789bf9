"""WeChat official account (公众号): signed XML webhooks in, customer-service/template messages out.

Inbound: ``GET`` URL verification (:meth:`WeChatChannel.verify_url`) and signed ``POST`` pushes in plain
or safe (AES) mode, answered at once with ``success`` (then replied to through the customer-service API).
Outbound: wechatpy's :class:`~wechatpy.WeChatClient`, pointed at ``api_base`` for every URL including the
token endpoint, run in a worker thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import requests
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException, WeChatClientException

from backend.notify import ChannelTraits
from bot.channels.base import (
    Attachment,
    BadPayload,
    ChannelError,
    DeliveryResult,
    InboundMessage,
    OutboundMessage,
    SignatureError,
    UnsupportedEvent,
    WebRequest,
    WebResponse,
)
from bot.channels.common import secret_value, split_text, utf8_bytes, with_numbered_choices
from bot.channels.privacy import redact_secrets_in_logs
from bot.channels.wechat_api import TOKEN_ERRCODES, ApiBaseClient, TokenStore, client_error
from bot.channels.xmlsafe import parse_flat_xml

log = logging.getLogger(__name__)

Fields = dict[str, str]
TEXT_LIMIT_BYTES = 2048  # a longer customer-service text is refused (45002): split into parts


def _sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _same(expected: str, given: str) -> bool:
    """Constant-time comparison that also copes with a non-ASCII ``given`` (a forged signature)."""
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogatepass"))


class WeChatChannel:
    """The WeChat official-account channel."""

    name: ClassVar[str] = "wechat"
    settings_section: ClassVar[str] = "wechat"
    routes: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = (("/wechat", ("GET", "POST")),)
    traits: ClassVar[ChannelTraits] = ChannelTraits(
        reply_window=timedelta(hours=48), window_quota=5, event_window=timedelta(minutes=1), event_quota=3,
        templates=True, max_text=TEXT_LIMIT_BYTES // 3)
    SUPPORTED_EVENTS: ClassVar[tuple[str, ...]] = (
        "text",
        "image",
        "voice",
        "video",
        "location",
        "link",
        "unsupported",
        "event:subscribe",
        "event:unsubscribe",
        "event:scan",
        "button",
        "receipt",
    )

    def __init__(
        self,
        app_id: str,
        token: str,
        *,
        app_secret: str = "",
        aes_key: str | None = None,
        api_base: str = "https://api.weixin.qq.com",
        template_ids: Mapping[str, str] | None = None,
        max_timestamp_skew_s: float = 300,
        accept_plaintext: bool = False,
        previous_aes_key: str | None = None,
        token_store: TokenStore | None = None,
        timeout_s: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Create the channel.

        Args:
            app_id: The account's AppID (also the AES ``appid`` check).
            token: The webhook Token configured in the console.
            app_secret: The AppSecret, needed only for sending.
            aes_key: The 43-character EncodingAESKey, needed for safe/compatible mode.
            api_base: Base URL of the API (``https://api.weixin.qq.com`` or a fake/proxy).
            template_ids: Names usable as ``OutboundMessage.template_id`` mapped to real template ids.
            max_timestamp_skew_s: Pushes whose timestamp is further than this from now are replays.
            accept_plaintext: With an EncodingAESKey set, still accept plain-mode pushes (only while
                switching the console from plain to compatible/safe mode). Off by default: a plain push
                is refused, since its ``signature`` can be lifted from any one push and reused.
            previous_aes_key: The EncodingAESKey being replaced: pushes are decrypted with the current key,
                then this one, so a key rotation needs no downtime.
            token_store: Where the access token is kept; pass a shared one (``backend.tokens.DbTokenStore``)
                when several processes send, or each process's fetch invalidates the others' token.
            timeout_s: Connect/read timeout of every API call.
            clock: Returns the current Unix time (injectable for tests).
        """
        self.app_id = app_id
        self._token = token
        redact_secrets_in_logs(token, app_secret, aes_key)
        self._crypto = WeChatCrypto(token, aes_key, app_id) if aes_key else None
        self._previous_cryptos = [WeChatCrypto(token, key, app_id) for key in [previous_aes_key] if key and aes_key]
        self._template_ids = dict(template_ids or {})
        self._skew = max_timestamp_skew_s
        self._accept_plaintext = accept_plaintext
        self._clock = clock
        self._client = ApiBaseClient(app_id, app_secret, api_base.rstrip("/"), timeout_s, token_store)

    @classmethod
    def wiring(cls, settings: Any, shared: Mapping[str, Any]) -> dict[str, Any]:
        """The access token shared by every process (the registry passes the database-backed store)."""
        return {"token_store": shared["token_store"]} if shared.get("token_store") is not None else {}

    @classmethod
    def from_settings(cls, section: Any, **overrides: Any) -> WeChatChannel:
        """Build from a ``WeChatSettings``-like object (duck-typed; secrets may be ``SecretStr``)."""
        kwargs: dict[str, Any] = {
            "app_secret": secret_value(section.app_secret),
            "aes_key": secret_value(section.encoding_aes_key) or None,
            "api_base": section.api_base,
            "template_ids": getattr(section, "template_ids", {}),
            "max_timestamp_skew_s": getattr(section, "max_timestamp_skew_s", 300),
            "accept_plaintext": getattr(section, "accept_plaintext", False),
            "previous_aes_key": secret_value(getattr(section, "previous_encoding_aes_key", None)) or None,
        }
        kwargs.update(overrides)
        return cls(section.app_id, secret_value(section.token), **kwargs)

    # ----------------------------------------------------------------------------------- inbound
    def _check_timestamp(self, timestamp: str) -> None:
        try:
            skew = abs(self._clock() - int(timestamp))
        except ValueError as exc:
            raise SignatureError("timestamp is not an integer") from exc
        if skew > self._skew:
            raise SignatureError(f"stale timestamp (off by {skew:.0f} s): possible replay")

    def _check_plain(self, query: Mapping[str, str]) -> None:
        timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
        expected = _sign(self._token, timestamp, nonce)
        if not _same(expected, query.get("signature", "")):
            raise SignatureError("bad WeChat signature")
        self._check_timestamp(timestamp)

    def verify_url(self, request: WebRequest) -> str:
        """Answer the console's ``GET`` URL verification.

        Returns:
            The ``echostr`` to return verbatim as the response body.

        Raises:
            SignatureError: Bad signature or stale timestamp.
        """
        self._check_plain(request.query)
        return request.query.get("echostr", "")

    def _is_encrypted(self, request: WebRequest) -> bool:
        """True for a safe/compatible-mode push: ``encrypt_type=aes``, or an ``<Encrypt>`` in the body.

        A compatible-mode body carries plaintext fields *and* ``<Encrypt>``: only the encrypted part,
        checked with ``msg_signature``, is trusted, whatever the query says.
        """
        if request.query.get("encrypt_type", "raw").lower() == "aes":
            return True
        return self._crypto is not None and b"<Encrypt>" in request.body

    def _decrypt(self, request: WebRequest) -> str:
        """Check ``msg_signature`` over ``Encrypt``, the timestamp and the app id; return the plaintext."""
        if self._crypto is None:
            raise SignatureError("encrypted push received but no EncodingAESKey is configured")
        query = request.query
        timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
        envelope = parse_flat_xml(request.body)
        encrypt = envelope.get("Encrypt", "")
        if not encrypt:
            raise BadPayload("encrypted push without <Encrypt>")
        expected = _sign(self._token, timestamp, nonce, encrypt)
        if not _same(expected, query.get("msg_signature", "")):
            raise SignatureError("bad WeChat msg_signature")
        self._check_timestamp(timestamp)
        failure: ChannelError | None = None
        for crypto in (self._crypto, *self._previous_cryptos):  # during key rotation: current, then previous
            try:
                return str(crypto.decrypt_message(envelope, query["msg_signature"], timestamp, nonce))
            except (InvalidSignatureException, InvalidAppIdException) as exc:
                failure = SignatureError(f"push not for this account: {exc}")
            except Exception as exc:  # noqa: BLE001 - corrupt ciphertext of any kind
                failure = BadPayload(f"cannot decrypt push: {type(exc).__name__}")
        assert failure is not None
        raise failure

    def verify(self, request: WebRequest) -> None:
        """Check a ``POST`` push: ``signature`` (plain mode) or ``msg_signature`` over ``Encrypt`` (safe).

        Raises:
            SignatureError: Bad signature, wrong app id, or stale timestamp (replay).
            BadPayload: Safe mode with an unparsable envelope.
        """
        if self._is_encrypted(request):
            self._decrypt(request)
            return
        if self._crypto is not None and not self._accept_plaintext:
            raise SignatureError("plaintext push refused: an EncodingAESKey is configured (safe mode)")
        self._check_plain(request.query)

    def replay_key(self, request: WebRequest) -> tuple[str, str] | None:
        """``(timestamp:nonce, sha256 of the body)``: the webhook layer refuses a nonce reused with another body."""
        query = request.query
        nonce = f"{query.get('timestamp', '')}:{query.get('nonce', '')}"
        return nonce, hashlib.sha256(request.body).hexdigest()

    @property
    def replay_window_s(self) -> float:
        """How long a signed push stays valid (its nonce must be remembered that long)."""
        return self._skew

    def parse_inbound(self, request: WebRequest) -> list[InboundMessage]:
        """Parse a verified push into one message (decrypting it in safe mode).

        Raises:
            BadPayload: Malformed XML, DTD/entities, or missing required fields.
            UnsupportedEvent: A message type or event we do not handle.
        """
        fields = parse_flat_xml(self._decrypt(request) if self._is_encrypted(request) else request.body)
        msg_type = _require(fields, "MsgType")
        return [MESSAGE_HANDLERS.get(msg_type, _unknown)(fields)]

    def ack(self, request: WebRequest) -> WebResponse:
        """Answer ``success`` at once (no encryption needed, even in safe mode)."""
        return WebResponse(body="success", media_type="text/plain")

    # ---------------------------------------------------------------------------------- outbound
    def _call(self, message: OutboundMessage) -> dict[str, Any]:
        user = message.external_user_id
        text = with_numbered_choices(message.text, message.quick_replies)
        if message.image_url:
            text = f"{text}\n{message.image_url}"
        if message.template_id:
            template_id = self._template_ids.get(message.template_id, message.template_id)
            data = {key: {"value": value} for key, value in message.template_data.items()}
            return self._send_template(user, template_id, data, message.client_msg_id)
        result: dict[str, Any] = {}
        for part in split_text(text, TEXT_LIMIT_BYTES, utf8_bytes):  # longer texts are refused (45002)
            result = self._client.message.send_text(user, part)
        return result

    def _send_template(self, user: str, template_id: str, data: dict[str, Any], client_msg_id: str | None) -> Any:
        """``message/template/send`` with ``client_msg_id`` (WeChat deduplicates a retried send on it)."""
        body: dict[str, Any] = {"touser": user, "template_id": template_id, "data": data}
        if client_msg_id:
            body["client_msg_id"] = client_msg_id[:64]
        return self._client.post("message/template/send", data=body)

    def _send_sync(self, message: OutboundMessage) -> DeliveryResult:
        try:
            try:
                result = self._call(message)
            except WeChatClientException as exc:
                if exc.errcode not in TOKEN_ERRCODES:
                    raise
                log.info("WeChat access token rejected (%s); refreshing the shared token", exc.errcode)
                self._client.refresh_rejected_token()
                result = self._call(message)
        except WeChatClientException as exc:
            return client_error(exc)
        except requests.Timeout as exc:
            return DeliveryResult(ok=False, status="failed", retryable=True, error=f"timeout: {exc}")
        except requests.RequestException as exc:
            return DeliveryResult(ok=False, status="failed", retryable=True, error=f"connection: {exc}")
        msgid = result.get("msgid") if isinstance(result, dict) else None
        return DeliveryResult(ok=True, provider_message_id=str(msgid) if msgid else None)

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        """Send a customer-service text (or a template message when ``template_id`` is set).

        Quick replies become numbered lines; an image URL is appended as a link. Never raises for
        platform errors: 45015/45047 are permanent, -1, HTTP 5xx/429, timeouts and dropped connections
        are retryable.
        """
        return await asyncio.to_thread(self._send_sync, message)


def _require(fields: Fields, name: str) -> str:
    value = fields.get(name)
    if not value:
        raise BadPayload(f"WeChat push without <{name}>")
    return value


def _base(fields: Fields, provider_message_id: str, kind: str, **extra: Any) -> InboundMessage:
    created = _require(fields, "CreateTime")
    try:
        received_at = datetime.fromtimestamp(int(created), tz=UTC)
    except (ValueError, OverflowError) as exc:
        raise BadPayload("CreateTime is not a Unix time") from exc
    return InboundMessage(
        channel=WeChatChannel.name,
        external_user_id=_require(fields, "FromUserName"),
        provider_message_id=provider_message_id,
        kind=kind,
        received_at=received_at,
        raw=dict(fields),
        **extra,
    )


def _text(fields: Fields) -> InboundMessage:
    return _base(fields, _require(fields, "MsgId"), "text", text=fields.get("Content", ""))


def _message_id(fields: Fields) -> str:
    """MsgId, or (a type we do not know may lack it) the event dedupe key FromUserName + CreateTime."""
    return fields.get("MsgId") or ":".join([_require(fields, "FromUserName"), _require(fields, "CreateTime"),
                                            fields.get("MsgType", "")])


def _video(fields: Fields) -> InboundMessage:
    """``video`` and ``shortvideo``: the media id (expires in 3 days) and its thumbnail."""
    clip = Attachment(kind="video", media_id=fields.get("MediaId"), content_type=fields.get("MsgType"),
                      label=fields.get("ThumbMediaId"))
    return _base(fields, _message_id(fields), "video", attachments=(clip,))


def _link(fields: Fields) -> InboundMessage:
    """A shared link: its title and description are the owner's words, the URL an attachment."""
    words = "\n".join(part for part in (fields.get("Title", ""), fields.get("Description", "")) if part)
    link = Attachment(kind="link", url=fields.get("Url") or None, label=fields.get("Title"))
    return _base(fields, _message_id(fields), "link", text=words, attachments=(link,))


def _unknown(fields: Fields) -> InboundMessage:
    """A message type this version does not know: stored and answered politely, never dropped."""
    return _base(fields, _message_id(fields), "unsupported", event=fields.get("MsgType"))


def _image(fields: Fields) -> InboundMessage:
    image = Attachment(kind="image", url=fields.get("PicUrl") or None, media_id=fields.get("MediaId"))
    return _base(fields, _require(fields, "MsgId"), "image", attachments=(image,))


def _voice(fields: Fields) -> InboundMessage:
    voice = Attachment(kind="voice", media_id=fields.get("MediaId"), content_type=fields.get("Format"))
    return _base(fields, _require(fields, "MsgId"), "voice", text=fields.get("Recognition", ""), attachments=(voice,))


def _location(fields: Fields) -> InboundMessage:
    try:
        latitude, longitude = float(fields["Location_X"]), float(fields["Location_Y"])
    except (KeyError, ValueError) as exc:
        raise BadPayload("location without numeric Location_X/Location_Y") from exc
    place = Attachment(kind="location", latitude=latitude, longitude=longitude, label=fields.get("Label"))
    return _base(fields, _require(fields, "MsgId"), "location", attachments=(place,))


def _event_id(fields: Fields) -> str:
    """Events carry no MsgId: WeChat's dedupe key is FromUserName + CreateTime (+ Event)."""
    return ":".join([_require(fields, "FromUserName"), _require(fields, "CreateTime"), fields["Event"]])


def _follow(fields: Fields) -> InboundMessage:
    """Follow/unfollow; a follow through a QR code keeps its scene (``EventKey=qrscene_<scene>``)."""
    scene = fields.get("EventKey", "")
    extra = {"text": scene.removeprefix("qrscene_")} if scene.startswith("qrscene_") else {}
    return _base(fields, _event_id(fields), "event", event=fields["Event"].lower(), **extra)


def _scan(fields: Fields) -> InboundMessage:
    """An existing follower scans a QR code: ``EventKey`` is the scene (kept as the text)."""
    return _base(fields, _event_id(fields), "event", event="scan", text=fields.get("EventKey", ""))


def _template_finished(fields: Fields) -> InboundMessage:
    """``TEMPLATESENDJOBFINISH``: the delivery receipt of a template message (``MsgID``, ``Status``)."""
    status = fields.get("Status", "")
    return _base(fields, _event_id(fields), "receipt", event="delivered" if status == "success" else "failed",
                 text=fields.get("MsgID", ""))


def _click(fields: Fields) -> InboundMessage:
    return _base(fields, _event_id(fields), "button", event=fields.get("EventKey", ""))


EVENT_HANDLERS: dict[str, Callable[[Fields], InboundMessage]] = {
    "subscribe": _follow,
    "unsubscribe": _follow,
    "SCAN": _scan,
    "CLICK": _click,
    "TEMPLATESENDJOBFINISH": _template_finished,
}


def _event(fields: Fields) -> InboundMessage:
    event = _require(fields, "Event")
    handler = EVENT_HANDLERS.get(event)
    if handler is None:
        raise UnsupportedEvent(f"WeChat event {event!r}")
    return handler(fields)


MESSAGE_HANDLERS: dict[str, Callable[[Fields], InboundMessage]] = {
    "text": _text,
    "image": _image,
    "voice": _voice,
    "location": _location,
    "video": _video,
    "shortvideo": _video,
    "link": _link,
    "event": _event,
}
