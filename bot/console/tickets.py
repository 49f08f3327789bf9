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

from backend import audit, dispatch, queries, tickets
from backend.db import transaction
from backend.models import Kind, Project, Role, Staff, Status, Ticket, Urgency
from backend.outbox import Priority
from backend.reports import csv_cell
from backend.staff_notify import notify_staff
from bot.console import dispatch_view, web
from bot.console.auth import Ctx, check_csrf, current, require
from bot.console.i18n import translate
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
    return queries.TicketFilter(
        status=_enum(Status, params.get("status")), kind=_enum(Kind, params.get("kind")),
        urgency=_enum(Urgency, params.get("urgency")), project_id=web.int_or_none(params.get("project")),
        advisor_id=web.int_or_none(advisor), overdue=overdue, limit=limit,
        offset=min(web.int_or_none(params.get("offset")) or 0, 10**6))


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
            writer.writerow([csv_cell(v) for v in (
                t.number, t.kind.value, t.status.value, t.urgency.value, t.level.value, r.project_code or "",
                r.unit_label or "", r.owner_name or "", t.created_at.isoformat(),
                t.contact_due_at.isoformat() if t.contact_due_at else "", int(r.overdue))])
        audit.record(session, "export", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip, target="tickets.csv",
                     rows=len(rows), total=total, filters={k: v for k, v in request.query_params.items()})
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="tickets.csv"', "Cache-Control": "no-store"})


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
        pages = dispatch_view.page_rows(session, [ticket])
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
                       satisfied: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "") -> Response:
    """Record the owner's verdict given by phone: close (and schedule the survey) or reopen.

    Only for a ticket that is waiting for the owner's confirmation (the owner has been asked), and only with
    a note of the call: "closed on the owner's word" must be traceable. Closing earlier is
    :func:`close_override` (supervisors, with a written reason).
    """
    note = note.strip()[:500]
    with transaction(ctx.svc.sessions) as session:
        ticket = _ticket(session, ctx, number)
        if ticket.status is not Status.PENDING_OWNER_CONFIRM:
            return _back(number, err="confirm_needs_pending")
        if not note:
            return _back(number, err="note_required")
        try:
            tickets.confirm_by_owner(session, ticket, satisfied=satisfied == "1", now=ctx.now, rules=ctx.svc.rules,
                                     actor=ctx.actor, comment=note)
        except tickets.RuleViolation as exc:
            session.rollback()
            return _back(number, err="rule_violation", detail=str(exc))
        tickets.add_event(session, ticket, "confirmed_by_phone", at=ctx.now, actor=ctx.actor,
                          satisfied=satisfied == "1")
        audit.record(session, "owner_confirmation", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip,
                     target=f"ticket:{number}", satisfied=satisfied == "1", status=ticket.status.value, via="phone")
    _publish(ctx, ticket)
    return _back(number, msg="saved")


MIN_OVERRIDE_REASON = 10


@router.post("/{number}/close-override", dependencies=CSRF)
def close_override(number: str, ctx: Annotated[Ctx, Depends(require(Role.SUPERVISOR))],
                   reason: Annotated[str, Form()] = "") -> Response:
    """A supervisor closes a worked-on repair without the owner's confirmation (e.g. the owner cannot be
    reached for weeks): a written reason is required; :func:`backend.tickets.close_with_override` records it on
    the timeline and in the audit log and still schedules the callback survey."""
    reason = reason.strip()[:500]
    if len(reason) < MIN_OVERRIDE_REASON:
        return _back(number, err="override_reason_required")
    with transaction(ctx.svc.sessions) as session:
        ticket = _ticket(session, ctx, number)
        staff = ctx.staff(session)
        try:  # the one rule (backend.tickets): supervisors only, a worked-on ticket, audited, survey still due
            tickets.close_with_override(session, ticket, staff=staff, reason=reason, now=ctx.now, rules=ctx.svc.rules)
        except tickets.RuleViolation:
            return _back(number, err="ticket_not_open")
    _publish(ctx, ticket)
    return _back(number, msg="saved")


