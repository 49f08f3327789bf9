"""A deterministic NLU for dialog tests: substring rules, real entity extraction."""

from __future__ import annotations

from datetime import datetime

from nlu.entities import extract
from nlu.lang import detect_lang
from nlu.types import OwnerContext, Parse

# substring -> (intent, urgency, category)
RULES: list[tuple[str, tuple[str, str, str | None]]] = [
    ("煤气味", ("repair", "emergency", "gas")),
    ("gas smell", ("repair", "emergency", "gas")),
    ("水管爆", ("repair", "emergency", "water")),
    ("困在电梯", ("repair", "emergency", "lift")),
    ("又漏", ("complaint", "normal", None)),
    ("投诉", ("complaint", "normal", None)),
    ("还没修好", ("complaint", "normal", None)),
    ("漏水", ("repair", "normal", "water")),
    ("leak", ("repair", "normal", "water")),
    ("裂缝", ("repair", "normal", "wall_floor_ceiling")),
    ("报修", ("repair", "normal", None)),
    ("交房", ("enquiry", "normal", None)),
    ("保修", ("enquiry", "normal", None)),
    ("工单", ("enquiry", "normal", None)),
    ("进度", ("enquiry", "normal", None)),
    ("物业费", ("enquiry", "normal", None)),
    ("火星", ("enquiry", "normal", None)),
    ("???", ("enquiry", "normal", None)),
]


class FakeNlu:
    """Labels by the first matching substring; ``other`` otherwise; confidence 0.3 for '???' texts."""

    def parse(self, text: str, now: datetime | None = None, context: OwnerContext | None = None) -> Parse:
        """Label ``text``."""
        intent, urgency, category = next((labels for key, labels in RULES if key in text), ("other", "normal", None))
        lang = detect_lang(text)
        confidence = 0.3 if "???" in text else 0.95
        return Parse(intent, urgency, category, lang, confidence, extract(text, now), engine="fake")

    def warm_up(self) -> None:
        """Nothing to load."""
