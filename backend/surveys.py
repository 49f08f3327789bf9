"""Callback surveys (100% 回访): answers, low scores reopening as complaint follow-ups, coverage."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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


# --- S16: 客户满意度 = 期望值 − 体验值; 体验值 = 反应度 + 信赖度 + 专业度 + 同理度 + 有形度 ----------------

DIMENSIONS = ("responsiveness", "reliability", "professionalism", "empathy", "tangibles")


def experience(dimensions: dict[str, int]) -> float:
    """The experience value: the mean of the five dimensions (1-5 scale)."""
    return sum(dimensions[d] for d in DIMENSIONS) / len(DIMENSIONS)


def record_dimensions(session: Session, survey: Survey, *, expectation: int, dimensions: dict[str, int],
                      now: datetime) -> float:
    """Store the owner's expectation and the five service dimensions (1-5 each); returns the gap.

    The gap is ``experience − expectation`` (DOMAIN.md S16 [R]): negative means the service fell short of
    what the owner expected, which is what the seed's formula measures with the opposite sign.
    """
    if set(dimensions) != set(DIMENSIONS):
        raise ValueError(f"give exactly the five dimensions {DIMENSIONS}")
    if not all(1 <= int(v) <= 5 for v in [expectation, *dimensions.values()]):
        raise ValueError("expectation and dimensions are 1-5")
    survey.expectation = int(expectation)
    survey.dimensions = {d: int(dimensions[d]) for d in DIMENSIONS}
    gap = round(experience(survey.dimensions) - survey.expectation, 2)
    ticket = session.get(Ticket, survey.ticket_id)
    if ticket is not None:
        tickets.add_event(session, ticket, "survey_dimensions", at=now, actor="owner", expectation=expectation,
                          gap=gap, **survey.dimensions)
    return gap


def gap_report(session: Session, *, start: datetime, end: datetime, tz: Any) -> list[dict[str, Any]]:
    """Per month of answer: surveys with dimensions, mean expectation, mean experience, mean gap, and the
    mean of each dimension (the weakest one is where service falls short)."""
    rows: dict[str, list[Survey]] = {}
    stmt = select(Survey).where(Survey.dimensions.is_not(None), Survey.expectation.is_not(None),
                                Survey.answered_at >= start, Survey.answered_at < end)
    for s in session.scalars(stmt):
        if s.answered_at is None:
            continue
        rows.setdefault(s.answered_at.astimezone(tz).strftime("%Y-%m"), []).append(s)
    out = []
    for month in sorted(rows):
        group = rows[month]
        n = len(group)
        exp = [experience(s.dimensions or {}) for s in group]
        row: dict[str, Any] = {"month": month, "surveys": n,
                               "expectation": round(sum(s.expectation or 0 for s in group) / n, 2),
                               "experience": round(sum(exp) / n, 2),
                               "gap": round(sum(e - (s.expectation or 0) for e, s in zip(exp, group, strict=True)) / n,
                                            2)}
        for d in DIMENSIONS:
            row[d] = round(sum((s.dimensions or {})[d] for s in group) / n, 2)
        out.append(row)
    return out


# --- S18: the satisfaction callback after signing (签约后的满意度回访) ---------------------------------

SIGNING_EVENT = "signing_survey"


def schedule_signing_surveys(session: Session, *, now: datetime, rules: tickets.ServiceRules, tz: Any,
                             after_days: int = 7, window_days: int = 60) -> int:
    """Owe one satisfaction survey to every buyer who signed ``after_days`` to ``window_days`` days ago.

    Each is carried by a closed enquiry ticket ("签约后满意度回访") so the normal survey sweep sends it
    (chat or voice, retry, manual call) and a low score opens a complaint follow-up. Once per ownership.
    Returns the number scheduled.
    """
    from datetime import timedelta

    from backend.models import Owner, Ownership

    today = now.astimezone(tz).date()
    rows = session.execute(
        select(Ownership.id, Ownership.owner_id, Ownership.unit_id).join(Owner, Owner.id == Ownership.owner_id)
        .where(Ownership.signed_on <= today - timedelta(days=after_days),
               Ownership.signed_on >= today - timedelta(days=window_days), Owner.deleted_at.is_(None))
        .order_by(Ownership.id)).all()
    if not rows:
        return 0
    from backend.models import TicketEvent

    done = {ev.get("ownership_id") for ev in session.scalars(
        select(TicketEvent.data).join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(TicketEvent.kind == SIGNING_EVENT, Ticket.owner_id.in_({r[1] for r in rows})))}
    added = 0
    for ownership_id, owner_id, unit_id in rows:
        if ownership_id in done:
            continue
        t = tickets.create_ticket(session, kind=Kind.ENQUIRY, now=now, rules=rules, owner_id=owner_id,
                                  unit_id=unit_id, description="签约后满意度回访 / satisfaction call after signing",
                                  actor="system")
        tickets.add_event(session, t, SIGNING_EVENT, at=now, ownership_id=ownership_id)
        tickets.transition(session, t, Status.CLOSED, now=now, note="survey carrier")
        session.add(Survey(ticket_id=t.id, owner_id=owner_id, due_at=now, created_at=now))
        added += 1
    session.flush()
    return added
