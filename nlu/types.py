"""The NLU result type shared by every engine (docs/labels.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

INTENTS = ("repair", "complaint", "enquiry", "other")
URGENCIES = ("emergency", "high", "normal")
CATEGORIES = (
    "water",
    "waterproofing",
    "electrical",
    "gas",
    "lift",
    "door_window",
    "wall_floor_ceiling",
    "fixtures",
    "public_area",
    "other",
)


@dataclass(frozen=True)
class Parse:
    """Labels for one message.

    ``category`` is ``None`` unless ``intent == "repair"``. ``entities`` may hold
    ``unit`` ({"building", "entrance", "room", "raw"}), ``phones`` (list of str),
    ``location`` (canonical key such as ``bathroom``, ``kitchen``, ``master_bedroom``, ``balcony``),
    ``appointment`` ({"start", "end"} ISO 8601 in Asia/Shanghai, "text"), ``repeat_of`` (the number of the
    owner's earlier ticket this message repeats, when :class:`OwnerContext` was given).

    ``low_confidence`` is True when ``confidence`` is below the engine's calibrated threshold
    (:data:`LOW_CONFIDENCE`): the dialog should ask a clarifying question rather than open a ticket on a guess.
    ``needs_safety_check`` is True when the message may describe a danger but the text does not settle it
    (a heavy leak that may still be running, a lift stopped with nobody said to be inside, exposed wires...):
    the dialog should ask one safety question ("有人受伤吗？水还在流吗？") before treating it as routine. It is
    never set on an emergency. ``truncated`` is True when the text was longer than the model limit and only its
    head and tail were read (the full text is still what is stored).
    """

    intent: str
    urgency: str
    category: str | None
    lang: str
    confidence: float
    entities: dict[str, Any] = field(default_factory=dict)
    engine: str = "builtin"
    low_confidence: bool = False
    needs_safety_check: bool = False
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


# Below this calibrated probability of its intent a parse is ``low_confidence``: chosen on the reliability
# tables of the own held-out splits (test, test_registers), where answers under 0.6 are right ~60% of the time
# against 72-100% above it. See benchmarks/results/nlu.md.
LOW_CONFIDENCE = 0.6


@dataclass(frozen=True)
class TicketRef:
    """One of the owner's open or recent tickets, as the NLU needs to see it.

    Attributes:
        category: Repair category of the ticket (``CATEGORIES``), None for complaints/enquiries.
        unit: The unit it is about (free text such as ``3-2-1502``), if known.
        status: ``open`` (not yet resolved) or ``closed`` (resolved recently).
        number: The ticket number shown to the owner, echoed in ``Parse.entities["repeat_of"]``.
        opened_at: When it was opened (informational).
    """

    category: str | None
    unit: str | None = None
    status: str = "open"
    number: str | None = None
    opened_at: datetime | None = None


@dataclass(frozen=True)
class OwnerContext:
    """Optional owner context for :meth:`Engine.parse`: the owner's open and recent (say 90 days) tickets.

    With a ticket in the same category (or, when the category is unknown, any open repair) a message that
    says the problem is back or still not fixed ("又/还是/多次/至今没修好", "again", "still") is a complaint about
    that ticket; without history the text alone decides. Dangers happening now stay emergency repairs.
    """

    tickets: tuple[TicketRef, ...] = ()
    unit: str | None = None