@router.post("/{number}/assign", dependencies=CSRF)
def assign(number: str, ctx: Annotated[Ctx, Depends(current)], staff_id: Annotated[str, Form()] = "") -> Response:
    """Set the assignee."""
    with transaction(ctx.svc.sessions) as session:
        ticket = _ticket(session, ctx, number)
        wanted = web.int_or_none(staff_id)
        assignee = session.get(Staff, wanted) if wanted is not None else None
        if staff_id and (assignee is None or not assignee.active):
            raise HTTPException(400, "unknown staff member")
        before = ticket.assignee_id
        tickets.assign(session, ticket, assignee.id if assignee else None, now=ctx.now, actor=ctx.actor)
        notified = 0
        if assignee is not None and assignee.id != before and assignee.id != ctx.staff_id:
            notified = _notify_assignee(session, ctx, ticket, assignee)
        audit.record(session, "assign", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip, target=f"ticket:{number}",
                     assignee_id=assignee.id if assignee else None, notified=notified)
    _publish(ctx, ticket)
    return _back(number, msg="saved")


def _notify_assignee(session: Session, ctx: Ctx, ticket: Ticket, assignee: Staff) -> int:
    """Tell the new assignee on their first reachable channel (no owner phone in the text)."""
    url = f"{ctx.svc.settings.public_url.rstrip('/')}/console/tickets/{ticket.number}"
    text = translate("assigned_notice", assignee.language, number=ticket.number,
                     kind=translate("kind_" + ticket.kind.value, assignee.language), url=url)
    sent = notify_staff(session, [assignee], text=text, now=ctx.now, enabled=ctx.svc.channels, ticket_id=ticket.id,
                        priority=Priority.URGENT if ticket.urgency is Urgency.EMERGENCY else Priority.NOTICE,
                        dedupe=f"assigned:{ticket.id}:{{staff}}:{ctx.now.isoformat()}")
    return len(sent)


@router.post("/{number}/pages/{page_id}/ack", dependencies=CSRF)
def ack_on_behalf(number: str, page_id: int, ctx: Annotated[Ctx, Depends(current)],
                  note: Annotated[str, Form()] = "", back: Annotated[str, Form()] = "") -> Response:
    """Acknowledge an open page for the engineer (reached by phone, or the emergency is handled): escalation
    stops. A note saying why is required; audited."""
    web.check_id(page_id)
    note = note.strip()[:500]
    target = _back_to(back, number)
    if not note:
        return web.redirect(target, err="note_required")
    with transaction(ctx.svc.sessions) as session:
        ticket = _ticket(session, ctx, number)
        pg = dispatch_view.acknowledge_on_behalf(session, ticket, page_id, now=ctx.now, actor=ctx.actor, note=note)
        if pg is None:
            return web.redirect(target, err="page_not_open")
        audit.record(session, "page_ack_on_behalf", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip,
                     target=f"ticket:{number}", page_id=page_id, layer=pg.layer, engineer_id=pg.staff_id, note=note)
    _publish(ctx, ticket)
    return web.redirect(target, msg="saved")


@router.post("/{number}/repage", dependencies=CSRF)
def repage(number: str, request: Request, ctx: Annotated[Ctx, Depends(current)],
           layer: Annotated[str, Form()] = "1", back: Annotated[str, Form()] = "") -> Response:
    """Page the on-call engineer again (from layer 1 unless told otherwise); audited."""
    layer_ = web.int_or_none(layer) or 1
    target = _back_to(back, number)
    if not 1 <= layer_ <= dispatch.MAX_LAYER:
        raise HTTPException(400, "bad layer")
    with transaction(ctx.svc.sessions) as session:
        ticket = _ticket(session, ctx, number)
        if ticket.status not in tickets.OPEN_STATUSES:
            return web.redirect(target, err="ticket_not_open")
        pg = dispatch_view.repage(session, ticket, now=ctx.now, actor=ctx.actor, layer=layer_,
                                  ack_after=ctx.svc.ack_after, text=ctx.svc.page_text,
                                  enabled_channels=ctx.svc.channels)
        audit.record(session, "repage", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip, target=f"ticket:{number}",
                     layer=layer_, page_id=pg.id if pg else None)
    worker = getattr(request.app.state, "worker", None)
    if worker is not None:
        worker.wake_outbox()
    _publish(ctx, ticket)
    return web.redirect(target, msg="saved" if pg else "", err="" if pg else "nobody_on_call")


def _back_to(back: str, number: str) -> str:
    """Return to the conversation the action came from, else the ticket."""
    if back.startswith("/console/conversations/") and back[23:].isascii() and back[23:].isdigit():
        return back
    return f"/console/tickets/{number}"


def _publish(ctx: Ctx, ticket: Ticket) -> None:
    ctx.svc.broker.publish({"type": "ticket", "ticket": ticket.number, "status": ticket.status.value})


def _back(number: str, **query: str) -> Response:
    return web.redirect(f"/console/tickets/{number}", **query)
