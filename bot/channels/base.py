"""The small interface every channel module implements, and the normalised message types.

Channel modules turn a platform's webhook into :class:`InboundMessage` objects and deliver
:class:`OutboundMessage` objects; platform SDK objects never leave the module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol, runtime_checkable

from backend.notify import ChannelTraits


class ChannelError(Exception):
    """Base class for errors a webhook turns into an HTTP answer."""

    status_code: ClassVar[int] = 400


class SignatureError(ChannelError):
    """The request is not signed by the platform (forged, replayed or stale): answer 403."""

    status_code = 403


class BadPayload(ChannelError):
    """The body cannot be parsed: answer 400 with the reason."""

    status_code = 400


class UnsupportedEvent(ChannelError):
    """A well-formed event we deliberately ignore: log it and answer 200."""

    status_code = 200


@dataclass(frozen=True)
class WebRequest:
    """What a channel needs of an HTTP request, independent of the web framework.

    ``url`` is the public URL the platform called (rebuilt from ``ANJU_PUBLIC_URL``), which
    Twilio signs.
    """

    method: str
    url: str
    headers: dict[str, str]
    query: dict[str, str]
    body: bytes
    form: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        """Case-insensitive header lookup."""
        name = name.lower()
        for key, value in self.headers.items():
            if key.lower() == name:
                return value
        return None


@dataclass(frozen=True)
class WebResponse:
    """The synchronous answer to a webhook."""

    body: str = ""
    media_type: str = "text/plain"
    status_code: int = 200


@dataclass(frozen=True)
class Attachment:
    """A non-text part of an inbound message.

    ``kind`` is ``image``, ``voice``, ``video``, ``location`` or ``contact``. For a shared contact,
    ``own_contact`` tells whether it is the sender's own (Telegram ``contact.user_id == from.id``);
    a forwarded contact must not be taken as the owner's verified phone.
    """

    kind: str
    url: str | None = None
    media_id: str | None = None
    content_type: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    label: str | None = None
    phone: str | None = None
    own_contact: bool | None = None


@dataclass(frozen=True)
class InboundMessage:
    """One owner message or event, normalised.

    ``kind`` is ``text``, ``image``, ``voice``, ``location``, ``contact``, ``event`` or ``button``.
    For events (``subscribe``, ``unsubscribe``...) and buttons (callback payloads) ``event`` holds the
    name or payload. ``text`` is the owner's words (voice recognition result where present).
    """

    channel: str
    external_user_id: str
    provider_message_id: str
    text: str = ""
    kind: str = "text"
    attachments: tuple[Attachment, ...] = ()
    event: str | None = None
    received_at: datetime | None = None
    display_name: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class QuickReply:
    """A choice offered to the owner: a button where the channel has them, numbered text otherwise."""

    label: str
    payload: str


@dataclass(frozen=True)
class OutboundMessage:
    """One message to one recipient on one channel.

    ``template_id``/``template_data`` make WeChat send a template message (outside the 48 h window);
    ``request_contact`` asks Telegram for a contact-share button.
    """

    channel: str
    external_user_id: str
    text: str
    quick_replies: tuple[QuickReply, ...] = ()
    request_contact: bool = False
    image_url: str | None = None
    template_id: str | None = None
    template_data: dict[str, str] = field(default_factory=dict)
    status_callback: str | None = None
    client_msg_id: str | None = None  # a stable id per message: the platform drops a retried duplicate


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of one send attempt.

    ``retryable`` failures (5xx, 429, timeouts, dropped connections) are retried with backoff,
    honouring ``retry_after`` seconds when the platform gives it; others dead-letter at once, except
    those with ``unreachable`` set: the platform refused *this recipient on this route*
    (``window_closed``, ``quota_used``, ``unsubscribed``, ``opted_out``, ``blocked``), a routing signal
    the worker answers by re-routing the message (``backend.notify.reroute``).
    """

    ok: bool
    provider_message_id: str | None = None
    status: str = "sent"
    retryable: bool = False
    retry_after: float | None = None
    error: str | None = None
    unreachable: str | None = None


@dataclass(frozen=True)
class DeliveryStatus:
    """A delivery receipt from the platform (Twilio status callback)."""

    provider_message_id: str
    status: str
    error: str | None = None


class Channel(Protocol):
    """What a channel module provides (see ``bot.channels.registry`` for how a channel declares itself)."""

    name: ClassVar[str]
    settings_section: ClassVar[str]
    routes: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]]
    traits: ClassVar[ChannelTraits]

    def verify(self, request: WebRequest) -> None:
        """Raise :class:`SignatureError` unless the request is signed by the platform."""

    def parse_inbound(self, request: WebRequest) -> list[InboundMessage]:
        """Parse a verified webhook into messages; raise :class:`BadPayload` or :class:`UnsupportedEvent`."""

    def ack(self, request: WebRequest) -> WebResponse:
        """The fast synchronous answer to an accepted webhook."""

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        """Deliver one message; never raise for platform errors, return a :class:`DeliveryResult`."""


# ------------------------------------------------------------------------------ optional abilities
# A channel implements only what its platform offers; the web layer and the worker test for these
# with ``isinstance`` instead of reaching for attributes through ``getattr``.


@runtime_checkable
class UrlVerifying(Protocol):
    """The platform checks the webhook URL with a signed ``GET`` (WeChat)."""

    def verify_url(self, request: WebRequest) -> str:
        """The body to answer the verification ``GET`` with; raise :class:`SignatureError` if forged."""


@runtime_checkable
class ReplayGuarded(Protocol):
    """The platform's signature carries a nonce: the webhook layer remembers it in the database."""

    replay_window_s: float

    def replay_key(self, request: WebRequest) -> tuple[str, str] | None:
        """``(nonce, body digest)`` of a verified request, or None when it carries no nonce."""


@runtime_checkable
class StatusCallbacks(Protocol):
    """The platform posts delivery receipts to a separate webhook (Twilio)."""

    def parse_status(self, request: WebRequest) -> DeliveryStatus:
        """Parse a verified receipt."""


@runtime_checkable
class AfterAccept(Protocol):
    """Something to do once the webhook has been answered (Telegram: answer button presses)."""

    async def after_accept(self, messages: Sequence[InboundMessage]) -> None:
        """Run in the background after the 200."""


@runtime_checkable
class VoiceCalls(Protocol):
    """The channel can place an outbound voice call (Twilio: the voice survey)."""

    async def place_call(self, to: str, *, twiml_url: str | None = None, twiml: str | None = None,
                         status_callback: str | None = None) -> DeliveryResult:
        """Call ``to`` and run the TwiML."""


@runtime_checkable
class Closable(Protocol):
    """The channel holds a client to release on shutdown (Telegram's HTTP client)."""

    async def close(self) -> None:
        """Release it."""
