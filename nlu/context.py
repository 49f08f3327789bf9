"""Owner context for the NLU: a message that says an earlier ticket's problem is back or still unfixed is a
repeat (a complaint about that ticket); without history the text alone decides (LABELS.md)."""

from __future__ import annotations

import re

from nlu.types import OwnerContext, TicketRef

# "The problem is back / still not fixed": with a matching earlier ticket this makes a repeat (a complaint).
REPEAT = re.compile(
    r"又|还是|还在|仍然|依然|多次|再次|反复|一再|至今|到现在|一直(没|不|都)|还没(修|弄|处理|解决|好)|没修好|没弄好|没解决|"
    r"第[二三四五六七八九十\d]次|[两三四五六七八九十\d]次了|老问题|同样的问题|"
    r"\bagain\b|\bstill\b|keeps?|same (problem|issue|leak|fault)|not (been )?fixed|came back|back again|"
    r"once more|second time|third time|(two|three|several) times"
)


# Categories owners and staff confuse for the same problem (a repeat may be filed under either).
_RELATED = {"water": "wet", "fixtures": "wet", "waterproofing": "wet", "door_window": "shell",
            "wall_floor_ceiling": "shell"}


def repeat_of(context: OwnerContext | None, text: str, category: str | None) -> TicketRef | None:
    """The owner's earlier ticket that ``text`` says is back or still unfixed, if any.

    A ticket matches when it has the message's repair category (or a closely related one: water/fixtures/
    waterproofing, door_window/wall_floor_ceiling), or, the message's category unknown, when it is the owner's
    only open repair; a unit named in both must agree. Without a repeat wording nothing matches: history
    alone does not make a new fault a complaint.
    """
    if context is None or not context.tickets or not REPEAT.search(text):
        return None
    for t in context.tickets:
        if t.unit and context.unit and t.unit != context.unit:
            continue
        if category and t.category == category:
            return t
    for t in context.tickets:  # a sink leak filed as water and reported again as fixtures is the same problem
        if t.unit and context.unit and t.unit != context.unit:
            continue
        if category and t.category and _RELATED.get(category) == _RELATED.get(t.category, "-"):
            return t
    open_repairs = [t for t in context.tickets if t.status == "open" and t.category]
    if category is None and len(open_repairs) == 1:  # the category unknown: only an unambiguous open ticket
        return open_repairs[0]
    return None


def apply_context(context: OwnerContext | None, norm: str, intent: str, urgency: str,
                  category: str | None, hint: str | None = None) -> tuple[str, str, str | None, TicketRef | None]:
    """Final labels once the owner's history is known.

    Args:
        context: The owner's open/recent tickets (None: no change).
        norm: Normalised message.
        intent, urgency, category: Labels after the safety rules.
        hint: The model's repair-category guess, used to match tickets when ``category`` is None (a complaint).

    Returns:
        ``(intent, urgency, category, ticket)``: a repair or complaint that repeats ``ticket`` becomes a complaint
        (``high`` stays ``high``, otherwise ``normal``); emergencies are never changed.
    """
    if urgency == "emergency" or intent not in ("repair", "complaint"):
        return intent, urgency, category, None
    earlier = repeat_of(context, norm, (category if intent == "repair" else None) or hint)
    if earlier is None:
        return intent, urgency, category, None
    return "complaint", "high" if urgency == "high" else "normal", None, earlier
