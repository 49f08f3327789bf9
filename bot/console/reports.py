"""Service reports (satisfaction, timeliness, SLA, escalations, survey coverage) and PIPL requests.

Supervisors and admins only; every CSV download and data export is an audited export.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from backend import audit, pipl, reports
from backend.db import transaction
from backend.models import Owner, Role
from bot.console import web
from bot.console.auth import Ctx, check_csrf, require

router = APIRouter()
SUPERVISOR = Depends(require(Role.SUPERVISOR))
REPORTS = ("satisfaction", "complaint-timeliness", "first-contact-sla", "escalations", "survey-coverage")
MAX_OWNER_ID = 2**31 - 1


def _period(ctx: Ctx, start: str | None, end: str | None) -> tuple[date, date]:
    today = ctx.now.astimezone(ctx.svc.tz).date()
    try:
        return (date.fromisoformat(start) if start else date(today.year, 1, 1),
                date.fromisoformat(end) if end else today)
    except ValueError:
        raise HTTPException(400, "dates must be YYYY-MM-DD") from None


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, ctx: Annotated[Ctx, SUPERVISOR], start: str | None = None,
                 end: str | None = None) -> Response:
    """All five reports for a period, with a satisfaction chart."""
    first, last = _period(ctx, start, end)
    with ctx.svc.sessions() as session:
        tables = {name: reports.run(session, name, start=first, end=last, tz=ctx.svc.tz, now=ctx.now)
                  for name in REPORTS}
    satisfaction = tables["satisfaction"]
    chart = reports.bar_chart_svg(satisfaction, label="month", value="avg_score", title="satisfaction",
                                  max_value=5) if satisfaction else ""
    return web.page("reports.html", ctx, request, tables=tables, chart=Markup(chart), start=first.isoformat(),
                    end=last.isoformat())


@router.get("/reports/{name}.csv")
def report_csv(name: str, ctx: Annotated[Ctx, SUPERVISOR], start: str | None = None,
               end: str | None = None) -> Response:
    """One report as CSV (an audited export)."""
    if name not in REPORTS:
        raise HTTPException(404)
    first, last = _period(ctx, start, end)
    with transaction(ctx.svc.sessions) as session:
        rows = reports.run(session, name, start=first, end=last, tz=ctx.svc.tz, now=ctx.now)
        audit.record(session, "export", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip, target=f"report:{name}",
                     start=first.isoformat(), end=last.isoformat())
    return Response(reports.to_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}-{first}-{last}.csv"'})


def _owner(session: object, owner_id: int) -> Owner:
    if not 1 <= owner_id <= MAX_OWNER_ID:
        raise HTTPException(404)
    owner = session.get(Owner, owner_id)  # type: ignore[attr-defined]
    if owner is None:
        raise HTTPException(404)
    return owner


@router.get("/privacy/export")
def privacy_export(owner_id: int, ctx: Annotated[Ctx, SUPERVISOR]) -> Response:
    """Everything held about an owner, as JSON (PIPL art. 45); audited."""
    with transaction(ctx.svc.sessions) as session:
        _owner(session, owner_id)
        data = pipl.export_owner(session, owner_id)
        pipl.log(session, owner_id, "export", now=ctx.now, actor=ctx.actor, source="console")
        audit.record(session, "export", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip,
                     target=f"owner:{owner_id}", kind="pipl_export")
    return Response(json.dumps(data, ensure_ascii=False, indent=2, default=str), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="owner-{owner_id}.json"'})


@router.post("/privacy/erase", dependencies=[Depends(check_csrf)])
def privacy_erase(ctx: Annotated[Ctx, SUPERVISOR], owner_id: Annotated[int, Form()],
                  confirm: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
                  back: Annotated[str, Form()] = "") -> Response:
    """Delete/anonymise an owner on request (PIPL art. 47). Confirmed by typing the owner id again (reports
    page) or the last four digits of the owner's phone (owner page)."""
    from_owner_page = back == f"/console/owners/{owner_id}"
    with transaction(ctx.svc.sessions) as session:
        owner = _owner(session, owner_id)
        typed = confirm.strip()
        ok = typed == str(owner_id) or (len(typed) == 4 and owner.deleted_at is None and typed == owner.phone[-4:])
        if not ok:
            return web.redirect(back if from_owner_page else "/console/reports", err="confirm_mismatch")
        counts = pipl.erase_owner(session, owner_id, now=ctx.now, actor=ctx.actor, reason=reason[:200])
        audit.record(session, "pipl_erase", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip,
                     target=f"owner:{owner_id}", **cast(dict[str, Any], counts))
    pipl.compact(ctx.svc.engine)
    return web.redirect(back if from_owner_page else "/console/reports", msg="erased")
