"""The inbox (every live conversation, most pressing first) and the live event stream (SSE)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from backend import audit
from backend import conversations as convs
from backend.db import transaction
from backend.models import ConsoleAlert, Conversation, Role
from bot.console import web
from bot.console.auth import Ctx, check_csrf, current, require
from bot.console.views import HANDLED_RANK, can_see_conversation, inbox_rows

router = APIRouter()
HEARTBEAT_S = 15.0
STREAM_MAX_S = 600.0  # the browser reconnects (and is re-authenticated) after this
CONVERSATION_EVENTS = {"message", "handoff", "takeover", "hand_back", "note", "resolved"}
AGENT_ALERTS = {"emergency"}


def _load(ctx: Ctx, show: str = "") -> dict[str, Any]:
    """Inbox rows (resolved and snoozed ones only with ``show=handled``) and the open alerts."""
    with ctx.svc.sessions() as session:
        rows = inbox_rows(session, ctx)
        alerts = convs.open_alerts(session) if ctx.at_least(Role.SUPERVISOR) else []
        handled = [r for r in rows if r.rank == HANDLED_RANK]
        if show != "handled":
            rows = [r for r in rows if r.rank != HANDLED_RANK]
        return {"rows": rows, "alerts": alerts, "handled_count": len(handled), "show": show}


@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def inbox(request: Request, ctx: Annotated[Ctx, Depends(current)], show: str = "") -> Response:
    """The inbox page; rows refresh live."""
    return web.page("inbox.html", ctx, request, **_load(ctx, show))


@router.get("/inbox/rows", response_class=HTMLResponse)
def inbox_fragment(request: Request, ctx: Annotated[Ctx, Depends(current)], show: str = "") -> Response:
    """The inbox table body and alerts (refreshed by the page on every event)."""
    return web.fragment("_inbox_rows.html", ctx, request, **_load(ctx, show))


@router.post("/alerts/{alert_id}/ack", dependencies=[Depends(check_csrf)])
def ack_alert(alert_id: int, ctx: Annotated[Ctx, Depends(require(Role.SUPERVISOR))]) -> Response:
    """A supervisor dismisses a console alert."""
    web.check_id(alert_id)
    with transaction(ctx.svc.sessions) as session:
        alert = session.get(ConsoleAlert, alert_id)
        if alert is None:
            raise HTTPException(404)
        if alert.acked_at is None:
            alert.acked_at, alert.acked_by_id = ctx.now, ctx.staff_id
            audit.record(session, "alert_acked", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip,
                         target=f"alert:{alert.id}", kind=alert.kind)
    ctx.svc.broker.publish({"type": "alert_acked", "alert_id": alert_id})
    return web.redirect("/console")


class _Visibility:
    """Caches an agent's right to see each conversation for a few seconds."""

    TTL = 5.0

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self._seen: dict[int, tuple[float, bool]] = {}

    def _check(self, conv_id: int) -> bool:
        with self.ctx.svc.sessions() as session:
            conv = session.get(Conversation, conv_id)
            return conv is not None and can_see_conversation(session, self.ctx, conv)

    async def allows(self, event: dict[str, Any]) -> bool:
        if self.ctx.at_least(Role.SUPERVISOR):
            return True
        kind = event.get("type")
        if kind == "delivery":
            return True
        if kind == "alert":
            return event.get("kind") in AGENT_ALERTS
        conv_id = event.get("conversation_id")
        if kind not in CONVERSATION_EVENTS or not isinstance(conv_id, int):
            return False
        if kind == "takeover" and event.get("previous") == self.ctx.staff_id:
            self._seen.pop(conv_id, None)
            return True  # her page must learn at once that a colleague took it from her
        cached = self._seen.get(conv_id)
        if cached is None or time.monotonic() - cached[0] > self.TTL:
            cached = (time.monotonic(), await run_in_threadpool(self._check, conv_id))
            self._seen[conv_id] = cached
        return cached[1]


async def _stream(request: Request, ctx: Ctx) -> AsyncIterator[str]:
    visibility = _Visibility(ctx)
    started = last_beat = time.monotonic()
    async with ctx.svc.broker.subscribe() as queue:
        yield "retry: 2000\n: connected\n\n"
        while time.monotonic() - started < STREAM_MAX_S:
            try:
                event = await asyncio.wait_for(queue.get(), timeout=1.0)
            except TimeoutError:
                if await request.is_disconnected():
                    return
                if time.monotonic() - last_beat >= HEARTBEAT_S:
                    last_beat = time.monotonic()
                    yield ": heartbeat\n\n"
                continue
            if await visibility.allows(event):
                data = json.dumps(event, ensure_ascii=False, default=str)
                yield f"data: {data}\n\n"


@router.get("/events")
async def events(request: Request) -> StreamingResponse:
    """Server-sent events: console events filtered by role, a heartbeat comment every 15 s."""
    ctx = await run_in_threadpool(current, request)
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no", "X-Content-Type-Options": "nosniff"}
    return StreamingResponse(_stream(request, ctx), media_type="text/event-stream", headers=headers)
