"""Complaints: acknowledge with empathy, open the complaint ticket linked to the issue, offer a person.

Escalation (投诉上移制) is applied when the ticket is created; a complaint that reaches the developer's
department hands the conversation to staff (the runtime adds that handoff).
"""

from __future__ import annotations

from bot.dialogs.types import Context, CreateTicket, StepResult, TicketView, Turn
from bot.dialogs.units import match_unit
from nlu.types import Parse


def _related(ctx: Context, parse: Parse | None, unit_id: int | None) -> TicketView | None:
    """The owner's latest ticket with a known issue (category) on the same unit."""
    location = parse.entities.get("location") if parse else None
    candidates = [t for t in ctx.tickets if t.category and (unit_id is None or t.unit_id == unit_id)]
    if location:
        candidates = [t for t in candidates if t.location == location] or candidates
    return candidates[0] if candidates else None


def handle(res: StepResult, turn: Turn, parse: Parse | None, ctx: Context) -> None:
    """Open the complaint and acknowledge it."""
    units = ctx.owner.units if ctx.owner else ()
    unit = match_unit(turn.text, parse.entities if parse else {}, units) or (units[0] if len(units) == 1 else None)
    related = _related(ctx, parse, unit.id if unit else None)
    urgency = parse.urgency if parse and parse.urgency == "high" else "normal"
    res.effects.append(CreateTicket(
        kind="complaint", urgency=urgency, description=turn.text,
        category=related.category if related else None, location=related.location if related else None,
        unit_id=(related.unit_id if related else None) or (unit.id if unit else None),
        related_ticket_id=related.id if related else None,
    ))
    res.say("complaint_ack")
    res.say("offer_agent", choices=(("menu_agent", "menu:agent"),))
