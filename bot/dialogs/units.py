"""Matching what an owner writes ("3栋2单元1502", "5-1-802", "Block 3 Unit 1502") to their units."""

from __future__ import annotations

import re
from typing import Any

from bot.dialogs.types import UnitView

_NUM = re.compile(r"\d+")


def _norm(value: Any) -> str:
    return str(value).lstrip("0") if value not in (None, "") else ""


def match_unit(text: str, entities: dict[str, Any], units: tuple[UnitView, ...]) -> UnitView | None:
    """The single unit among ``units`` that the text names, or None.

    Uses the NLU's unit entity when present (building + room, entrance if both sides have it), else
    the numbers in the text: the room number must appear and the building number too when several
    units share the room number.
    """
    ent = entities.get("unit") or {}
    if ent.get("room"):
        hits = [
            u for u in units
            if _norm(u.room) == _norm(ent["room"])
            and (not ent.get("building") or _norm(u.building) == _norm(ent["building"]))
            and (not ent.get("entrance") or not u.entrance or _norm(u.entrance) == _norm(ent["entrance"]))
        ]
        return hits[0] if len(hits) == 1 else None
    numbers = {_norm(n) for n in _NUM.findall(text)}
    hits = [u for u in units if _norm(u.room) in numbers]
    if len(hits) > 1:
        hits = [u for u in hits if _norm(u.building) in numbers]
    return hits[0] if len(hits) == 1 else None
