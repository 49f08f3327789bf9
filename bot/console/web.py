"""Rendering for the console: one autoescaping Jinja2 environment, security headers, helpers."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.console import i18n
from bot.console.auth import Ctx
from bot.services import Services

HERE = Path(__file__).resolve().parent
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "connect-src 'self'; media-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                                "form-action 'self'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True, default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(max(seconds, 0))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


env.filters["duration"] = _duration
env.filters["tojson_attr"] = lambda value: json.dumps(value, ensure_ascii=False)


def local(svc: Services, moment: datetime | None) -> str:
    """A timestamp in the centre's timezone, ``YYYY-MM-DD HH:MM``."""
    return svc.format_local(moment) if moment else ""


def page(name: str, ctx: Ctx | None, request: Request, *, status_code: int = 200, lang: str | None = None,
         **values: Any) -> HTMLResponse:
    """Render ``templates/<name>`` with the translator, CSRF token, current staff and flash message."""
    language = lang or (ctx.lang if ctx else request.cookies.get("anju_lang", "zh"))
    t = i18n.Translator(language)
    flash = request.query_params.get("msg")
    error = request.query_params.get("err")
    svc: Services = request.app.state.services
    if ctx is not None and "failed_count" not in values and not name.startswith("_") and _supervisor(ctx):
        values["failed_count"] = _failed_count(ctx)
    html = env.get_template(name).render(
        t=t, lang=t.lang, ctx=ctx, csrf=ctx.csrf if ctx else "", request=request, path=request.url.path,
        flash=t(flash) if flash and i18n.has(flash) else None,
        error=t(error) if error and i18n.has(error) else None,
        local=lambda moment: local(svc, moment), now=ctx.now if ctx else svc.clock(), Role=_roles(), **values)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def fragment(name: str, ctx: Ctx, request: Request, **values: Any) -> HTMLResponse:
    """Render a partial template (for live refreshes)."""
    return page(name, ctx, request, **values)


def redirect(path: str, **query: str) -> RedirectResponse:
    """A 303 back to a console page (Post/Redirect/Get), with an optional ``msg``/``err`` text key."""
    qs = urlencode({k: v for k, v in query.items() if v})
    return RedirectResponse(path + (f"?{qs}" if qs else ""), status_code=303, headers=SECURITY_HEADERS)


def _roles() -> Any:
    from backend.models import Role

    return Role


MAX_ID = 2**53  # ids and numbers beyond this are not ours (and overflow SQLite's integers)


def int_or_none(value: str | None) -> int | None:
    """A non-negative ASCII decimal integer from a form or query field, else None.

    ``str.isdigit`` accepts ``²`` and ``①``, which ``int`` then refuses: only ASCII digits, and not too many.
    """
    if not value or not value.isascii() or not value.isdigit() or len(value) > 15:
        return None
    return int(value)


def check_id(value: int) -> int:
    """A path id within range, else 404 (a huge id must not reach the database)."""
    from fastapi import HTTPException

    if not 0 < value <= MAX_ID:
        raise HTTPException(404)
    return value


def _supervisor(ctx: Ctx) -> bool:
    from backend.models import Role

    return ctx.at_least(Role.SUPERVISOR)


def _failed_count(ctx: Ctx) -> int:
    """Failed inbound events of the last week, for the header badge (never breaks a page)."""
    from bot.console.failed import failed_count

    try:
        with ctx.svc.sessions() as session:
            return failed_count(session, ctx)
    except Exception:  # noqa: BLE001 - a badge must not turn a page into a 500
        return 0
