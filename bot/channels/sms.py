"""SMS and voice through Twilio: signed form webhooks in, REST Messages/Calls out.

The synchronous twilio ``Client`` is pointed at ``api_base`` and always called in a worker thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any, ClassVar
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape as xml_escape

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from backend.notify import ChannelTraits, render
from bot.channels.base import (
    Attachment,
    BadPayload,
    DeliveryResult,
    DeliveryStatus,
    InboundMessage,
    OutboundMessage,
    SignatureError,
    WebRequest,
    WebResponse,
)
from bot.channels.common import secret_value, split_text, with_numbered_choices
from bot.channels.privacy import mask_phone, redact_secrets_in_logs

log = logging.getLogger(__name__)

MAX_BODY = 1600  # Twilio refuses longer bodies (21617)
OPTED_OUT_CODE = 21610  # the number texted STOP: Twilio refuses everything to it until START
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
SIGNATURE_HEADER = "X-Twilio-Signature"
# Twilio's default keywords (the body alone, any case). Twilio applies them itself: after a STOP it
# refuses every message to the number (21610) until START, and answers STOP/START itself. The owner's
# marketing opt-out phrases (退订, "不要再发"...) are something else and reach the dialogs as text.
OPT_KEYWORDS: dict[str, str] = {
    **dict.fromkeys(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"], "stop"),
    **dict.fromkeys(["START", "UNSTOP", "YES"], "start"),
    **dict.fromkeys(["HELP", "INFO"], "help"),
}
# MediaContentType prefix -> Attachment.kind (anything else is a "file")
MEDIA_KINDS: dict[str, str] = {"image": "image", "audio": "voice", "video": "video"}


def opt_keyword(text: str) -> str | None:
    """Classify an inbound SMS that consists of an opt-out/opt-in keyword alone.

    Args:
        text: The SMS body.

    Returns:
        ``"stop"``, ``"start"``, ``"help"`` or ``None`` (not a keyword; ``STOP PLEASE`` is not one).
    """
    return OPT_KEYWORDS.get(text.strip().rstrip(".!。！").upper())


class _HeaderKeepingHttpClient(TwilioHttpClient):
    """Remembers, per thread, the headers of the last response (to read ``Retry-After``)."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__(timeout=timeout_s)
        self._local = threading.local()

    def request(self, *args: Any, **kwargs: Any) -> Response:  # noqa: D102
        self._local.headers = {}
        response = super().request(*args, **kwargs)
        self._local.headers = dict(response.headers or {})
        return response

    def last_header(self, name: str) -> str | None:
        """A header of the last response received by the calling thread (case-insensitive)."""
        headers: dict[str, str] = getattr(self._local, "headers", {})
        return next((value for key, value in headers.items() if key.lower() == name.lower()), None)


