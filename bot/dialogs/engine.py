"""The dialog step: route one owner turn to the right flow and return the effects.

Order of precedence: commands (opt-out, person), emergencies (always first, even mid-flow and for
unbound identities), cancellation, the flow in progress, then the NLU intent.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from bot.dialogs import aftercare, binding, complaint, emergency, enquiry, intake, keywords
from bot.dialogs.types import Context, Handoff, OwnerView, SetMarketingConsent, StepResult, Turn
from nlu.types import Parse

LOW_CONFIDENCE_HANDOFF = 2


def choose_language(state: dict[str, Any], turn: Turn, parse: Parse | None, ctx: Context) -> str:
    """The owner's language; a clear message (6+ characters) in the other language switches it."""
    current = state.get("lang") or (ctx.owner.language if ctx.owner else None)
    if parse is not None and (current is None or (parse.lang != current and len(turn.text.strip()) >= 6)):
        return parse.lang
    return current or "zh"


def step(state: dict[str, Any] | None, turn: Turn, parse: Parse | None, ctx: Context) -> StepResult:
    """One dialog step: pure, returns the new state and the effects."""
    st = copy.deepcopy(state or {})
    res = StepResult(st, lang=choose_language(st, turn, parse, ctx))
    st["lang"] = res.lang
    if not st.get("noticed"):
        st["noticed"] = True
        res.say("privacy_notice")
    if turn.event == "subscribe":
        _greet(res, ctx)
        return res
    cmd = keywords.command(turn.text) if turn.text else None
    if turn.button == "menu:agent":
        cmd = "handoff"
    if cmd in ("opt_out", "opt_in"):
        res.effects.append(SetMarketingConsent(cmd == "opt_in", turn.text.strip()))
        res.say(cmd)
        return res
    if parse is not None and parse.intent == "repair" and parse.urgency == "emergency":
        emergency.start(res, turn, parse, ctx)
        return res
    if cmd == "handoff":
        _clear_flow(st)
        res.effects.append(Handoff("owner_asked"))
        res.say("handoff")
        return res
    if st.get("flow") and turn.text and keywords.CANCEL.search(turn.text) and st["flow"] != "survey":
        _clear_flow(st)
        res.say("cancelled")
        return res
    if st.get("flow") and _continue_flow(res, turn, parse, ctx):
        return res
    _route(res, turn, parse, ctx)
    return res


def _continue_flow(res: StepResult, turn: Turn, parse: Parse | None, ctx: Context) -> bool:
    flow = res.state["flow"]
    if flow == "binding":
        owner = binding.handle(res, turn, parse, ctx)
        if owner is not None:
            _resume(res, owner, ctx)
        return True
    if flow == "intake":
        return intake.handle(res, turn, parse, ctx)
    if flow == "emergency":
        return emergency.handle(res, turn, parse, ctx)
    if flow == "confirm":
        return aftercare.handle_confirm(res, turn, ctx)
    if flow == "survey":
        return aftercare.handle_survey(res, turn, ctx)
    _clear_flow(res.state)
    return False


def _route(res: StepResult, turn: Turn, parse: Parse | None, ctx: Context) -> None:
    st = res.state
    _clear_flow(st)
    if turn.button == "menu:repair":
        _needs_owner(res, turn, parse, ctx, intake.start)
        return
    if turn.button == "menu:tickets":
        _needs_owner(res, turn, parse, ctx, lambda r, t, _p, c: enquiry.handle(r, t, c))
        return
    if parse is None:  # a photo or location with nothing to attach it to
        if turn.photos:
            _needs_owner(res, turn, parse, ctx, intake.start)
        else:
            _greet(res, ctx)
        return
    parse = _topic_fallback(turn.text, parse, ctx)
    if parse.intent != "other" and parse.confidence < ctx.low_confidence:
        st["low_conf"] = st.get("low_conf", 0) + 1
        if st["low_conf"] >= LOW_CONFIDENCE_HANDOFF:
            st["low_conf"] = 0
            res.effects.append(Handoff("low_confidence"))
            res.say("handoff")
        else:
            res.say("low_confidence", choices=(("menu_repair", "menu:repair"), ("menu_agent", "menu:agent")))
        return
    st["low_conf"] = 0
    if parse.intent == "repair":
        _needs_owner(res, turn, parse, ctx, intake.start)
    elif parse.intent == "complaint":
        _needs_owner(res, turn, parse, ctx, complaint.handle)
    elif parse.intent == "enquiry":
        if enquiry.needs_owner(turn.text):
            _needs_owner(res, turn, parse, ctx, lambda r, t, _p, c: enquiry.handle(r, t, c))
        else:
            enquiry.handle(res, turn, ctx)
    elif keywords.THANKS.search(turn.text):
        res.say("thanks_reply")
    elif keywords.GREETING.match(turn.text):
        _greet(res, ctx)
    elif turn.text and keywords.CANCEL.search(turn.text):
        res.say("cancelled")
    else:
        res.say("ack_reply")


def _topic_fallback(text: str, parse: Parse, ctx: Context) -> Parse:
    """Menu-like requests the model may file under ``other`` or doubt: "我的工单", "我要报修", "保修期"."""
    if parse.intent in ("other", "enquiry") and enquiry.needs_owner(text):
        return replace(parse, intent="enquiry", confidence=max(parse.confidence, ctx.low_confidence))
    if parse.intent == "other" and keywords.REPAIR_REQUEST.match(text):
        return replace(parse, intent="repair", category=None, confidence=max(parse.confidence, ctx.low_confidence))
    return parse


def _needs_owner(res: StepResult, turn: Turn, parse: Parse | None, ctx: Context, handler: Any) -> None:
    """Run ``handler`` for a bound owner; otherwise bind first and keep the request to resume."""
    if ctx.owner is not None:
        handler(res, turn, parse, ctx)
        return
    res.say("need_binding")
    stash = {"text": turn.text, "button": turn.button, "photos": list(turn.photos),
             "parse": parse.to_dict() if parse else None}
    binding.start(res, ctx, stash)


def _resume(res: StepResult, owner: OwnerView, ctx: Context) -> None:
    """After binding, carry on with what the owner asked for in the first place."""
    stash = res.state.pop("stash", None) or {}
    ctx.owner = owner
    parse_dict = stash.get("parse")
    parse = Parse(**parse_dict) if parse_dict else None
    turn = Turn(text=stash.get("text", ""), button=stash.get("button"), photos=tuple(stash.get("photos", ())))
    if turn.text or turn.button or turn.photos:
        _route(res, turn, parse, ctx)


def _greet(res: StepResult, ctx: Context) -> None:
    name = f"，{ctx.owner.name}" if ctx.owner and res.lang == "zh" else (f", {ctx.owner.name}" if ctx.owner else "")
    res.say("greeting", name=name, choices=(("menu_repair", "menu:repair"), ("menu_tickets", "menu:tickets"),
                                            ("menu_agent", "menu:agent")))


def _clear_flow(st: dict[str, Any]) -> None:
    for key in ("flow", "step", "slots", "stash", "tries", "otp", "otp_expires", "phone", "proven", "unit_id",
                "ticket_id", "survey_id", "score"):
        st.pop(key, None)
