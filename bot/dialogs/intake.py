"""Repair intake: ask only for what is missing (unit, what, where, when), confirm, create the ticket.

Every answer is understood again, not taken by position: a correction ("不对，是主卧不是次卧") updates
the slot it names whatever the pending question; only a plausible value fills a slot (a time for the
visit window, a unit for the address); a miss is asked again differently, a second miss goes to a person.
Cancellations, emergencies and commands are handled by the engine before the flow sees the message.
"""

from __future__ import annotations

import re
from typing import Any

from bot.dialogs import enquiry, keywords
from bot.dialogs.types import Context, CreateTicket, Handoff, StepResult, Turn
from bot.dialogs.units import match_unit
from nlu.entities import extract_location
from nlu.types import Parse

LOCATIONS = ("bathroom", "kitchen", "living_room", "bedroom", "balcony", "other")
BEDROOMS = {"master_bedroom", "second_bedroom", "bedroom"}
VAGUE = {"报修", "维修", "我要报修", "修东西", "repair", "report a repair", "fix"}
MAX_MISSES = 2
_DENIED = re.compile(r"(而)?不是|\bnot( the| in the)?\b", re.I)
_DENIED_SPAN = re.compile(r"(?:而不是|不是|\bnot(?: the| in the| in)?\b)\s*[^，,。；;\s是]{1,8}", re.I)


def _describes(text: str) -> bool:
    return len(text.strip()) >= 4 and text.strip().lower() not in VAGUE


def corrected_location(text: str, entities: dict[str, Any]) -> str | None:
    """The location a message asserts, ignoring the ones it denies ("是主卧不是次卧" -> master_bedroom)."""
    if _DENIED.search(text):
        kept = _DENIED_SPAN.sub(" ", text)
        return extract_location(kept)
    return entities.get("location")


def start(res: StepResult, turn: Turn, parse: Parse | None, ctx: Context) -> None:
    """Begin an intake from the owner's first message."""
    entities = parse.entities if parse else {}
    units = ctx.owner.units if ctx.owner else ()
    unit = match_unit(turn.text, entities, units) or (units[0] if len(units) == 1 else None)
    res.state.update(flow="intake", step=None, misses=0, slots={
        "category": parse.category if parse and parse.intent == "repair" else None,
        "urgency": parse.urgency if parse and parse.intent == "repair" else "normal",
        "description": turn.text.strip() if _describes(turn.text) else None,
        "location": corrected_location(turn.text, entities),
        "unit_id": unit.id if unit else None,
        "appointment": entities.get("appointment"),
        "photos": list(turn.photos),
    })
    _ask_next(res, ctx)


def _corrections(slots: dict[str, Any], turn: Turn, parse: Parse | None, ctx: Context, step: str | None) -> bool:
    """Apply what the message says about any slot (not only the pending one); True when something changed."""
    if not turn.text:
        return False
    entities = parse.entities if parse else {}
    changed = False
    location = corrected_location(turn.text, entities)
    if location and location != slots.get("location") and (step in ("location", "confirm", "appointment", "what")
                                                             or keywords.CORRECTION.search(turn.text)):
        slots["location"] = location
        changed = True
    units = ctx.owner.units if ctx.owner else ()
    if len(units) > 1 and step != "unit":
        unit = match_unit(turn.text, entities, units)
        if unit is not None and unit.id != slots.get("unit_id"):
            slots["unit_id"] = unit.id
            changed = True
    appointment = entities.get("appointment")
    if appointment and step != "appointment" and appointment != slots.get("appointment"):
        slots["appointment"] = appointment
        changed = True
    return changed


