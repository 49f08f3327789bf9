"""The dialog step: route one owner turn to the right flow and return the effects.

Order of precedence: emergencies (always first, in every mode, even mid-flow and for unbound identities),
commands (opt-out/in, person, help), the confirm question, cancellation, status questions, the flow in
progress, then the NLU intent (every request of a message that carries several).
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from bot.dialogs import aftercare, binding, complaint, emergency, enquiry, intake, keywords, tickets
from bot.dialogs.state import normalise
from bot.dialogs.types import Context, Handoff, OwnerView, SetMarketingConsent, StepResult, Turn
from nlu.lang import language_of
from nlu.types import Parse

LOW_CONFIDENCE_HANDOFF = 2


def choose_language(state: dict[str, Any], turn: Turn, parse: Parse | None, ctx: Context) -> str:
    """The owner's language: set by their words, never by digits, phone numbers or codes.

    A clear message (6+ characters with words) in the other language switches it; a bare number,
    phone or code keeps the language of the conversation (or of the owner record).
    """
    current = state.get("lang") or (ctx.owner.language if ctx.owner else None)
    text = turn.text.strip()
    detected = language_of(text) if text and keywords.has_words(text) else None
    if detected is None:
        return current or "zh"
    if current is None or (detected != current and len(text) >= 6):
        return detected
    return current


def _is_emergency(parse: Parse | None) -> bool:
    return parse is not None and parse.intent == "repair" and parse.urgency == "emergency"


def step(state: dict[str, Any] | None, turn: Turn, parse: Parse | None, ctx: Context) -> StepResult:
    """One dialog step: pure, returns the new state and the effects.

    Emergencies come first in every mode (waiting for or held by staff, mid-flow, unbound) and their
    safety steps go out before any notice. While a person holds or is about to take the conversation
    the bot says nothing else, except to add details to an emergency it opened.
    """
    st = copy.deepcopy(normalise(state))  # typed, versioned (bot/dialogs/state.py); never the caller's dict
    res = StepResult(st, lang=choose_language(st, turn, parse, ctx))
    st["lang"] = res.lang
    notice_due = not st.get("noticed")
    emergency_part = next((p for _t, p in turn.parts if _is_emergency(p)), None)
    if (_is_emergency(parse) or emergency_part is not None) and emergency.same_incident(st, parse or emergency_part):
        emergency.handle(res, turn, parse, ctx)
        return res
    if _is_emergency(parse) or emergency_part is not None:
        emergency.start(res, turn, parse if _is_emergency(parse) else emergency_part, ctx)  # type: ignore[arg-type]
        _notice(res, notice_due)
        return res
    if ctx.mode != "bot":
        if st.get("flow") == "emergency":
            emergency.handle(res, turn, parse, ctx)
        return res
    _notice(res, notice_due)
    if turn.event == "subscribe":
        _greet(res, ctx)
        return res
    if turn.kind in UNSUPPORTED_KINDS and not turn.text:
        res.say("unsupported_message")
        return res
    cmd = keywords.command(turn.text) if turn.text else None
    if turn.button == "menu:agent":
        cmd = "handoff"
    if cmd in ("opt_out", "opt_in"):
        res.effects.append(SetMarketingConsent(cmd == "opt_in", turn.text.strip()))
        res.say(cmd)
        return res
    if cmd == "handoff":
        _clear_flow(st)
        res.effects.append(Handoff("owner_asked"))
        res.say("handoff")
        return res
    if cmd == "help" and st.get("flow") not in ("survey", "confirm"):
        _clear_flow(st)
        _greet(res, ctx, key="help")
        return res
    flow = st.get("flow")
    if flow == "confirm" and _continue_flow(res, turn, parse, ctx):
        return res
    if turn.text and keywords.CANCEL.search(turn.text) and flow != "survey":
        _cancel(res, turn, ctx)
        return res
    if flow not in ("binding", "survey") and turn.text and not turn.button and _confirm_outside_flow(res, turn, ctx):
        return res
    if flow not in ("binding", "survey", "cancel") and turn.text and keywords.STATUS.search(turn.text) \
            and tickets.answer_status(res, ctx):
        if flow == "intake":
            intake.ask_again(res, ctx)
        return res
    if st.get("flow") and _continue_flow(res, turn, parse, ctx):
        return res
    _route(res, turn, parse, ctx)
    return res


UNSUPPORTED_KINDS = frozenset({"video", "file", "link", "sticker", "music", "unsupported", "other"})


def _notice(res: StepResult, due: bool) -> None:
    """The privacy notice, once per conversation (after any safety steps)."""
    if due:
        res.state["noticed"] = True
        res.say("privacy_notice")


def _cancel(res: StepResult, turn: Turn, ctx: Context) -> None:
    """"算了，不用了" / "不用来了，已经自己修好了": stop the flow and withdraw the ticket it is about."""
    st = res.state
    flow = st.get("flow")
    ticket_id = st.get("ticket_id") if flow == "emergency" else None
    _clear_flow(st)
    if flow in ("intake", "binding"):  # nothing was created yet
        res.say("cancelled")
        return
    if isinstance(ticket_id, int) and tickets.start_cancel(res, turn, ctx, only=ticket_id):
        return
    if not tickets.start_cancel(res, turn, ctx):
        res.say("cancelled")


def _confirm_outside_flow(res: StepResult, turn: Turn, ctx: Context) -> bool:
    """"修好了" / "还是漏，没修好" while a repair waits for the owner's confirmation, even without the question."""
    waiting = [t for t in ctx.tickets if t.status == "pending_owner_confirm"]
    if not waiting:
        return False
    if not (keywords.NOT_FIXED.search(turn.text) or keywords.FIXED_STRONG.search(turn.text)):
        return False
    res.state.update(flow="confirm", step=None, ticket_id=waiting[0].id)
    return aftercare.handle_confirm(res, turn, ctx)


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
    if flow == "cancel":
        return tickets.handle_cancel(res, turn, ctx)
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
    if len(turn.parts) > 1 and _route_parts(res, turn, ctx):
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
        if keywords.topic(turn.text) == "warranty":  # "空调不制冷，还在保修期吗": the question is answered too
            _needs_owner(res, turn, parse, ctx, _repair_and_warranty)
            return
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


