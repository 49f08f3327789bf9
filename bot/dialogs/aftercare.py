"""After the work: the owner confirms a finished repair, then answers the callback survey (1-5 + comment).

The entry functions (:func:`enter_confirm`, :func:`enter_survey`) are how the bot starts these flows
from outside a turn (a sweep, a staff hand-back); their result is applied by ``bot.effects.apply``
like any step's.
"""

from __future__ import annotations

import re
from typing import Any

from bot.dialogs import keywords
from bot.dialogs.types import Context, OwnerConfirmation, StepResult, SurveyAnswer, Turn

SCORE = re.compile(r"^\s*([1-5])\s*(分|星|points?)?\s*$")
CONFIRM_CHOICES = (("confirm_ok", "confirm:yes"), ("confirm_not_ok", "confirm:no"))
SCORE_CHOICES = tuple((str(i), f"score:{i}") for i in range(1, 6))
KEEP = ("lang", "noticed")


def enter_confirm(state: dict[str, Any] | None, *, lang: str, ticket_id: int, ticket: str,
                  reminder: bool = False) -> StepResult:
    """Ask the owner whether the finished repair ``ticket`` is fixed (buttons: fixed / still a problem)."""
    st = {k: v for k, v in (state or {}).items() if k in KEEP}
    st.update(flow="confirm", step=None, ticket_id=ticket_id)
    res = StepResult(st, lang=lang)
    res.say("confirm_repair_reminder" if reminder else "confirm_repair_prompt", choices=CONFIRM_CHOICES,
            ticket=ticket)
    return res


def enter_survey(state: dict[str, Any] | None, *, lang: str, survey_id: int, ticket_id: int,
                 ticket: str) -> StepResult:
    """Start the callback survey for ``ticket`` (score buttons 1-5)."""
    st = {k: v for k, v in (state or {}).items() if k in KEEP}
    st.update(flow="survey", step="score", survey_id=survey_id, ticket_id=ticket_id)
    res = StepResult(st, lang=lang)
    res.say("survey_prompt", choices=SCORE_CHOICES, ticket=ticket)
    return res


def verdict(turn: Turn) -> bool | None:
    """True (fixed), False (still a problem) or None (not an answer)."""
    if turn.button == "confirm:yes":
        return True
    if turn.button == "confirm:no":
        return False
    if keywords.NOT_FIXED.search(turn.text) or keywords.NO.match(turn.text):
        return False
    if keywords.FIXED.search(turn.text) or keywords.YES.match(turn.text):
        return True
    return None


def handle_confirm(res: StepResult, turn: Turn, ctx: Context) -> bool:
    """Answer to "is it fixed?"; False when the message is something else."""
    ticket_id = res.state.get("ticket_id")
    if not isinstance(ticket_id, int):
        return False
    satisfied = verdict(turn)
    if satisfied is None:
        return False
    res.effects.append(OwnerConfirmation(ticket_id, satisfied, comment="" if satisfied else turn.text.strip()[:200]))
    res.say("confirm_thanks" if satisfied else "confirm_reopened")
    for key in ("flow", "step", "ticket_id"):
        res.state.pop(key, None)
    return True


def handle_survey(res: StepResult, turn: Turn, ctx: Context) -> bool:
    """Score, then optional comment; False when the message is not an answer."""
    st = res.state
    if not isinstance(st.get("survey_id"), int):
        return False
    if st.get("step") == "comment" and isinstance(st.get("score"), int):
        comment = None if keywords.NONE_WORDS.match(turn.text) else turn.text.strip() or None
        res.effects.append(SurveyAnswer(int(st["survey_id"]), int(st["score"]), comment))
        res.say("survey_low" if int(st["score"]) <= 2 else "survey_thanks")
        for key in ("flow", "step", "survey_id", "score", "ticket_id"):
            st.pop(key, None)
        return True
    m = SCORE.match((turn.button or "").removeprefix("score:") or turn.text)
    if m is None:
        if len(turn.text) > 12:  # a new request, not an answer
            return False
        res.say("survey_invalid", choices=SCORE_CHOICES)
        return True
    st.update(step="comment", score=int(m.group(1)))
    res.say("survey_comment")
    return True
