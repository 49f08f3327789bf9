"""Staff paging contacts in the console (``/console/staff-contacts``): who can be paged where, set and
clear addresses, issue a one-time bind code, send a test message, and the rota's coverage gaps.

Supervisors see the page; admins change addresses. Everything is audited (:mod:`backend.staff_contacts`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from backend import staff_contacts as contacts
from backend.db import transaction
from backend.models import Role, Staff
from bot.console import web
from bot.console.auth import Ctx, check_csrf, require
from bot.dialogs.texts import render

router = APIRouter()
BASE = "/console/staff-contacts"
CSRF = [Depends(check_csrf)]


@router.get("/staff-contacts", response_class=HTMLResponse)
def contacts_page(request: Request, ctx: Annotated[Ctx, Depends(require(Role.SUPERVISOR))],
                  code: str | None = None, code_for: int | None = None) -> Response:
    """Every active account with its addresses, where it can be paged, and the rota gaps ahead."""
    enabled = list(ctx.svc.channels)
    with ctx.svc.sessions() as session:
        rows = [contacts.contact_view(s, enabled) for s in session.scalars(
            select(Staff).where(Staff.active.is_(True)).order_by(Staff.role, Staff.name))]
        gaps = contacts.coverage_gaps(session, start=ctx.now,
                                      end=ctx.now + timedelta(days=ctx.svc.settings.coverage_days), enabled=enabled)
    return web.page("staff_contacts.html", ctx, request, rows=rows, gaps=gaps, enabled=enabled,
                    can_edit=ctx.at_least(Role.ADMIN), code=code if code_for else None, code_for=code_for,
                    days=ctx.svc.settings.coverage_days)


def _staff(session, staff_id: int) -> Staff:  # type: ignore[no-untyped-def]
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise HTTPException(404)
    return staff


@router.post("/staff-contacts/{staff_id}", dependencies=CSRF)
def save_contacts(staff_id: int, ctx: Annotated[Ctx, Depends(require(Role.ADMIN))],
                  phone: Annotated[str | None, Form()] = None, wechat_openid: Annotated[str | None, Form()] = None,
                  telegram_chat_id: Annotated[str | None, Form()] = None) -> Response:
    """Save the row's three addresses (an empty field clears one; the masked phone left as shown is kept)."""
    with transaction(ctx.svc.sessions) as session:
        staff = _staff(session, staff_id)
        changes = {k: v or "" for k, v in (("phone", phone), ("wechat_openid", wechat_openid),
                                           ("telegram_chat_id", telegram_chat_id))}
        if "phone" in changes and "*" in changes["phone"]:
            del changes["phone"]  # the masked form shown on the page: unchanged
        try:
            contacts.set_contacts(session, staff, now=ctx.now, actor=ctx.actor, changes=changes,
                                  actor_staff=ctx.staff(session))
        except contacts.ContactError:
            session.rollback()
            return web.redirect(BASE, err="contact_refused")
    return web.redirect(BASE, msg="saved")


@router.post("/staff-contacts/{staff_id}/test", dependencies=CSRF)
def test_message(staff_id: int, ctx: Annotated[Ctx, Depends(require(Role.SUPERVISOR))]) -> Response:
    """Queue a test message on each channel the person can be paged on."""
    with transaction(ctx.svc.sessions) as session:
        staff = _staff(session, staff_id)
        sent = contacts.send_test(session, staff, now=ctx.now, enabled=ctx.svc.channels, actor=ctx.actor,
                                  actor_staff=ctx.staff(session), text=render("staff_test_message", staff.language))
    return web.redirect(BASE, msg="saved" if sent else "", err="" if sent else "unreachable")


@router.post("/staff-contacts/{staff_id}/code", dependencies=CSRF)
def bind_code(staff_id: int, request: Request, ctx: Annotated[Ctx, Depends(require(Role.ADMIN))]) -> Response:
    """Issue a one-time bind code and show it once."""
    with transaction(ctx.svc.sessions) as session:
        staff = _staff(session, staff_id)
        code = contacts.issue_bind_code(session, staff, now=ctx.now, actor=ctx.actor, actor_staff=ctx.staff(session))
    return contacts_page(request, ctx, code=code, code_for=staff_id)
