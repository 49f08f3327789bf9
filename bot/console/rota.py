"""The on-call rota: who is on which layer now and next; supervisors and admins edit shifts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from backend import audit, dispatch
from backend.db import transaction
from backend.models import OnCallShift, Role, Staff
from backend.staff_notify import staff_channels
from bot.console import web
from bot.console.auth import Ctx, check_csrf, current, require

router = APIRouter(prefix="/rota")
LAYERS = (1, 2, 3)
SHOW_DAYS = 14


@router.get("", response_class=HTMLResponse)
def rota(request: Request, ctx: Annotated[Ctx, Depends(current)]) -> Response:
    """Now and next per layer, and the shifts of the coming two weeks."""
    with ctx.svc.sessions() as session:
        layers = []
        for layer in LAYERS:
            upcoming = session.scalars(select(OnCallShift).where(OnCallShift.layer == layer,
                                                                 OnCallShift.starts_at > ctx.now)
                                       .order_by(OnCallShift.starts_at).limit(1)).first()
            layers.append({"layer": layer, "now": dispatch.on_call(session, layer, ctx.now), "next": upcoming,
                           "next_staff": upcoming.staff if upcoming else None})
        shifts = list(session.scalars(select(OnCallShift).where(
            OnCallShift.ends_at > ctx.now, OnCallShift.starts_at < ctx.now + timedelta(days=SHOW_DAYS))
            .order_by(OnCallShift.starts_at, OnCallShift.layer)))
        staff = list(session.scalars(select(Staff).where(Staff.active.is_(True)).order_by(Staff.name)))
        names = {s.id: s.name for s in staff}
        return web.page("rota.html", ctx, request, layers=layers, shifts=shifts, staff=staff, names=names,
                        can_edit=ctx.at_least(Role.SUPERVISOR))


def _parse_local(ctx: Ctx, value: str) -> datetime:
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, "bad date") from None
    return naive.replace(tzinfo=ctx.svc.tz) if naive.tzinfo is None else naive


@router.post("/shifts", dependencies=[Depends(check_csrf)])
def add_shift(ctx: Annotated[Ctx, Depends(require(Role.SUPERVISOR))], layer: Annotated[int, Form()] = 1,
              staff_id: Annotated[int, Form()] = 0, starts_at: Annotated[str, Form()] = "",
              ends_at: Annotated[str, Form()] = "") -> Response:
    """Add a shift (times in the centre's timezone)."""
    start, end = _parse_local(ctx, starts_at), _parse_local(ctx, ends_at)
    if layer not in LAYERS or end <= start:
        return web.redirect("/console/rota", err="bad_shift")
    with transaction(ctx.svc.sessions) as session:
        staff = session.get(Staff, staff_id)
        if staff is None or not staff.active:
            return web.redirect("/console/rota", err="bad_shift")
        shift = OnCallShift(layer=layer, staff_id=staff.id, starts_at=start, ends_at=end)
        session.add(shift)
        session.flush()
        audit.record(session, "shift_added", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip,
                     target=f"shift:{shift.id}", layer=layer, staff_id=staff.id, starts_at=start.isoformat(),
                     ends_at=end.isoformat())
        unreachable = not staff_channels(staff, ctx.svc.channels)
    if unreachable:  # saved, but a page to this person would reach nobody: go and fix the contact
        return web.redirect("/console/staff-contacts", msg="saved", err="rota_unreachable", staff=str(staff_id))
    return web.redirect("/console/rota", msg="saved")


@router.post("/shifts/{shift_id}/delete", dependencies=[Depends(check_csrf)])
def remove_shift(shift_id: int, ctx: Annotated[Ctx, Depends(require(Role.SUPERVISOR))]) -> Response:
    """Remove a shift."""
    web.check_id(shift_id)
    with transaction(ctx.svc.sessions) as session:
        shift = session.get(OnCallShift, shift_id)
        if shift is None:
            raise HTTPException(404)
        audit.record(session, "shift_removed", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip,
                     target=f"shift:{shift.id}", layer=shift.layer, staff_id=shift.staff_id,
                     starts_at=shift.starts_at.isoformat())
        session.delete(shift)
    return web.redirect("/console/rota", msg="saved")
