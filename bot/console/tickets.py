"""The ticket board (filters, live SLA countdown, overdue in red), the ticket page and its actions."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import audit, queries, tickets
from backend.db import transaction
from backend.models import DispatchPage, Kind, Project, Role, Staff, Status, Ticket, Urgency
from bot.console import web
from bot.console.auth import Ctx, check_csrf, current, require
from bot.console.views import can_see_ticket

router = APIRouter(prefix="/tickets")
CSRF = [Depends(check_csrf)]
PAGE = 50


def _enum(cls: Any, value: str | None) -> Any:
    try:
        return cls(value) if value else None
    except ValueError:
        raise HTTPException(400, f"bad filter value {value!r}") from None


def _filter(ctx: Ctx, params: dict[str, str], limit: int = PAGE) -> queries.TicketFilter:
    advisor = params.get("advisor") or ""
    if not ctx.at_least(Role.SUPERVISOR):
        advisor = str(ctx.staff_id)  # agents: the owners they advise
    overdue = {"1": True, "0": False}.get(params.get("overdue") or "")
    project = params.get("project") or ""
    offset = int(params["offset"]) if (params.get("offset") or "").isdigit() else 0
    return queries.TicketFilter(
        status=_enum(Status, params.get("status")), kind=_enum(Kind, params.get("kind")),
        urgency=_enum(Urgency, params.get("urgency")), project_id=int(project) if project.isdigit() else None,
        advisor_id=int(advisor) if advisor.isdigit() else None, overdue=overdue, limit=limit, offset=offset)


def _choices(session: Session) -> dict[str, Any]:
    return {"statuses": list(Status), "kinds": list(Kind), "urgencies": list(Urgency),
            "projects": list(session.scalars(select(Project).order_by(Project.code))),
            "staff": list(session.scalars(select(Staff).where(Staff.active.is_(True)).order_by(Staff.name)))}


@router.get("", response_class=HTMLResponse)
def board(request: Request, ctx: Annotated[Ctx, Depends(current)]) -> Response:
    """Tickets with filters (status, kind, urgency, project, advisor, overdue)."""
    params = dict(request.query_params)
    flt = _filter(ctx, params)
    with ctx.svc.sessions() as session:
        rows, total = queries.list_tickets(session, flt, now=ctx.now)
        next_url = None
        if total > flt.offset + len(rows):
            next_url = "/console/tickets?" + urlencode({**params, "offset": str(flt.offset + len(rows))})
        return web.page("tickets.html", ctx, request, rows=rows, total=total, params=params, flt=flt,
                        next_url=next_url, **_choices(session))


@router.get("/export.csv")
def export(request: Request, ctx: Annotated[Ctx, Depends(require(Role.SUPERVISOR))]) -> Response:
    """The filtered tickets as CSV (audited as a data export; phone numbers are not included)."""
    flt = _filter(ctx, dict(request.query_params), limit=queries.MAX_PAGE)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["number", "kind", "status", "urgency", "level", "project", "unit", "owner", "created_at",
                     "contact_due_at", "overdue"])
    with transaction(ctx.svc.sessions) as session:
        rows, total = queries.list_tickets(session, flt, now=ctx.now)
        for r in rows:
            t = r.ticket
            writer.writerow([t.number, t.kind.value, t.status.value, t.urgency.value, t.level.value,
                             r.project_code or "", r.unit_label or "", _cell(r.owner_name or ""),
                             t.created_at.isoformat(), t.contact_due_at.isoformat() if t.contact_due_at else "",
                             int(r.overdue)])
        audit.record(session, "export", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip, target="tickets.csv",
                     rows=len(rows), total=total, filters={k: v for k, v in request.query_params.items()})
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="tickets.csv"', "Cache-Control": "no-store"})


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas in exported text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _ticket(session: Session, ctx: Ctx, number: str) -> Ticket:
    ticket = session.scalars(select(Ticket).where(Ticket.number == number)).first()
    if ticket is None:
        raise HTTPException(404)
    if not can_see_ticket(ctx, ticket):
        raise HTTPException(403)
    return ticket


@router.get("/{number}", response_class=HTMLResponse)
def ticket_page(number: str, request: Request, ctx: Annotated[Ctx, Depends(current)]) -> Response:
    """The ticket with its whole timeline, dispatch pages and the actions the rules allow."""
    with ctx.svc.sessions() as session:
        ticket = _ticket(session, ctx, number)
        row = queries.get_ticket_row(session, number, now=ctx.now)
        pages = list(session.scalars(select(DispatchPage).where(DispatchPage.ticket_id == ticket.id)
                                     .order_by(DispatchPage.sent_at)))
        names = {i: n for i, n in session.execute(select(Staff.id, Staff.name))}
        return web.page("ticket.html", ctx, request, ticket=ticket, row=row,
                        timeline=queries.ticket_timeline(session, ticket.id), pages=pages, names=names,
                        overdue=tickets.is_overdue(ticket, ctx.now), **_choices(session))


@router.post("/{number}/status", dependencies=CSRF)
def change_status(number: str, ctx: Annotated[Ctx, Depends(current)], status: Annotated[str, Form()] = "",
                  note: Annotated[str, Form()] = "") -> Response:
    """Move the ticket along its lifecycle (the rules in backend/tickets.py decide)."""
    target = _enum(Status, status)
    with transaction(ctx.svc.sessions) as session:
        ticket = _ticket(session, ctx, number)
        before = ticket.status.value
        try:
            tickets.transition(session, ticket, target, now=ctx.now, actor=ctx.actor, note=note.strip()[:500])
        except tickets.RuleViolation as exc:
            session.rollback()
            return _back(number, err="rule_violation", detail=str(exc))
        audit.record(session, "status_change", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip,
                     target=f"ticket:{number}", **{"from": before, "to": target.value})
    _publish(ctx, ticket)
    return _back(number, msg="saved")


@router.post("/{number}/confirm", dependencies=CSRF)
def owner_confirmation(number: str, ctx: Annotated[Ctx, Depends(current)],
                       satisfied: Annotated[str, Form()] = "") -> Response:
    """Record the owner's verdict given by phone or in chat: close (and schedule the survey) or reopen."""
    with transaction(ctx.svc.sessions) as session:
        ticket = _ticket(session, ctx, number)
        try:
            tickets.confirm_by_owner(session, ticket, satisfied=satisfied == "1", now=ctx.now, rules=ctx.svc.rules,
                                     actor=ctx.actor, comment="recorded by staff")
        except tickets.RuleViolation as exc:
            session.rollback()
            return _back(number, err="rule_violation", detail=str(exc))
        audit.record(session, "owner_confirmation", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip,
                     target=f"ticket:{number}", satisfied=satisfied == "1", status=ticket.status.value)
    _publish(ctx, ticket)
    return _back(number, msg="saved")


@router.post("/{number}/assign", dependencies=CSRF)
def assign(number: str, ctx: Annotated[Ctx, Depends(current)], staff_id: Annotated[str, Form()] = "") -> Response:
    """Set the assignee."""
    with transaction(ctx.svc.sessions) as session:
        ticket = _ticket(session, ctx, number)
        assignee = session.get(Staff, int(staff_id)) if staff_id.isdigit() else None
        if staff_id and (assignee is None or not assignee.active):
            raise HTTPException(400, "unknown staff member")
        tickets.assign(session, ticket, assignee.id if assignee else None, now=ctx.now, actor=ctx.actor)
        audit.record(session, "assign", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip, target=f"ticket:{number}",
                     assignee_id=assignee.id if assignee else None)
    _publish(ctx, ticket)
    return _back(number, msg="saved")


def _publish(ctx: Ctx, ticket: Ticket) -> None:
    ctx.svc.broker.publish({"type": "ticket", "ticket": ticket.number, "status": ticket.status.value})


def _back(number: str, **query: str) -> Response:
    return web.redirect(f"/console/tickets/{number}", **query)
