"""Safety rule layer: danger words are never missed, negated ones never fire (docs/labels.md urgency rules)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu import lexicon as lx

_ZH_CLAUSE = re.compile(r"[，。！？,!?;；:：\s]")
_EN_CLAUSE = re.compile(r"[，。！？,!?;；.]")
_NOTICE = re.compile(r"通知|不提前|notice|no warning")


@dataclass(frozen=True)
class Danger:
    """A danger match: the category it implies and the matched text."""

    category: str
    text: str


def _negated(text: str, start: int, end: int, lang: str) -> bool:
    """True if a negation cue governs the match at ``text[start:end]``."""
    if lang == lx._ZH:
        # A long-reach match spanning clauses ("窗户没事 不会掉的"): the clause holding its verb decides.
        inner = max((m.end() for m in _ZH_CLAUSE.finditer(text, start, end)), default=0)
        if inner and (lx.NEG_ZH.search(text[inner:end]) or "不会" in text[inner:end]):
            return True
        cut = max((m.end() for m in _ZH_CLAUSE.finditer(text, 0, start)), default=0)
        before = text[max(cut, start - 6) : start]
        if lx.NEG_ZH.search(before):
            return True
        return bool(lx.POST_NEG_ZH.search(text[end:]))
    cut = max((m.end() for m in _EN_CLAUSE.finditer(text, 0, start)), default=0)
    words = text[cut:start].split()[-4:]
    return bool(lx.NEG_EN.search(" ".join(words))) or bool(lx.POST_NEG_EN.search(text[end:]))


def find_dangers(text: str) -> tuple[list[Danger], list[Danger]]:
    """Find danger terms in normalised text.

    Args:
        text: Normalised message (see :func:`nlu.normalize.normalize`).

    Returns:
        ``(positive, negated)`` matches. A night-time door failure counts as a ``door_window`` danger.
    """
    pos: list[Danger] = []
    neg: list[Danger] = []
    for cat, lang, rx in lx.COMPILED:
        for m in rx.finditer(text):
            (neg if _negated(text, m.start(), m.end(), lang) else pos).append(Danger(cat, m.group(0)))
    door = lx.DOOR_FAIL.search(text)
    if door and lx.NIGHT.search(text) and not lx.DAY.search(text):
        pos.append(Danger("door_window", door.group(0)))
    return pos, neg


def hob_fault(text: str) -> bool:
    """True for a hob that will not ignite (gas/high when there is no smell of gas)."""
    return bool(lx.HOB_FAIL.search(text))


def should_fire(text: str, model_intent: str) -> bool:
    """Whether a positive danger match should override the model's intent.

    A complaint about a past incident, a hypothetical question, or a cancellation keep their intent; anything
    with danger happening now becomes an emergency repair.
    """
    now = bool(lx.NOW.search(text))
    if model_intent == "complaint":
        return now or not (lx.PAST.search(text) or _NOTICE.search(text))
    if model_intent == "enquiry":
        return now or not (lx.HYPOTHETICAL.search(text) or lx.PAST.search(text))
    if model_intent == "other":
        return not lx.RESOLVED.search(text)
    return True


@dataclass(frozen=True)
class Decision:
    """What the rule layer decided: final labels; ``rule`` names the rule that changed the model's answer
    (None when the model already agreed); ``danger`` is True whenever a danger term fired."""

    intent: str
    urgency: str
    category: str | None
    rule: str | None = None
    danger: bool = False


def apply_rules(text: str, intent: str, urgency: str, category: str | None) -> Decision:
    """Combine model labels with the safety rules and the docs/labels.md consistency constraints.

    Args:
        text: Normalised message.
        intent: Model intent.
        urgency: Model urgency.
        category: Model repair category (ignored unless the final intent is ``repair``).

    Returns:
        The final decision; ``rule`` names the rule that changed the model's answer, if any.
    """
    pos, neg = find_dangers(text)
    if pos and should_fire(text, intent):
        cats = [d.category for d in pos]
        forced = next((c for c in lx.PRECEDENCE if c in cats), None)
        # The model's category stands unless it claims a precedence category the danger does not support.
        model_cat = None if category in lx.PRECEDENCE and category not in cats else category
        final_cat = forced or model_cat or cats[0]
        changed = intent != "repair" or urgency != "emergency" or final_cat != category
        return Decision("repair", "emergency", final_cat, "danger:" + pos[0].text if changed else None, True)
    if hob_fault(text) and intent in ("repair", "enquiry") and not lx.HYPOTHETICAL.search(text):
        changed = (intent, urgency, category) != ("repair", "high", "gas")
        return Decision("repair", "high", "gas", "hob" if changed else None)
    if intent in ("enquiry", "other"):
        return Decision(intent, "normal", None, "consistency" if urgency != "normal" else None)
    if intent == "complaint":
        if urgency == "emergency":
            return Decision(intent, "high", None, "consistency")
        return Decision(intent, urgency, None)
    if urgency == "emergency" and neg and not pos:
        return Decision(intent, "high", category, "negation")
    if urgency == "emergency" and lx.DOOR_FAIL.search(text) and lx.DAY.search(text) and not lx.NIGHT.search(text):
        return Decision(intent, "high", category, "daytime-door")
    return Decision(intent, urgency, category)
