"""Enquiries answered from data: my tickets, my handover date, project progress, warranty, then the FAQ."""

from __future__ import annotations

from bot.dialogs import keywords
from bot.dialogs.types import Context, Handoff, StepResult, Turn

PERSONAL = frozenset({"tickets", "handover", "progress", "warranty"})


def needs_owner(text: str, button: str | None = None) -> bool:
    """True when answering needs a verified owner."""
    return button == "menu:tickets" or keywords.topic(text) in PERSONAL


def handle(res: StepResult, turn: Turn, ctx: Context, *, topic: str | None = None, handoff: bool = True) -> None:
    """Answer the question, or hand over to a person when we cannot (``handoff=False``: only say so)."""
    topic = topic or ("tickets" if turn.button == "menu:tickets" else keywords.topic(turn.text))
    owner = ctx.owner
    if topic == "tickets" and owner is not None:
        if not ctx.tickets:
            res.say("tickets_none")
            return
        lines = "\n".join(
            f"{t.number} §kind_{t.kind} {'§loc_' + t.location if t.location else ''} — §status_{t.status}"
            for t in ctx.tickets[:5]
        )
        res.say("tickets_list", lines=lines)
        return
    if topic == "handover" and owner is not None:
        for unit in owner.units:
            if unit.handover_on:
                res.say("handover_date", unit=unit.label, date=unit.handover_on.isoformat())
            else:
                res.say("handover_planned", unit=unit.label)
        return
    answer = ctx.enquiry_answer(topic, owner, turn.text, res.lang)
    if answer is not None:
        key, params = answer
        res.say(key, **params)
        return
    res.say("enquiry_unknown")
    if handoff:
        res.effects.append(Handoff("unknown_enquiry"))
