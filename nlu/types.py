"""The NLU result type shared by every engine (docs/labels.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
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
    ``appointment`` ({"start", "end"} ISO 8601 in Asia/Shanghai, "text").
    """

    intent: str
    urgency: str
    category: str | None
    lang: str
    confidence: float
    entities: dict[str, Any] = field(default_factory=dict)
    engine: str = "builtin"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)
