"""Failed inbound events: messages the worker gave up on (supervisors see them, and can retry them)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend import audit
from backend.db import transaction
from backend.models import ChannelIdentity, Conversation, InboundEvent, InboundStatus, Role
from bot.console import web
from bot.console.auth import Ctx, check_csrf, require

router = APIRouter(prefix="/failed")
SUPERVISOR = Depends(require(Role.SUPERVISOR))
SHOW = 200
RECENT = timedelta(days=7)


def failed_count(session: Session, ctx: Ctx) -> int:
    """Inbound events that failed for good in the last week (the count in the console header)."""
    return session.scalar(select(func.count()).select_from(InboundEvent).where(
        InboundEvent.status == "failed", InboundEvent.received_at >= ctx.now - RECENT)) or 0


@router.get("", response_class=HTMLResponse)
def failed_events(request: Request, ctx: Annotated[Ctx, SUPERVISOR]) -> Response:
    """The newest failed events with their error and the conversation they belong to."""
    with ctx.svc.sessions() as session:
        events = list(session.scalars(select(InboundEvent).where(InboundEvent.status == "failed")
                                      .order_by(InboundEvent.received_at.desc()).limit(SHOW)))
        convs = {}
        for ev in events:
            conv_id = session.scalar(select(Conversation.id).join(
                ChannelIdentity, ChannelIdentity.id == Conversation.identity_id).where(
                ChannelIdentity.channel == ev.channel, ChannelIdentity.external_id == ev.external_user_id))
            if conv_id:
                convs[ev.id] = conv_id
        return web.page("failed.html", ctx, request, events=events, convs=convs)


@router.post("/{event_id}/retry", dependencies=[Depends(check_csrf)])
def retry(event_id: int, request: Request, ctx: Annotated[Ctx, SUPERVISOR]) -> Response:
    """Put a failed event back in the queue (after a fix): the worker processes it again."""
    web.check_id(event_id)
    with transaction(ctx.svc.sessions) as session:
        event = session.get(InboundEvent, event_id)
        if event is None or event.status != InboundStatus.FAILED:
            raise HTTPException(404)
        event.status, event.attempts = InboundStatus.PENDING, 0
        audit.record(session, "inbound_retry", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip,
                     target=f"inbound:{event_id}", channel=event.channel)
    worker = getattr(request.app.state, "worker", None)
    if worker is not None and hasattr(worker, "wake_inbound"):
        worker.wake_inbound()
    return web.redirect("/console/failed", msg="saved")
