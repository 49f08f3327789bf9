"""After the work: the owner confirms a finished repair, then answers the callback survey (1-5 + comment)."""

from __future__ import annotations

import re

from bot.dialogs import keywords
from bot.dialogs.types import Context, OwnerConfirmation, StepResult, SurveyAnswer, Turn

SCORE = re.compile(r"^\s*([1-5])\s*(分|星|points?)?\s*$")


def handle_confirm(res: StepResult, turn: Turn, ctx: Context) -> bool:
    """Answer to "is it fixed?"; False when the message is something else."""
    ticket_id = res.state.get("ticket_id")
    if not isinstance(ticket_id, int):
        return False
    if turn.button == "confirm:yes" or keywords.YES.match(turn.text):
        satisfied = True
    elif turn.button == "confirm:no" or keywords.NO.search(turn.text):
        satisfied = False
    else:
        return False
    res.effects.append(OwnerConfirmation(ticket_id, satisfied))
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
        res.say("survey_invalid", choices=tuple((str(i), f"score:{i}") for i in range(1, 6)))
        return True
    st.update(step="comment", score=int(m.group(1)))
    res.say("survey_comment")
    return True
