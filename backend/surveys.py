"""Callback surveys (100% 回访): answers, low scores reopening as complaint follow-ups, coverage."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend import tickets
from backend.models import Kind, Status, Survey, SurveyStatus, Ticket, Urgency

LOW_SCORE = 2


def record_answer(
    session: Session, survey: Survey, *, score: int, comment: str | None, now: datetime, rules: tickets.ServiceRules
) -> Ticket | None:
    """Store the owner's score; the ticket moves to ``callback_done``.

    A score of 1-2 opens a complaint follow-up linked to the repair (it counts towards escalation)
    and returns it, so the caller can alert the supervisor.
    """
    if not 1 <= score <= 5:
        raise ValueError("score must be 1-5")
    survey.score, survey.comment, survey.status, survey.answered_at = score, comment, SurveyStatus.ANSWERED, now
    ticket = session.get(Ticket, survey.ticket_id)
    assert ticket is not None
    tickets.add_event(
        session, ticket, "survey_answered", at=now, actor="owner", score=score, comment=comment, method=survey.method
    )
    if ticket.status is Status.CLOSED:
        tickets.transition(session, ticket, Status.CALLBACK_DONE, now=now, actor="survey")
    if score > LOW_SCORE:
        return None
    follow_up = tickets.create_ticket(
        session,
        kind=Kind.COMPLAINT,
        urgency=Urgency.NORMAL,
        now=now,
        rules=rules,
        category=ticket.category,
        location=ticket.location,
        owner_id=ticket.owner_id,
        unit_id=ticket.unit_id,
        conversation_id=ticket.conversation_id,
        actor="survey",
        description=f"回访低分 {score}/5 (low survey score) for {ticket.number}: {comment or ''}".strip(),
    )
    follow_up.related_ticket_id = ticket.id
    tickets.add_event(session, ticket, "survey_low_score", at=now, follow_up=follow_up.number)
    return follow_up


def coverage(session: Session) -> tuple[int, int]:
    """(surveys answered or manually called, repairs closed with a survey owed)."""
    total = session.scalar(select(func.count()).select_from(Survey)) or 0
    done = session.scalar(
        select(func.count()).select_from(Survey).where(Survey.status.in_(("answered", "manual_done")))
    )
    return done or 0, total