def _repair_and_warranty(res: StepResult, turn: Turn, parse: Parse | None, ctx: Context) -> None:
    enquiry.handle(res, Turn(text=turn.text), ctx, topic="warranty", handoff=False)
    intake.start(res, turn, parse, ctx)


def _route_parts(res: StepResult, turn: Turn, ctx: Context) -> bool:
    """A message with several requests: answer every question, then take up the repair or complaint."""
    actions = [(text, p) for text, p in turn.parts if p is not None and p.intent in ("repair", "complaint")]
    questions = [(text, p) for text, p in turn.parts
                 if p is not None and (p.intent == "enquiry" or enquiry.needs_owner(text))
                 and (text, p) not in actions]
    if not actions or not questions:
        return False
    text, parse = actions[0]
    primary = Turn(text=turn.text, photos=turn.photos, location=turn.location, contact_phone=turn.contact_phone,
                   contact_is_sender=turn.contact_is_sender)

    personal = [(q, p) for q, p in questions if enquiry.needs_owner(q)]
    if ctx.owner is None:  # what anyone may know is answered at once; the rest after binding
        for q_text, _q in questions:
            if (q_text, _q) not in personal:
                enquiry.handle(res, Turn(text=q_text), ctx, handoff=False)

    def both(r: StepResult, _t: Turn, p: Parse | None, c: Context) -> None:
        for q_text, _q in questions if ctx.owner is not None else personal:
            enquiry.handle(r, Turn(text=q_text), c, handoff=False)
        (intake.start if parse.intent == "repair" else complaint.handle)(r, primary, parse, c)

    _needs_owner(res, primary, parse, ctx, both)
    return True


def _topic_fallback(text: str, parse: Parse, ctx: Context) -> Parse:
    """Menu-like requests the model may file under ``other`` or doubt: "我的工单", "我要报修", "保修期"."""
    if parse.intent in ("other", "enquiry") and enquiry.needs_owner(text):
        return replace(parse, intent="enquiry", confidence=max(parse.confidence, ctx.low_confidence))
    if (parse.intent == "other" or parse.confidence < 0.7) and keywords.REPAIR_REQUEST.match(text):
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


def _greet(res: StepResult, ctx: Context, key: str = "greeting") -> None:
    name = f"，{ctx.owner.name}" if ctx.owner and res.lang == "zh" else (f", {ctx.owner.name}" if ctx.owner else "")
    res.say(key, name=name, choices=(("menu_repair", "menu:repair"), ("menu_tickets", "menu:tickets"),
                                            ("menu_agent", "menu:agent")))


def _clear_flow(st: dict[str, Any]) -> None:
    for key in ("flow", "step", "slots", "stash", "tries", "otp", "otp_expires", "phone", "proven", "unit_id",
                "ticket_id", "survey_id", "score", "misses", "reason", "turns", "need", "category"):
        st.pop(key, None)