class SmsChannel:
    """The Twilio SMS channel (plus outbound voice calls for the survey)."""

    name: ClassVar[str] = "sms"
    settings_section: ClassVar[str] = "twilio"
    STATUS_CALLBACK_PATH: ClassVar[str] = "/hooks/sms/status"
    routes: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = (("/sms", ("POST",)), ("/sms/status", ("POST",)))
    traits: ClassVar[ChannelTraits] = ChannelTraits(proves_phone=True, max_text=MAX_BODY)
    SUPPORTED_EVENTS: ClassVar[tuple[str, ...]] = ("text", "image", "voice", "video", "file", "consent")

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str,
        *,
        api_base: str = "https://api.twilio.com",
        status_callback: str | None = None,
        help_reply: str | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        """Create the channel.

        Args:
            account_sid: The ``AC...`` account SID (Basic-auth user).
            auth_token: The auth token (Basic-auth password and webhook signing key).
            from_number: The E.164 sender number.
            api_base: Base URL of the REST API (``https://api.twilio.com`` or a fake).
            status_callback: Default ``StatusCallback`` URL for sent messages (``/hooks/sms/status``).
            help_reply: The answer to HELP/INFO (as TwiML); None when Twilio's Advanced Opt-Out answers it.
            timeout_s: Connect/read timeout of every REST call.
        """
        self.from_number = from_number
        self.status_callback = status_callback
        self._help_reply = help_reply
        self._validator = RequestValidator(auth_token)
        redact_secrets_in_logs(auth_token)
        self._http = _HeaderKeepingHttpClient(timeout_s)
        self._client = Client(account_sid, auth_token, account_sid=account_sid, http_client=self._http)
        self._client.api.base_url = api_base.rstrip("/")

    @classmethod
    def wiring(cls, settings: Any, shared: Mapping[str, Any]) -> dict[str, Any]:
        """The status-callback URL (from the public URL) and the HELP answer (``config/messages.yml``)."""
        found: dict[str, Any] = {"help_reply": f"{render('sms_help', 'zh')}\n{render('sms_help', 'en')}"}
        public_url = str(getattr(settings, "public_url", "") or "")
        if public_url:
            found["status_callback"] = f"{public_url.rstrip('/')}{cls.STATUS_CALLBACK_PATH}"
        return found

    @classmethod
    def from_settings(cls, section: Any, **overrides: Any) -> SmsChannel:
        """Build from a ``TwilioSettings``-like object (duck-typed; ``auth_token`` may be ``SecretStr``)."""
        kwargs: dict[str, Any] = {"api_base": section.api_base}
        kwargs.update(overrides)
        return cls(section.account_sid, secret_value(section.auth_token), section.from_number, **kwargs)

    # ----------------------------------------------------------------------------------- inbound
    @staticmethod
    def _form(request: WebRequest) -> dict[str, str]:
        if request.form:
            return dict(request.form)
        return dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))

    def verify(self, request: WebRequest) -> None:
        """Check ``X-Twilio-Signature`` over the public URL and the form parameters.

        Raises:
            SignatureError: Missing or wrong signature.
        """
        signature = request.header(SIGNATURE_HEADER)
        if not signature or not self._validator.validate(request.url, self._form(request), signature):
            raise SignatureError("bad X-Twilio-Signature")

    def parse_inbound(self, request: WebRequest) -> list[InboundMessage]:
        """Parse an inbound SMS/MMS.

        A body that is a Twilio keyword alone (:func:`opt_keyword`) is a ``consent`` message (``event``
        ``stop``/``start``/``help``): applied to the number at the edge, never answered by the dialogs.

        Raises:
            BadPayload: ``From`` or ``MessageSid`` missing, or a bad ``NumMedia``.
        """
        form = self._form(request)
        sender, sid = form.get("From"), form.get("MessageSid") or form.get("SmsMessageSid")
        if not sender or not sid:
            raise BadPayload("Twilio webhook without From/MessageSid")
        attachments = tuple(_media(form))
        kind = attachments[0].kind if attachments else "text"
        log.debug("SMS %s from %s", sid, mask_phone(sender))
        keyword = opt_keyword(form.get("Body", "")) if not attachments else None
        if keyword is not None:
            return [InboundMessage(channel=self.name, external_user_id=sender, provider_message_id=sid,
                                   text=form.get("Body", "").strip(), kind="consent", event=keyword, raw=form)]
        return [
            InboundMessage(
                channel=self.name,
                external_user_id=sender,
                provider_message_id=sid,
                text=form.get("Body", ""),
                kind=kind,
                attachments=attachments,
                raw=form,
            )
        ]

    def parse_status(self, request: WebRequest) -> DeliveryStatus:
        """Parse a message status callback (``/hooks/sms/status``); verify it first.

        Raises:
            BadPayload: ``MessageSid`` or ``MessageStatus`` missing.
        """
        form = self._form(request)
        sid, status = form.get("MessageSid"), form.get("MessageStatus")
        if not sid or not status:
            raise BadPayload("status callback without MessageSid/MessageStatus")
        return DeliveryStatus(provider_message_id=sid, status=status, error=form.get("ErrorCode") or None)

    def ack(self, request: WebRequest) -> WebResponse:
        """Answer with empty TwiML (replies go out through the REST API); HELP gets the help text.

        STOP and START are answered by Twilio itself: a second answer from us would be a double reply
        (and, after STOP, refused anyway).
        """
        body = self._form(request).get("Body", "") if request.method == "POST" else ""
        if self._help_reply and opt_keyword(body) == "help" and "MessageStatus" not in self._form(request):
            return WebResponse(body=f'<?xml version="1.0" encoding="UTF-8"?><Response><Message>'
                                    f"{xml_escape(self._help_reply)}</Message></Response>", media_type="text/xml")
        return WebResponse(body=EMPTY_TWIML, media_type="text/xml")

    # ---------------------------------------------------------------------------------- outbound
    def _deliver(self, call: Callable[[], Any]) -> DeliveryResult:
        try:
            instance = call()
        except TwilioRestException as exc:
            result = self._rest_error(exc.status, exc.code, exc.msg)
            return dataclasses.replace(result, unreachable="opted_out") if exc.code == OPTED_OUT_CODE else result
        except TwilioServiceException as exc:
            return self._rest_error(exc.status, exc.code, exc.detail or exc.title)
        except requests.Timeout as exc:
            return DeliveryResult(ok=False, status="failed", retryable=True, error=f"timeout: {exc}")
        except requests.RequestException as exc:
            return DeliveryResult(ok=False, status="failed", retryable=True, error=f"connection: {exc}")
        except TwilioException as exc:
            return DeliveryResult(ok=False, status="failed", error=f"twilio: {exc}")
        return DeliveryResult(ok=True, provider_message_id=instance.sid, status=instance.status or "queued")

    def _rest_error(self, status: int, code: int | None, message: str) -> DeliveryResult:
        retryable = status == 429 or status >= 500
        retry_after = _seconds(self._http.last_header("Retry-After")) if retryable else None
        return DeliveryResult(
            ok=False,
            status="failed",
            retryable=retryable,
            retry_after=retry_after,
            error=f"HTTP {status}, Twilio error {code}: {message}",
        )

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        """Send an SMS (MMS when ``image_url`` is set); quick replies become numbered lines.

        Never raises for platform errors: 429/5xx/timeouts/connection errors are retryable (with
        ``Retry-After`` when given), other 4xx (e.g. 21610 unsubscribed recipient) are not.
        """
        parts = split_text(segment_friendly(with_numbered_choices(message.text, message.quick_replies)), MAX_BODY)
        result = DeliveryResult(ok=False, status="failed", error="empty message")
        for index, body in enumerate(parts):  # Twilio refuses bodies over 1,600 characters (21617)
            params: dict[str, Any] = {"to": message.external_user_id, "from_": self.from_number, "body": body}
            callback = message.status_callback or self.status_callback
            if callback:
                params["status_callback"] = callback
            if message.image_url and index == 0:
                params["media_url"] = [message.image_url]
            result = await asyncio.to_thread(self._deliver, functools.partial(self._client.messages.create, **params))
            if not result.ok:
                break
        return result

    async def place_call(
        self,
        to: str,
        *,
        twiml_url: str | None = None,
        twiml: str | None = None,
        status_callback: str | None = None,
    ) -> DeliveryResult:
        """Place an outbound voice call (the satisfaction survey) running ``twiml_url`` or inline ``twiml``.

        Args:
            to: The E.164 number to call.
            twiml_url: URL Twilio fetches the TwiML from.
            twiml: Inline TwiML, used when ``twiml_url`` is not given.
            status_callback: Optional call-status webhook URL.

        Returns:
            The call SID as ``provider_message_id`` on success.
        """
        if not (twiml_url or twiml):
            raise ValueError("place_call needs twiml_url or twiml")
        params: dict[str, Any] = {"to": to, "from_": self.from_number}
        params.update({"url": twiml_url} if twiml_url else {"twiml": twiml})
        if status_callback:
            params["status_callback"] = status_callback
        return await asyncio.to_thread(self._deliver, lambda: self._client.calls.create(**params))


def segment_friendly(text: str) -> str:
    """Drop emoji from an otherwise plain-ASCII text: one "⚠️" makes a whole English SMS UCS-2.

    UCS-2 carries 70 characters a segment (67 when concatenated) against 160 (153) for GSM-7, so the
    emoji would double or triple what the owner pays and waits for. Chinese texts are UCS-2 anyway and
    keep them.
    """
    kept = [ch for ch in text if not (unicodedata.category(ch) == "So" or ch in "\ufe0f\u200d")]
    plain = "".join(kept)
    return re.sub(r" {2,}", " ", plain).strip() if plain.isascii() and len(kept) != len(text) else text


def _media(form: dict[str, str]) -> list[Attachment]:
    try:
        count = int(form.get("NumMedia") or 0)
    except ValueError as exc:
        raise BadPayload("NumMedia is not a number") from exc
    items = []
    for index in range(count):
        url, content_type = form.get(f"MediaUrl{index}"), form.get(f"MediaContentType{index}", "")
        if url:
            kind = MEDIA_KINDS.get(content_type.split("/", 1)[0], "file")
            items.append(Attachment(kind=kind, url=url, content_type=content_type or None))
    return items


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
