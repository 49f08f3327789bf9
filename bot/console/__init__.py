"""The staff console at ``/console``: server-rendered Jinja2 pages, plain JS and server-sent events.

Call :func:`install` from the application factory: it includes the routes and renders console
errors (403, 404...) as pages instead of JSON.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.console import (
    admin,
    conversation,
    failed,
    inbox,
    login,
    owners,
    reports,
    rota,
    staff_contacts,
    tickets,
    web,
)


async def reject_nul(request: Request) -> None:
    """400 for a NUL character anywhere in the path, query or form: PostgreSQL cannot store it, and a console
    request must never become a 500 (issue 14)."""
    if "\x00" in request.url.path or "%00" in request.url.query or "\x00" in request.url.query:
        raise HTTPException(400, "bad character")
    if request.method == "POST" and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        if any(isinstance(v, str) and "\x00" in v for v in form.values()):
            raise HTTPException(400, "bad character")


router = APIRouter(include_in_schema=False, dependencies=[Depends(reject_nul)])
for _module in (login, inbox, conversation, tickets, rota, reports, admin, owners, failed, staff_contacts):
    router.include_router(_module.router, prefix="/console")

ERROR_TEXT = {403: "forbidden", 404: "not_found"}


async def _errors(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    wants_page = request.url.path.startswith("/console") and exc.status_code in (400, 403, 404) \
        and "text/html" in request.headers.get("accept", "")
    if not wants_page:
        return await http_exception_handler(request, exc)
    key = "bad_csrf" if exc.detail == "bad_csrf" else ERROR_TEXT.get(exc.status_code, "not_found")
    ctx = getattr(request.state, "console_ctx", None)
    return web.page("error.html", ctx, request, status_code=exc.status_code, message_key=key, code=exc.status_code)


def install(app: FastAPI) -> None:
    """Mount the console on ``app``."""
    app.include_router(router)
    app.add_exception_handler(StarletteHTTPException, _errors)
