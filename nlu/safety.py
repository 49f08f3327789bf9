"""Safety rule layer: danger words are never missed, negated ones never fire (LABELS.md urgency rules)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu import lexicon as lx

_ZH_CLAUSE = re.compile(r"[，。！？,!?;；:：\s]")
_EN_CLAUSE = re.compile(r"[，。！？,!?;；.]")
_NOTICE = re.compile(r"通知|不提前|notice|no warning")


@dataclass(frozen=True)
class Danger:
    """A danger match: the category it implies, the matched text, whether its category beats the model's
    (described hazards), and its tense (see :func:`_tense`)."""

    category: str
    text: str
    strong: bool = False
    tense: str = "now"


_REACH = 60  # characters looked at around a match: bounded, so rules stay linear in the message length
_SENTENCE_END = re.compile(r"[。！？!?\n]|\.(?:\s|$)")


def _negated(text: str, start: int, end: int, lang: str) -> bool:
    """True if a negation cue governs the match at ``text[start:end]`` (looks at most ``_REACH`` chars around)."""
    lo = max(0, start - _REACH)
    after = text[end : end + _REACH]
    if lang == lx._ZH:
        # A long-reach match spanning clauses ("窗户没事 不会掉的"): the clause holding its verb decides.
        inner = max((m.end() for m in _ZH_CLAUSE.finditer(text, start, end)), default=0)
        if inner and (lx.NEG_ZH.search(text[inner:end]) or "不会" in text[inner:end]):
            return True
        cut = max((m.end() for m in _ZH_CLAUSE.finditer(text, lo, start)), default=lo)
        before = text[max(cut, start - 6) : start]
        if lx.NEG_ZH.search(before):
            return True
        return bool(lx.POST_NEG_ZH.search(after))
    cut = max((m.end() for m in _EN_CLAUSE.finditer(text, lo, start)), default=lo)
    words = text[cut:start].split()[-4:]
    return bool(lx.NEG_EN.search(" ".join(words))) or bool(lx.POST_NEG_EN.search(after))


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around ``text[start:end]``, at most ``_REACH`` characters either side."""
    lo = max(0, start - _REACH)
    cut = max((m.end() for m in _SENTENCE_END.finditer(text, lo, start)), default=lo)
    tail = _SENTENCE_END.search(text, end, end + _REACH)
    return text[cut : tail.start() if tail else end + _REACH]


def _tense(text: str, start: int, end: int) -> str:
    """``now`` (said to be happening now), ``hypothetical``, ``past`` (history or recurrence), ``recent``
    (yesterday...) or ``unmarked`` (nothing in the sentence says when)."""
    sent = _sentence(text, start, end)
    if lx.IMMINENT.search(text, start, end):
        return "now"
    # A condition or a fear just before the match governs it unless something after it says "now".
    lo = max(0, start - 24)
    cut = max((m.end() for m in _SENTENCE_END.finditer(text, lo, start)), default=lo)
    cond = next(reversed(list(lx.LOCAL_HYPOTHETICAL.finditer(text, cut, start))), None)
    if cond is not None and not lx.DANGER_NOW.search(text, cond.end(), end):
        return "hypothetical"
    if lx.DANGER_NOW.search(sent) or lx.ONGOING.search(sent):
        return "now"
    if lx.HYPOTHETICAL_DANGER.search(sent):
        return "hypothetical"
    if lx.PAST_DANGER.search(sent):
        return "past"
    if lx.SOFT_PAST.search(sent):
        return "recent"
    return "unmarked"


def find_dangers(text: str) -> tuple[list[Danger], list[Danger]]:
    """Find danger terms and described hazards in normalised text.

    Args:
        text: Normalised message (see :func:`nlu.normalize.normalize`).

    Returns:
        ``(positive, negated)`` matches, each with its tense. A night-time door failure counts as a
        ``door_window`` danger.
    """
    pos: list[Danger] = []
    neg: list[Danger] = []
    for strong, table in ((False, lx.COMPILED), (True, lx.COMPILED_DESCRIBED)):
        for cat, lang, rx in table:
            for m in rx.finditer(text):
                d = Danger(cat, m.group(0), strong, _tense(text, m.start(), m.end()))
                (neg if _negated(text, m.start(), m.end(), lang) else pos).append(d)
    if any(d.tense == "hypothetical" for d in pos) and lx.HARM_TO_PEOPLE.search(text):
        # Something overhead has started to come away now; only the harm to people below is conditional.
        detach = lx.DETACH_NOW.search(text)
        if detach and not _negated(text, detach.start(), detach.end(), lx._ZH):
            pos.append(Danger("wall_floor_ceiling", detach.group(0), False, "now"))
    door = lx.DOOR_FAIL.search(text)
    if door and lx.NIGHT.search(text) and not lx.DAY.search(text):
        pos.append(Danger("door_window", door.group(0)))
    return pos, neg


