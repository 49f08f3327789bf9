"""Emergency: no questions first. Ticket, page, safety steps, the truth about who is coming; details afterwards.

The page carries what is known at once (bound unit or what a stranger wrote, a callback number, the
owner's words); whatever arrives later (address, phone, photo, location) is added to the ticket and sent
to the paged engineer as a page update. The owner is told "联系值班工程师中" until someone accepts;
:func:`enter_accepted` tells them who accepted when the page is acknowledged.
"""

from __future__ import annotations

import re
from typing import Any

from bot.dialogs import keywords
from bot.dialogs.types import AddDetails, Context, CreateTicket, PageOnCall, StepResult, Turn
from bot.dialogs.units import match_unit
from nlu.types import Parse

HAZARD_BY_CATEGORY = {"gas": "gas", "water": "water", "waterproofing": "water", "electrical": "electrical",
                      "lift": "lift"}
CREATED = "$created"
MAX_DETAIL_TURNS = 3


def _location_text(turn: Turn) -> str:
    if turn.location is None:
        return ""
    lat, lon, label = turn.location
    return f"{label} ({lat:.5f},{lon:.5f})".strip()


def _callback(turn: Turn, ctx: Context) -> str:
    """A number the engineer can call: a shared contact, a number typed, the SMS sender's own number."""
    return turn.contact_phone or keywords.find_phone(turn.text) or ctx.proven_phone or ""


def start(res: StepResult, turn: Turn, parse: Parse, ctx: Context) -> None:
    """Open the emergency ticket and page at once, then send safety steps and ask for what is missing."""
    owner = ctx.owner
    unit = None
    if owner is not None:
        unit = match_unit(turn.text, parse.entities, owner.units) or (owner.units[0] if len(owner.units) == 1
                                                                      else None)
    hazard = HAZARD_BY_CATEGORY.get(parse.category or "", "general")
    description = turn.text
    where = _location_text(turn)
    if where:
        description += f"\n[位置 location] {where}"
    callback = _callback(turn, ctx)
    address = where if unit is None else ""
    if unit is None and (parse.entities.get("unit") or {}).get("raw"):
        address = " ".join(x for x in (parse.entities["unit"]["raw"], where) if x)
    res.effects.append(CreateTicket(kind="repair", urgency="emergency", category=parse.category,
                                    location=parse.entities.get("location"), description=description,
                                    unit_id=unit.id if unit else None, photos=turn.photos,
                                    address=address, callback=callback))
    res.effects.append(PageOnCall(hazard=hazard))
    res.say(f"safety_{hazard}")
    res.say("emergency_dispatched")
    need_address = unit is None and not address
    need_phone = owner is None and not callback
    res.state.update(flow="emergency", step="details", ticket_id=CREATED, turns=0, category=parse.category,
                     need=[n for n, missing in (("address", need_address), ("phone", need_phone)) if missing])
    if need_address or need_phone:
        res.say("emergency_ask_address" if need_address else "emergency_ask_phone")
    elif not parse.entities.get("location"):
        res.say("emergency_ask_details")
    # the flow stays open: what the owner adds next goes to the ticket and the engineer


def same_incident(state: dict[str, Any], parse: Parse | None) -> bool:
    """True when an emergency report continues the one this conversation is already handling."""
    return (state.get("flow") == "emergency" and isinstance(state.get("ticket_id"), int) and parse is not None
            and HAZARD_BY_CATEGORY.get(parse.category or "", "general")
            == HAZARD_BY_CATEGORY.get(state.get("category") or "", "general"))


def _informative(turn: Turn, parse: Parse | None) -> bool:
    """Whether a message adds something for the engineer (not "谢谢", "好的", "ok")."""
    if turn.photos or turn.location or turn.contact_phone or keywords.find_phone(turn.text):
        return True
    if parse is not None and (parse.entities.get("unit") or parse.entities.get("location")):
        return True
    text = turn.text.strip()
    return len(text) >= 4 and not keywords.THANKS.search(text) and not keywords.YES.match(text)


def _done(st: dict[str, Any]) -> None:
    for key in ("flow", "step", "ticket_id", "turns", "need", "category"):
        st.pop(key, None)


def handle(res: StepResult, turn: Turn, parse: Parse | None, ctx: Context) -> bool:
    """Whatever the owner sends next (address, phone, photo, location) goes to the ticket and the engineer."""
    st = res.state
    ticket_id = st.get("ticket_id")
    if not isinstance(ticket_id, int):
        _done(st)
        return False
    if not _informative(turn, parse) or (
            parse is not None and parse.intent in ("complaint", "enquiry") and parse.confidence >= 0.8
            and not keywords.find_phone(turn.text) and not parse.entities.get("unit")):
        _done(st)
        return False  # a new request or a "thank you", not details
    entities = parse.entities if parse else {}
    unit = match_unit(turn.text, entities, ctx.owner.units) if ctx.owner else None
    text = turn.text
    where = _location_text(turn)
    if where:
        text += f"\n[位置 location] {where}"
    callback = turn.contact_phone or keywords.find_phone(turn.text) or ""
    if turn.contact_phone:
        text += f"\n[电话 phone] {turn.contact_phone}"
    rest = keywords.PHONE.sub("", turn.text).strip(" ，,。;；:：")
    looks_like_address = bool(entities.get("unit")) or (len(rest) >= 4 and any(c.isdigit() for c in rest)) \
        or bool(re.search(r"栋|幢|单元|号楼|室|小区|路|街|block|building|room|road|street", rest, re.I))
    address = "" if unit is not None else " ".join(x for x in (rest if looks_like_address else "", where) if x)
    res.effects.append(AddDetails(ticket_id, text=text, unit_id=unit.id if unit else None, photos=turn.photos,
                                  address=address, callback=callback, update_page=True))
    need = [n for n in st.get("need") or [] if not ((n == "address" and (address or unit)) or
                                                   (n == "phone" and callback))]
    st["need"] = need
    st["turns"] = int(st.get("turns") or 0) + 1
    if need and st["turns"] < MAX_DETAIL_TURNS:
        res.say("details_added")
        res.say("emergency_ask_address" if "address" in need else "emergency_ask_phone")
    else:
        res.say("details_added")
        _done(st)
    return True


def enter_accepted(state: dict[str, Any] | None, *, lang: str, ticket: str, engineer: str,
                   eta: str = "") -> StepResult:
    """The page was acknowledged: tell the owner who accepted (and when they expect to come)."""
    res = StepResult(dict(state or {}), lang=lang)
    if eta:
        res.say("emergency_accepted_eta", ticket=ticket, engineer=engineer, eta=eta)
    else:
        res.say("emergency_accepted", ticket=ticket, engineer=engineer)
    return res
