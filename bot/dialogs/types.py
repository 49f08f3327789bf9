"""What a dialog step sees (a turn and its context) and what it returns (effects).

Dialogs are pure: no I/O, no channel names. The runtime loads the context, calls the step and
applies the effects in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from nlu.types import Parse


@dataclass(frozen=True)
class Turn:
    """One owner turn, channel-agnostic."""

    text: str = ""
    button: str | None = None  # a choice's payload (button press or numbered answer mapped by the runtime)
    photos: tuple[str, ...] = ()
    location: tuple[float, float, str] | None = None
    contact_phone: str | None = None
    contact_is_sender: bool = False
    event: str | None = None  # subscribe / unsubscribe
    kind: str = "text"  # the channel's message kind: text, image, voice, video, file, link, ...
    # The separate requests of a message that carries several ("漏水，另外想问车位"), each with its own parse.
    parts: tuple[tuple[str, Parse | None], ...] = ()


@dataclass(frozen=True)
class UnitView:
    """A unit the owner owns."""

    id: int
    label: str
    project: str
    building: str = ""
    entrance: str = ""
    room: str = ""
    signed_on: date | None = None
    handover_on: date | None = None


@dataclass(frozen=True)
class OwnerView:
    """The bound owner."""

    id: int
    name: str
    phone: str
    language: str
    units: tuple[UnitView, ...]


@dataclass(frozen=True)
class TicketView:
    """A ticket as the owner may see it."""

    id: int
    number: str
    kind: str
    status: str
    category: str | None
    location: str | None
    unit_id: int | None
    created_at: datetime
    urgency: str = "normal"
    page: str | None = None  # latest page: sent (nobody accepted yet), acked, failed; None when never paged
    engineer: str | None = None  # who accepted the page or is assigned
    appointment_start: datetime | None = None
    appointment_end: datetime | None = None

    @property
    def is_open(self) -> bool:
        """True while the ticket is still being worked on."""
        return self.status not in ("closed", "callback_done", "cancelled")


@dataclass
class Context:
    """Read-only facts a step may use; lookups are read-only callables injected by the runtime."""

    now: datetime
    owner: OwnerView | None = None
    proven_phone: str | None = None  # the channel itself proves this phone (SMS sender)
    can_send_otp: bool = False
    otp_code: str = "000000"
    tickets: tuple[TicketView, ...] = ()
    find_owner_by_phone: Callable[[str], OwnerView | None] = lambda _p: None
    # (topic, owner, text, lang) -> (template key, params) or None
    enquiry_answer: Callable[[str, OwnerView | None, str, str], tuple[str, dict[str, Any]] | None] = (
        lambda _topic, _owner, _text, _lang: None
    )
    low_confidence: float = 0.45
    mode: str = "bot"  # bot, waiting (for a person) or staff (held): only emergencies get the bot's voice
    can_send_otp_to: Callable[[str], bool] = lambda _p: True  # per-phone OTP throttle
    format_deadline: Callable[[datetime], str] = lambda d: d.isoformat()


# --- effects ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """Say a template (config/messages.yml) to the owner; ``params`` may use results of earlier effects."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    choices: tuple[tuple[str, str], ...] = ()  # (template key or literal label, payload)
    request_contact: bool = False
    literal: bool = False  # ``key`` is already the text (a question repeated verbatim)


@dataclass(frozen=True)
class CreateTicket:
    """Open a ticket for the owner (or for an unbound identity in an emergency)."""

    kind: str
    urgency: str = "normal"
    category: str | None = None
    location: str | None = None
    description: str = ""
    unit_id: int | None = None
    appointment: dict[str, str] | None = None
    photos: tuple[str, ...] = ()
    related_ticket_id: int | None = None
    address: str = ""  # what an unbound person wrote as the address
    callback: str = ""  # a number to call back (SMS sender, shared contact, typed)


@dataclass(frozen=True)
class PageOnCall:
    """Page the on-call engineer about the ticket created in this step (or ``ticket_id``)."""

    ticket_id: int | None = None
    hazard: str = "general"


@dataclass(frozen=True)
class AddDetails:
    """Add what the owner said afterwards (address, photos) to a ticket."""

    ticket_id: int
    text: str = ""
    unit_id: int | None = None
    photos: tuple[str, ...] = ()
    address: str = ""
    callback: str = ""
    update_page: bool = False  # tell the paged engineer (a page update)


@dataclass(frozen=True)
class CancelTicket:
    """The owner withdraws a ticket: cancelled with the reason; a paged or assigned engineer is told."""

    ticket_id: int
    reason: str


@dataclass(frozen=True)
class Handoff:
    """Put the conversation in the staff queue."""

    reason: str


@dataclass(frozen=True)
class Bind:
    """Bind this identity to an owner (verified)."""

    owner_id: int


@dataclass(frozen=True)
class SendOtp:
    """Text a one-time code to the owner's registered phone."""

    phone: str
    code: str


@dataclass(frozen=True)
class SetMarketingConsent:
    """Record an opt-out (False) or opt-in (True) for marketing on this channel."""

    granted: bool
    keyword: str


@dataclass(frozen=True)
class OwnerConfirmation:
    """The owner's verdict on a finished repair."""

    ticket_id: int
    satisfied: bool
    comment: str = ""


@dataclass(frozen=True)
class SurveyAnswer:
    """A callback-survey score (1-5) and optional comment."""

    survey_id: int
    score: int
    comment: str | None = None


Effect = (Reply | CreateTicket | PageOnCall | AddDetails | Handoff | Bind | SendOtp | SetMarketingConsent
          | OwnerConfirmation | SurveyAnswer | CancelTicket)


@dataclass
class StepResult:
    """The new dialog state and the effects to apply, in order."""

    state: dict[str, Any]
    effects: list[Effect] = field(default_factory=list)
    lang: str = "zh"

    def say(self, key: str, *, choices: tuple[tuple[str, str], ...] = (), request_contact: bool = False,
            **params: Any) -> None:
        """Append a reply."""
        self.effects.append(Reply(key, params, choices, request_contact))
