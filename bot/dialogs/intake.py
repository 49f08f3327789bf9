"""Repair intake: ask only for what is missing (unit, what, where, when), confirm, create the ticket."""

from __future__ import annotations

from typing import Any

from bot.dialogs import keywords
from bot.dialogs.types import Context, CreateTicket, StepResult, Turn
from bot.dialogs.units import match_unit
from nlu.types import Parse

LOCATIONS = ("bathroom", "kitchen", "living_room", "bedroom", "balcony", "other")
BEDROOMS = {"master_bedroom", "second_bedroom", "bedroom"}
VAGUE = {"报修", "维修", "我要报修", "修东西", "repair", "report a repair", "fix"}


def _describes(text: str) -> bool:
    return len(text.strip()) >= 4 and text.strip().lower() not in VAGUE


def start(res: StepResult, turn: Turn, parse: Parse | None, ctx: Context) -> None:
    """Begin an intake from the owner's first message."""
    entities = parse.entities if parse else {}
    units = ctx.owner.units if ctx.owner else ()
    unit = match_unit(turn.text, entities, units) or (units[0] if len(units) == 1 else None)
    res.state.update(flow="intake", step=None, slots={
        "category": parse.category if parse and parse.intent == "repair" else None,
        "urgency": parse.urgency if parse and parse.intent == "repair" else "normal",
        "description": turn.text.strip() if _describes(turn.text) else None,
        "location": entities.get("location"),
        "unit_id": unit.id if unit else None,
        "appointment": entities.get("appointment"),
        "photos": list(turn.photos),
    })
    _ask_next(res, ctx)


def handle(res: StepResult, turn: Turn, parse: Parse | None, ctx: Context) -> bool:
    """Take the answer to the pending question; returns False if the message is not an answer."""
    slots: dict[str, Any] = res.state.setdefault("slots", {})
    step = res.state.get("step")
    entities = parse.entities if parse else {}
    slots["photos"] = slots.get("photos", []) + list(turn.photos)
    if turn.photos and not turn.text:
        res.say("photo_received")
        if step != "confirm":
            return True
    if step == "unit":
        units = ctx.owner.units if ctx.owner else ()
        unit = next((u for u in units if turn.button == f"unit:{u.id}"), None) or match_unit(turn.text, entities,
                                                                                            units)
        if unit is None:
            res.say("pick_unit", choices=tuple((u.label, f"unit:{u.id}") for u in units))
            return True
        slots["unit_id"] = unit.id
    elif step == "what":
        if not _describes(turn.text):
            res.say("ask_what")
            return True
        slots["description"] = turn.text.strip()
        if parse and parse.intent == "repair":
            slots["category"] = slots.get("category") or parse.category
            if parse.urgency == "high":
                slots["urgency"] = "high"
        slots["location"] = slots.get("location") or entities.get("location")
    elif step == "location":
        picked = (turn.button or "").removeprefix("loc:")
        slots["location"] = picked if picked in LOCATIONS else entities.get("location") or "other"
        if slots["location"] == "other" and turn.text and not picked:
            slots["description"] = f"{slots.get('description') or ''}（{turn.text.strip()}）"
    elif step == "appointment":
        slots["appointment"] = entities.get("appointment") or {"text": turn.text.strip() or "any"}
    elif step == "confirm":
        if turn.button == "yes" or keywords.YES.match(turn.text):
            _create(res, slots)
            return True
        if turn.button == "no" or keywords.NO.match(turn.text):
            res.state.pop("flow", None)
            res.say("cancelled")
            return True
        return False
    _ask_next(res, ctx)
    return True


def _ask_next(res: StepResult, ctx: Context) -> None:
    slots = res.state.setdefault("slots", {})
    units = ctx.owner.units if ctx.owner else ()
    if slots.get("unit_id") is None and units:
        res.state["step"] = "unit"
        res.say("pick_unit", choices=tuple((u.label, f"unit:{u.id}") for u in units))
    elif not slots.get("description"):
        res.state["step"] = "what"
        res.say("ask_what")
    elif not slots.get("location"):
        res.state["step"] = "location"
        res.say("ask_location", choices=tuple((f"loc_{loc}", f"loc:{loc}") for loc in LOCATIONS))
    elif not slots.get("appointment"):
        res.state["step"] = "appointment"
        res.say("ask_appointment", choices=(("appointment_any", "any"),))
    else:
        res.state["step"] = "confirm"
        unit = next((u for u in units if u.id == slots["unit_id"]), None)
        appt = slots["appointment"]
        res.say("confirm_summary", choices=(("confirm_yes", "yes"), ("confirm_no", "no")),
                unit=unit.label if unit else "", location=f"§loc_{slots['location']}",
                description=slots["description"], appointment=appt.get("text") or "§appointment_unset")


def _create(res: StepResult, slots: dict[str, Any]) -> None:
    appt = slots.get("appointment") or {}
    res.effects.append(CreateTicket(
        kind="repair", urgency=slots.get("urgency") or "normal", category=slots.get("category") or "other",
        location=slots.get("location"), description=slots.get("description") or "", unit_id=slots.get("unit_id"),
        appointment=appt if appt.get("start") else None, photos=tuple(slots.get("photos") or ()),
    ))
    res.say("repair_created")
    for key in ("flow", "step", "slots"):
        res.state.pop(key, None)
