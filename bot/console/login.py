"""Login, logout, language choice and the console's static files."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from backend import audit
from backend.db import transaction
from backend.models import Staff
from bot.console import auth, web
from bot.console.auth import Ctx, check_csrf, current
from bot.console.i18n import LANGUAGES
from bot.services import Services

router = APIRouter()
STATIC = {"console.css": "text/css", "console.js": "text/javascript"}


def _safe_next(target: str | None) -> str:
    """Only console paths: never an open redirect to another site."""
    if target and target.startswith("/console") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:  # noqa: A002 - the query name
    """The login page; sets a one-off CSRF cookie for the login form (double submit)."""
    token = secrets.token_urlsafe(24)
    resp = web.page("login.html", None, request, login_csrf=token, next=_safe_next(next))
    svc: Services = request.app.state.services
    resp.set_cookie(auth.LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/console",
                    secure=auth.secure_cookies(svc), max_age=3600)
    return resp


@router.post("/login")
def login(request: Request, username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
          csrf: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/console") -> Response:  # noqa: A002
    """Check the password (argon2), count failures towards the lock-out, start a session."""
    svc: Services = request.app.state.services
    expected = request.cookies.get(auth.LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), csrf.encode()):
        return web.redirect("/console/login", err="bad_csrf")
    key = auth.secret(request)
    now = svc.clock()
    ip = auth.client_ip(request)
    username = username.replace("\x00", "")[:200]
    limiter = auth.throttle(request)
    wait = limiter.check(ip, username)
    if wait is not None or not limiter.hashing.acquire(timeout=HASH_QUEUE_S):
        return _too_many(request, wait)
    try:
        with transaction(svc.sessions) as session:
            staff, reason = auth.authenticate(
                session, username, password[:1024].replace("\x00", ""), now=now, ip=ip,
                device_staff_id=auth.known_device(key, request.cookies.get(auth.DEVICE_COOKIE)))
            token = auth.start_session(session, staff, key, now=now, ip=ip,
                                       user_agent=request.headers.get("user-agent")) if staff else None
            lang = staff.language if staff else "zh"
            staff_id = staff.id if staff else None
    finally:
        limiter.hashing.release()
    if token is None:
        err = "no_console_access" if reason == "no_console_access" else "login_failed"
        return web.redirect("/console/login", err=err, next=_safe_next(next))
    resp = RedirectResponse(_safe_next(next), status_code=303)
    resp.set_cookie(auth.COOKIE, token, httponly=True, samesite="lax", path="/", secure=auth.secure_cookies(svc),
                    max_age=int(auth.config().session_hours * 3600))
    resp.set_cookie("anju_lang", lang, samesite="lax", path="/console", secure=auth.secure_cookies(svc))
    resp.delete_cookie(auth.LOGIN_CSRF_COOKIE, path="/console")
    if staff_id is not None and auth.known_device(key, request.cookies.get(auth.DEVICE_COOKIE)) != staff_id:
        resp.set_cookie(auth.DEVICE_COOKIE, auth.device_token(key, staff_id), httponly=True, samesite="strict",
                        path="/console", secure=auth.secure_cookies(svc), max_age=auth.DEVICE_DAYS * 86400)
    return resp


HASH_QUEUE_S = 2.0  # how long an attempt may wait for a free password check before it is refused


def _too_many(request: Request, wait: float | None) -> Response:
    """429 with ``Retry-After``: refused before any password hashing."""
    seconds = int(wait or HASH_QUEUE_S) + 1
    resp = web.page("error.html", None, request, status_code=429, message_key="too_many_attempts", code=429)
    resp.headers["Retry-After"] = str(seconds)
    return resp


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request, ctx: Annotated[Ctx, Depends(current)]) -> Response:
    """End this session."""
    svc = ctx.svc
    with transaction(svc.sessions) as session:
        auth.end_sessions(session, now=ctx.now, key=auth.secret(request), token=request.cookies.get(auth.COOKIE))
        audit.record(session, "logout", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip)
    resp = RedirectResponse("/console/login", status_code=303)
    resp.delete_cookie(auth.COOKIE, path="/")
    return resp


@router.post("/lang", dependencies=[Depends(check_csrf)])
def set_language(ctx: Annotated[Ctx, Depends(current)], lang: Annotated[str, Form()] = "zh",
                 back: Annotated[str, Form()] = "/console") -> Response:
    """Switch the console language for this staff member (stored on their account)."""
    if lang not in LANGUAGES:
        raise HTTPException(400, "unknown language")
    with transaction(ctx.svc.sessions) as session:
        staff = session.get(Staff, ctx.staff_id)
        assert staff is not None
        staff.language = lang
    resp = RedirectResponse(_safe_next(back), status_code=303)
    resp.set_cookie("anju_lang", lang, samesite="lax", path="/console")
    return resp


@router.get("/static/{name}")
def static(name: str) -> Response:
    """The console's CSS and JS (a fixed list; no directory access)."""
    if name not in STATIC:
        raise HTTPException(404)
    return FileResponse(web.HERE / "static" / name, media_type=STATIC[name],
                        headers={"Cache-Control": "max-age=300", "X-Content-Type-Options": "nosniff"})
