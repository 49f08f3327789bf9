"""Binding an unknown identity to an owner: phone, then unit, then a one-time code by SMS where possible.

A phone the channel proves (SMS sender, Telegram contact of the sender) needs no code.
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
    if owner is None:  # the owner record went away meanwhile
        start(res, ctx, st.get("stash"))
        return None
    if step == "unit":
        unit = next((u for u in owner.units if turn.button == f"unit:{u.id}"), None)
        unit = unit or match_unit(turn.text, parse.entities if parse else {}, owner.units)
        if unit is None:
            _retry(res, "unit_not_matched")
            return None
        st["unit_id"] = unit.id
        if st.get("proven") or not ctx.can_send_otp:
            return _bind(res, owner)
        st.update(step="otp", otp=_digest(ctx.otp_code), otp_expires=(ctx.now + OTP_TTL).isoformat(), tries=0)
        res.effects.append(SendOtp(owner.phone, ctx.otp_code))
        res.say("otp_sent", phone=mask_phone(owner.phone))
        return None
    if step == "otp":
        m = keywords.CODE.search(turn.text)
        try:
            expired = ctx.now > datetime.fromisoformat(st["otp_expires"])
        except (KeyError, TypeError, ValueError):  # a state without a live code: start again
            start(res, ctx, st.get("stash"))
            return None
        if m and not expired and _digest(m.group(1)) == st.get("otp"):
            return _bind(res, owner)
        st["tries"] = st.get("tries", 0) + 1
        if expired or st["tries"] >= MAX_TRIES:
            _fail(res)
        else:
            res.say("otp_wrong")
    return None


def _on_phone(res: StepResult, ctx: Context, phone: str, *, proven: bool) -> OwnerView | None:
    owner = ctx.find_owner_by_phone(phone)
    if owner is None:
        _retry(res, "phone_not_found")
        return None
    res.state.update(step="unit", phone=phone, proven=proven, tries=0)
    if len(owner.units) > 1:
        res.say("pick_unit", choices=tuple((u.label, f"unit:{u.id}") for u in owner.units))
    else:
        res.say("ask_unit")
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
    unit = next((u for u in owner.units if u.id == res.state.get("unit_id")), owner.units[0])
    res.effects.append(Bind(owner.id))
    res.say("bound", name=owner.name, unit=unit.label)
    for key in ("flow", "step", "otp", "otp_expires", "tries", "phone", "proven"):
        res.state.pop(key, None)
    return owner
