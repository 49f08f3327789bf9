"""Emergency: no questions first. Ticket, page, safety steps, who is coming; details afterwards."""

from __future__ import annotations

from bot.dialogs.types import AddDetails, Context, CreateTicket, PageOnCall, StepResult, Turn
from bot.dialogs.units import match_unit
from nlu.types import Parse

HAZARD_BY_CATEGORY = {"gas": "gas", "water": "water", "waterproofing": "water", "electrical": "electrical",
                      "lift": "lift"}
CREATED = "$created"


def start(res: StepResult, turn: Turn, parse: Parse, ctx: Context) -> None:
    """Open the emergency ticket and page at once, then send safety steps and ask for what is missing."""
    owner = ctx.owner
    unit = None
    if owner is not None:
        unit = match_unit(turn.text, parse.entities, owner.units) or (owner.units[0] if len(owner.units) == 1
                                                                      else None)
    hazard = HAZARD_BY_CATEGORY.get(parse.category or "", "general")
    description = turn.text
    if turn.location is not None:
        lat, lon, label = turn.location
        description += f"\n[位置 location] {label} ({lat:.5f},{lon:.5f})"
    res.effects.append(CreateTicket(kind="repair", urgency="emergency", category=parse.category,
                                    location=parse.entities.get("location"), description=description,
                                    unit_id=unit.id if unit else None, photos=turn.photos))
    res.effects.append(PageOnCall(hazard=hazard))
    res.say(f"safety_{hazard}")
    res.say("emergency_dispatched")
    res.state.update(flow="emergency", step="details", ticket_id=CREATED)
    if owner is None or unit is None:
        res.say("emergency_ask_address")
    elif not parse.entities.get("location"):
        res.say("emergency_ask_details")
    else:
        res.state.pop("flow")


def handle(res: StepResult, turn: Turn, parse: Parse | None, ctx: Context) -> bool:
    """Whatever the owner sends next (address, phone, photo) is added to the emergency ticket."""
    ticket_id = res.state.get("ticket_id")
    for key in ("flow", "step", "ticket_id"):
        res.state.pop(key, None)
    if not isinstance(ticket_id, int):
        return False
    unit = match_unit(turn.text, parse.entities if parse else {}, ctx.owner.units) if ctx.owner else None
    text = turn.text
    if turn.location is not None:
        text += f"\n[位置 location] {turn.location[2]} ({turn.location[0]:.5f},{turn.location[1]:.5f})"
    if turn.contact_phone:
        text += f"\n[电话 phone] {turn.contact_phone}"
    res.effects.append(AddDetails(ticket_id, text=text, unit_id=unit.id if unit else None, photos=turn.photos))
    res.say("details_added")
    return True