def hob_fault(text: str) -> bool:
    """True for a hob that will not ignite (gas/high when there is no smell of gas)."""
    return bool(lx.HOB_FAIL.search(text))


def should_fire(text: str, model_intent: str, dangers: list[Danger] | None = None) -> bool:
    """Whether positive danger matches should override the model's intent.

    A danger told in the past or as a recurring problem ("上次爆管", "经常困人"), a hypothetical question, or a
    cancellation keep their intent; anything with danger happening now becomes an emergency repair.
    """
    if dangers is None:
        dangers, _ = find_dangers(text)
    if model_intent == "other" and lx.RESOLVED.search(text):
        return False
    # In a complaint, an unmarked danger counts only when nothing in the whole message tells history.
    history = model_intent == "complaint" and bool(lx.PAST_DANGER.search(text) or lx.SOFT_PAST.search(text))
    for d in dangers:
        if d.tense == "unmarked" and history:
            continue
        if d.tense in ("now", "unmarked"):
            if model_intent == "complaint" and _NOTICE.search(text) and not lx.NOW.search(text):
                continue  # "停水也不提前通知": the complaint is the point, not a danger now
            if model_intent == "enquiry" and lx.HYPOTHETICAL.search(text) and not lx.NOW.search(text):
                continue
            return True
        if d.tense == "recent" and model_intent == "repair":
            return True
    return False


def needs_safety_check(text: str, urgency_probs: dict[str, float] | None = None,
                       dangers: list[Danger] | None = None) -> bool:
    """Whether a non-emergency message may still hide a danger the owner did not settle.

    True when a wording such as a heavy leak, a stopped lift, exposed wires, a burning smell, a crack or a loose
    overhead part appears, when a danger was told as recent/hypothetical, or when the urgency model gives an
    emergency a real chance (>= ``SAFETY_CHECK_MIN``).
    """
    if dangers and any(d.tense in ("recent", "hypothetical") for d in dangers):
        return True
    if urgency_probs and urgency_probs.get("emergency", 0.0) >= SAFETY_CHECK_MIN:
        return True
    return bool(lx.SAFETY_CHECK.search(text))


SAFETY_CHECK_MIN = 0.25


# Rules that only re-label (consistency, recurrence, lighting category): they do not raise the confidence.
SOFT_RULES = frozenset({"consistency", "recurring", "public-light"})


@dataclass(frozen=True)
class Decision:
    """What the rule layer decided: final labels; ``rule`` names the rule that changed the model's answer
    (None when the model already agreed); ``danger`` is True whenever a danger term fired."""

    intent: str
    urgency: str
    category: str | None
    rule: str | None = None
    danger: bool = False


def apply_rules(text: str, intent: str, urgency: str, category: str | None,
                found: tuple[list[Danger], list[Danger]] | None = None) -> Decision:
    """Combine model labels with the safety rules and the LABELS.md consistency constraints.

    Args:
        text: Normalised message.
        intent: Model intent.
        urgency: Model urgency.
        category: Model repair category (ignored unless the final intent is ``repair``).
        found: :func:`find_dangers` of ``text`` if the caller already has it.

    Returns:
        The final decision; ``rule`` names the rule that changed the model's answer, if any.
    """
    pos, neg = found if found is not None else find_dangers(text)
    if pos and should_fire(text, intent, pos):
        pos = [d for d in pos if d.tense in ("now", "unmarked", "recent")]
        cats = [d.category for d in pos]
        forced = next((c for c in lx.PRECEDENCE if c in cats), None)
        forced = forced or next((d.category for d in pos if d.strong), None)
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
    if urgency == "emergency" and not pos and lx.LOCAL_HYPOTHETICAL.search(text) and not lx.NOW.search(text):
        # The model alone read a fear ("生怕哪天整栋楼会坍塌") as an emergency: nothing is happening now.
        return Decision(intent, "high", category, "hypothetical")
    if urgency == "emergency" and pos and all(d.tense == "hypothetical" for d in pos):
        # "如果天花板掉下来砸到人怎么办": a worry, not a report; the bot asks the safety question instead.
        return Decision(intent, "high", category, "hypothetical")
    if urgency == "emergency" and lx.DOOR_FAIL.search(text) and lx.DAY.search(text) and not lx.NIGHT.search(text):
        return Decision(intent, "high", category, "daytime-door")
    if intent in ("repair", "enquiry") and urgency != "emergency" and lx.RECURRING_COMPLAINT.search(text):
        return Decision("complaint", "high" if urgency == "high" else "normal", None, "recurring")
    if category == "electrical" and lx.PUBLIC_LIGHT.search(text) and not lx.UNIT_LIGHT.search(text):
        # LABELS.md: corridor, garage and street lighting is public_area unless a spark/wire danger fired.
        return Decision(intent, urgency, "public_area", "public-light")
    return Decision(intent, urgency, category)
