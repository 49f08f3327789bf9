"""Staff accounts (admins), the audit log (supervisors and admins) and the settings view (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from backend import audit
from backend.db import transaction
from backend.models import Role, Staff
from bot.console import auth, web
from bot.console.auth import Ctx, check_csrf, require
from bot.console.i18n import LANGUAGES
from bot.staff_cli import MIN_PASSWORD

router = APIRouter()
ADMIN = Depends(require(Role.ADMIN))
CSRF = [Depends(check_csrf)]


@router.get("/audit", response_class=HTMLResponse)
def audit_log(request: Request, ctx: Annotated[Ctx, Depends(require(Role.SUPERVISOR))],
              action: str | None = None) -> Response:
    """The newest audit entries."""
    with ctx.svc.sessions() as session:
        entries = audit.recent(session, action=action or None, limit=300)
        return web.page("audit.html", ctx, request, entries=entries, actions=sorted(audit.ACTIONS), action=action)


@router.get("/staff", response_class=HTMLResponse)
def staff_list(request: Request, ctx: Annotated[Ctx, ADMIN]) -> Response:
    """Every account with role, language, lock state."""
    with ctx.svc.sessions() as session:
        staff = list(session.scalars(select(Staff).order_by(Staff.active.desc(), Staff.name)))
        return web.page("staff.html", ctx, request, staff=staff, roles=list(Role), languages=LANGUAGES)


@router.post("/staff", dependencies=CSRF)
def staff_add(ctx: Annotated[Ctx, ADMIN], name: Annotated[str, Form()] = "", username: Annotated[str, Form()] = "",
              password: Annotated[str, Form()] = "", role: Annotated[str, Form()] = "agent",
              language: Annotated[str, Form()] = "zh") -> Response:
    """Create an account (as ``anju staff add`` does)."""
    if len(password) < MIN_PASSWORD:
        return web.redirect("/console/staff", err="password_too_short")
    try:
        role_ = Role(role)
    except ValueError:
        raise HTTPException(400, "bad role") from None
    username = username.strip()[:60]
    with transaction(ctx.svc.sessions) as session:
        if not username or session.scalars(select(Staff).where(Staff.username == username)).first():
            return web.redirect("/console/staff", err="username_taken")
        staff = Staff(name=name.strip()[:60] or username, username=username, role=role_,
                      language=language if language in LANGUAGES else "zh", password_hash=auth.hasher.hash(password))
        session.add(staff)
        session.flush()
        audit.record(session, "staff_created", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip,
                     target=f"staff:{staff.id}", username=username, role=role_.value)
    return web.redirect("/console/staff", msg="saved")


@router.post("/staff/{staff_id}", dependencies=CSRF)
def staff_update(staff_id: int, ctx: Annotated[Ctx, ADMIN], op: Annotated[str, Form()] = "",
                 role: Annotated[str, Form()] = "") -> Response:
    """Change a role, unlock, deactivate (ends their sessions) or reactivate an account."""
    web.check_id(staff_id)
    with transaction(ctx.svc.sessions) as session:
        staff = session.get(Staff, staff_id)
        if staff is None:
            raise HTTPException(404)
        if op == "role":
            try:
                staff.role = Role(role)
            except ValueError:
                raise HTTPException(400, "bad role") from None
        elif op == "unlock":
            staff.failed_logins, staff.locked_until = 0, None
        elif op in ("deactivate", "activate"):
            if staff.id == ctx.staff_id:
                raise HTTPException(400, "you cannot deactivate yourself")
            staff.active = op == "activate"
            if not staff.active:
                auth.end_sessions(session, now=ctx.now, staff_id=staff.id)
        else:
            raise HTTPException(400, "unknown operation")
        audit.record(session, "staff_updated", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip,
                     target=f"staff:{staff.id}", op=op, role=staff.role.value)
    return web.redirect("/console/staff", msg="saved")


@router.get("/settings", response_class=HTMLResponse)
def settings_view(request: Request, ctx: Annotated[Ctx, ADMIN]) -> Response:
    """The effective service settings (read-only; secrets are never shown)."""
    settings = ctx.svc.settings
    sections = {
        "sla": settings.sla.model_dump(),
        "outbox": settings.outbox.model_dump(),
        "nlu": settings.nlu.model_dump(exclude={"rasa_token"}),
        "console": vars(auth.config()),
        "channels": {name: True for name in sorted(ctx.svc.channels)},
        "general": {"env": settings.env, "timezone": settings.timezone, "public_url": settings.public_url,
                    "session_secret_set": bool(settings.session_secret)},
    }
    return web.page("settings.html", ctx, request, sections=sections)