def handle(res: StepResult, turn: Turn, parse: Parse | None, ctx: Context) -> bool:
    """Take the answer to the pending question; returns False if the message is a new request instead."""
    slots: dict[str, Any] = res.state.setdefault("slots", {})
    step = res.state.get("step")
    entities = parse.entities if parse else {}
    slots["photos"] = slots.get("photos", []) + list(turn.photos)
    if turn.photos and not turn.text:
        res.say("photo_received")
        if step != "confirm":
            return True
    if turn.button and turn.button.startswith("menu:"):
        return False
    changed = _corrections(slots, turn, parse, ctx, step)
    if not changed and parse is not None and parse.confidence >= ctx.low_confidence and not turn.button:
        if parse.intent == "complaint" and step != "what":
            return False  # a new request interrupts: the engine routes it
        if parse.intent == "enquiry" and not _answers(step, turn, parse, ctx):
            enquiry.handle(res, turn, ctx, handoff=False)
            ask_again(res, ctx)
            return True
    if step == "unit":
        units = ctx.owner.units if ctx.owner else ()
        unit = next((u for u in units if turn.button == f"unit:{u.id}"), None) or match_unit(turn.text, entities,
                                                                                            units)
        if unit is None:
            return _miss(res, ctx)
        slots["unit_id"] = unit.id
    elif step == "what":
        if changed and keywords.CORRECTION.search(turn.text):
            pass  # "不对，是厨房" answers where, not what
        elif not _describes(turn.text):
            return _miss(res, ctx)
        else:
            slots["description"] = turn.text.strip()
            if parse and parse.intent == "repair":
                slots["category"] = slots.get("category") or parse.category
                if parse.urgency == "high":
                    slots["urgency"] = "high"
            slots["location"] = slots.get("location") or corrected_location(turn.text, entities)
    elif step == "location":
        picked = (turn.button or "").removeprefix("loc:")
        if picked in LOCATIONS:
            slots["location"] = picked
        elif not changed:
            if not turn.text or len(turn.text.strip()) < 2 or keywords.plausible_time(turn.text):
                return _miss(res, ctx)
            slots["location"] = "other"  # described in words: kept with the description
            slots["description"] = f"{slots.get('description') or ''}（{turn.text.strip()}）"
    elif step == "appointment":
        if turn.button == "any" or keywords.ANY_TIME.match(turn.text):
            slots["appointment"] = {"text": turn.text.strip() or "any"}
        elif entities.get("appointment"):
            slots["appointment"] = entities["appointment"]
        elif keywords.plausible_time(turn.text):
            slots["appointment"] = {"text": turn.text.strip()}
        elif not changed:
            return _miss(res, ctx)
    elif step == "confirm":
        if turn.button == "yes" or keywords.YES.match(turn.text):
            _create(res, slots)
            return True
        if turn.button == "no" or (keywords.NO.match(turn.text) and not changed):
            for key in ("flow", "step", "slots", "misses"):
                res.state.pop(key, None)
            res.say("cancelled")
            return True
        if not changed:
            return _miss(res, ctx)
    res.state["misses"] = 0
    _ask_next(res, ctx)
    return True


def _answers(step: str | None, turn: Turn, parse: Parse, ctx: Context) -> bool:
    """True when the message plausibly answers the pending question (so an enquiry label is not trusted)."""
    if step == "appointment":
        return bool(parse.entities.get("appointment")) or keywords.plausible_time(turn.text)
    if step == "unit":
        return match_unit(turn.text, parse.entities, ctx.owner.units if ctx.owner else ()) is not None
    if step == "location":
        return bool(parse.entities.get("location"))
    return step == "what" and not turn.text.rstrip().endswith(("?", "？", "吗"))


def _miss(res: StepResult, ctx: Context) -> bool:
    """Not an answer: ask again differently once, then hand over to a person."""
    misses = int(res.state.get("misses") or 0) + 1
    res.state["misses"] = misses
    if misses >= MAX_MISSES:
        for key in ("flow", "step", "slots", "misses"):
            res.state.pop(key, None)
        res.effects.append(Handoff("intake_not_understood"))
        res.say("handoff")
        return True
    ask_again(res, ctx, differently=True)
    return True


def ask_again(res: StepResult, ctx: Context, *, differently: bool = False) -> None:
    """Repeat the pending question (in other words when ``differently``)."""
    _ask_next(res, ctx, again=differently)


def _ask_next(res: StepResult, ctx: Context, *, again: bool = False) -> None:
    slots = res.state.setdefault("slots", {})
    units = ctx.owner.units if ctx.owner else ()
    suffix = "_again" if again else ""
    if slots.get("unit_id") is None and units:
        res.state["step"] = "unit"
        res.say("pick_unit" + suffix, choices=tuple((u.label, f"unit:{u.id}") for u in units))
    elif not slots.get("description"):
        res.state["step"] = "what"
        res.say("ask_what" + suffix)
    elif not slots.get("location"):
        res.state["step"] = "location"
        res.say("ask_location" + suffix, choices=tuple((f"loc_{loc}", f"loc:{loc}") for loc in LOCATIONS))
    elif not slots.get("appointment"):
        res.state["step"] = "appointment"
        res.say("ask_appointment" + suffix, choices=(("appointment_any", "any"),))
    else:
        res.state["step"] = "confirm"
        unit = next((u for u in units if u.id == slots["unit_id"]), None)
        appt = slots["appointment"]
        if again:
            res.say("confirm_again")
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
    for key in ("flow", "step", "slots", "misses"):
        res.state.pop(key, None)
