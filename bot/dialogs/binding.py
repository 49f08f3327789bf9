"""Binding an unknown identity to an owner without revealing who is an owner.

- A phone the channel proves (SMS sender, Telegram contact of the sender): then the unit, no code.
- Otherwise, where SMS is available: a one-time code "to that number if it is registered" (sent only
  when it is, and not beyond the per-phone throttle); the reply is the same either way, and units are
  shown only after the code is verified.
- Without SMS: the unit is asked as free text for every number (the same reply whether or not the
  number is registered) and must match the owner's records.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from backend.phones import mask_phone
from bot.dialogs import keywords
from bot.dialogs.types import Bind, Context, Handoff, OwnerView, SendOtp, StepResult, Turn
from bot.dialogs.units import match_unit
from nlu.types import Parse

MAX_TRIES = 3
OTP_TTL = timedelta(minutes=10)
MAX_SENDS = 3  # codes one conversation may request


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def start(res: StepResult, ctx: Context, stash: dict[str, Any] | None) -> None:
    """Begin binding; ``stash`` is the request to resume once the owner is known."""
    res.state.update(flow="binding", step="phone", stash=stash, tries=0)
    if ctx.proven_phone:
        _on_phone(res, ctx, ctx.proven_phone, proven=True)
        return
    res.say("ask_phone", request_contact=True)


def handle(res: StepResult, turn: Turn, parse: Parse | None, ctx: Context) -> OwnerView | None:
    """Answer to a binding question; returns the owner once bound (the caller resumes the stash)."""
    st = res.state
    step = st.get("step")
    if step == "phone":
        phone = turn.contact_phone or next(iter((parse.entities.get("phones") if parse else None) or []), None)
        phone = keywords.find_phone(phone or turn.text)
        if phone is None:
            _retry(res, "phone_invalid")
            return None
        return _on_phone(res, ctx, phone, proven=bool(turn.contact_phone and turn.contact_is_sender))
    owner = ctx.find_owner_by_phone(st.get("phone", ""))
    if step == "unit":
        units = owner.units if owner else ()
        unit = next((u for u in units if turn.button == f"unit:{u.id}"), None)
        unit = unit or match_unit(turn.text, parse.entities if parse else {}, units)
        if unit is None or owner is None:
            _retry(res, "unit_not_matched")
            return None
        st["unit_id"] = unit.id
        return _bind(res, owner)
    if step == "otp":
        m = keywords.CODE.search(turn.text)
        try:
            expired = ctx.now > datetime.fromisoformat(st["otp_expires"])
        except (KeyError, TypeError, ValueError):  # a state without a live code: start again
            start(res, ctx, st.get("stash"))
            return None
        if m and not expired and owner is not None and st.get("otp") and _digest(m.group(1)) == st.get("otp"):
            return _bind(res, owner)
        st["tries"] = st.get("tries", 0) + 1
        if expired or st["tries"] >= MAX_TRIES:
            _fail(res)
        else:
            res.say("otp_wrong")
    return None


def _on_phone(res: StepResult, ctx: Context, phone: str, *, proven: bool) -> OwnerView | None:
    owner = ctx.find_owner_by_phone(phone)
    st = res.state
    if proven:
        if owner is None:
            _retry(res, "phone_not_found")
            return None
        st.update(step="unit", phone=phone, proven=True, tries=0)
        if len(owner.units) > 1:
            res.say("pick_unit", choices=tuple((u.label, f"unit:{u.id}") for u in owner.units))
        else:
            res.say("ask_unit")
        return None
    if not ctx.can_send_otp:  # the unit is the second factor, asked the same way for every number
        st.update(step="unit", phone=phone, proven=False, tries=0)
        res.say("ask_unit")
        return None
    sends = int(st.get("sends") or 0)
    st.update(step="otp", phone=phone, proven=False, tries=0, otp=None,
              otp_expires=(ctx.now + OTP_TTL).isoformat(), sends=sends + 1)
    if owner is not None and sends < MAX_SENDS and ctx.can_send_otp_to(owner.phone):
        st["otp"] = _digest(ctx.otp_code)
        res.effects.append(SendOtp(owner.phone, ctx.otp_code))
    res.say("otp_sent_if_registered", phone=mask_phone(phone))
    return None


def _retry(res: StepResult, key: str) -> None:
    res.state["tries"] = res.state.get("tries", 0) + 1
    if res.state["tries"] >= MAX_TRIES:
        _fail(res)
    else:
        res.say(key, request_contact=res.state.get("step") == "phone")


def _fail(res: StepResult) -> None:
    res.say("otp_failed")
    res.effects.append(Handoff("binding_failed"))
    for key in ("flow", "step", "otp", "otp_expires", "tries"):
        res.state.pop(key, None)


def _bind(res: StepResult, owner: OwnerView) -> OwnerView:
    unit = next((u for u in owner.units if u.id == res.state.get("unit_id")), None)
    if unit is None and len(owner.units) > 1:
        res.effects.append(Bind(owner.id))
        res.say("bound_several", name=owner.name, count=len(owner.units))
        for key in ("flow", "step", "otp", "otp_expires", "tries", "phone", "proven", "sends"):
            res.state.pop(key, None)
        return owner
    unit = unit or owner.units[0]
    res.effects.append(Bind(owner.id))
    res.say("bound", name=owner.name, unit=unit.label)
    for key in ("flow", "step", "otp", "otp_expires", "tries", "phone", "proven", "sends"):
        res.state.pop(key, None)
    return owner
