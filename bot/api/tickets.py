"""Ticket endpoints: list with filters, one ticket with its timeline, and changes under the service rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import Kind, Staff, Status, Ticket, Urgency
from backend.queries import MAX_ID, MAX_PAGE, TicketFilter, TicketRow, get_ticket_row, list_tickets, resolve_project
from backend.queries import ticket_timeline as load_timeline
from backend.tickets import RuleViolation, add_event, assign, confirm_by_owner, transition
from bot.api.deps import NO_NUL, NowDep, RulesDep, SessionDep
from bot.api.schemas import ErrorOut, TicketDetail, TicketEventOut, TicketPage, TicketPatch, TicketSummary

ACTOR = "api"
router = APIRouter(prefix="/tickets", tags=["tickets"])
NumberPath = Annotated[str, Path(max_length=24, pattern=r"^[A-Za-z0-9-]+$", description="Ticket number",
                                  examples=["AJ-20261127-0042"])]


def summary(row: TicketRow) -> TicketSummary:
    """The listing form of a ticket row."""
    t = row.ticket
    return TicketSummary(
        number=t.number, kind=t.kind, urgency=t.urgency, category=t.category, location=t.location,
        status=t.status, level=t.level, owner_id=t.owner_id, owner_name=row.owner_name,
        unit_label=row.unit_label, project_code=row.project_code, created_at=t.created_at,
        contact_due_at=t.contact_due_at, overdue=row.overdue, repair_attempts=t.repair_attempts,
        complaint_count=t.complaint_count, assignee_id=t.assignee_id,
    )


def detail(session: Session, row: TicketRow) -> TicketDetail:
    """The full form of a ticket row, with its timeline."""
    t = row.ticket
    related = session.scalar(select(Ticket.number).where(Ticket.id == t.related_ticket_id)) \
        if t.related_ticket_id else None
    events = [TicketEventOut(at=e.at, kind=e.kind, actor=e.actor, data=e.data)
              for e in load_timeline(session, t.id)]
    return TicketDetail(
        **summary(row).model_dump(), description=t.description, advisor_id=t.advisor_id,
        first_contact_owner_id=t.first_contact_owner_id, responsible_party=t.responsible_party,
        related_ticket_number=related, engineer_contact_due_at=t.engineer_contact_due_at,
        first_contacted_at=t.first_contacted_at, appointment_start=t.appointment_start,
        appointment_end=t.appointment_end, owner_confirmed_at=t.owner_confirmed_at, closed_at=t.closed_at,
        updated_at=t.updated_at, timeline=events,
    )


def _not_found(number: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"ticket {number} not found")


@router.get("", summary="List tickets", response_model=TicketPage)
def get_tickets(
    session: SessionDep,
    now: NowDep,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    kind: Kind | None = None,
    urgency: Urgency | None = None,
    project: Annotated[str | None, Query(max_length=32, pattern=NO_NUL, description="Project id or code")] = None,
    advisor: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Staff id of the owner's advisor")] = None,
    overdue: Annotated[bool | None, Query(description="Only (true) or no (false) overdue tickets")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> TicketPage:
    """Tickets matching all the given filters, newest first.

    *Overdue* means first contact is still owed and its deadline (`contact_due_at`) has passed.
    """
    project_id = None
    if project is not None:
        found = resolve_project(session, project)
        if found is None:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"unknown project {project!r}")
        project_id = found.id
    flt = TicketFilter(status=status_, kind=kind, urgency=urgency, project_id=project_id, advisor_id=advisor,
                       overdue=overdue, limit=limit, offset=offset)
    rows, total = list_tickets(session, flt, now=now)
    return TicketPage(items=[summary(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/{number}", summary="Get a ticket and its timeline", response_model=TicketDetail,
            responses={404: {"model": ErrorOut}})
def get_ticket(number: NumberPath, session: SessionDep, now: NowDep) -> TicketDetail:
    """One ticket with every event of its timeline, oldest first."""
    row = get_ticket_row(session, number, now=now)
    if row is None:
        raise _not_found(number)
    return detail(session, row)


@router.patch(
    "/{number}",
    summary="Change a ticket",
    response_model=TicketDetail,
    responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut, "description": "A service rule forbids it"},
               422: {"description": "Bad body, or unknown staff member"}},
)
def patch_ticket(number: NumberPath, body: TicketPatch, session: SessionDep, now: NowDep,
                 rules: RulesDep) -> TicketDetail:
    """Assign, record the owner's confirmation, move the status on, or add a note, in that order.

    Everything goes through the service rules and lands on the timeline with actor `api`. A repair
    closes only with the owner's confirmation (`owner_confirmation.satisfied = true` closes it; `false`
    reopens it as another attempt, which may escalate). A rule violation is a 409 and changes nothing.
    """
    fields = body.model_fields_set
    if not fields:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "nothing to change: the body is empty")
    ticket = session.scalars(select(Ticket).where(Ticket.number == number).with_for_update()).first()
    if ticket is None:
        raise _not_found(number)
    try:
        if "assignee_id" in fields and body.assignee_id != ticket.assignee_id:
            if body.assignee_id is not None:
                staff = session.get(Staff, body.assignee_id)
                if staff is None or not staff.active:
                    raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                                        f"unknown or inactive staff member {body.assignee_id}")
            assign(session, ticket, body.assignee_id, now=now, actor=ACTOR)
        if body.owner_confirmation is not None:
            oc = body.owner_confirmation
            confirm_by_owner(session, ticket, satisfied=oc.satisfied, now=now, rules=rules, actor=ACTOR,
                             comment=oc.comment)
        if body.status is not None and body.status is not ticket.status:
            transition(session, ticket, body.status, now=now, actor=ACTOR, note=body.note or "")
        elif body.note:
            add_event(session, ticket, "note", at=now, actor=ACTOR, text=body.note)
        session.commit()
    except RuleViolation as exc:
        session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    row = get_ticket_row(session, number, now=now)
    if row is None:  # pragma: no cover - deleted concurrently
        raise _not_found(number)
    return detail(session, row)
