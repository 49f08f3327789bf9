"""The conversation view: thread with NLU labels and delivery status, takeover, reply, notes, hand-back, tickets."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import audit, tickets
from backend import conversations as convs
from backend.db import transaction
from backend.models import (
    ChannelIdentity,
    Conversation,
    Kind,
    Message,
    Outbox,
    Owner,
    Ownership,
    Role,
    Staff,
    Ticket,
    Urgency,
)
from bot.console import web
from bot.console.auth import Ctx, check_csrf, current
from bot.console.i18n import canned_replies
from bot.console.views import can_see_conversation, can_see_ticket, unit_label
from bot.conversation import resume_dialog
from bot.dialogs.texts import render

router = APIRouter(prefix="/conversations")
CSRF = [Depends(check_csrf)]


def _conversation(session: Session, ctx: Ctx, conv_id: int) -> Conversation:
    conv = session.get(Conversation, conv_id)
    if conv is None:
        raise HTTPException(404)
    if not can_see_conversation(session, ctx, conv):
        raise HTTPException(403)
    return conv


def _thread(session: Session, ctx: Ctx, conv: Conversation) -> dict[str, Any]:
    stmt = (select(Message, Outbox.status).outerjoin(Outbox, Outbox.id == Message.outbox_id)
            .where(Message.conversation_id == conv.id).order_by(Message.id))
    messages = session.execute(stmt).all()
    names = {i: n for i, n in session.execute(select(Staff.id, Staff.name))}
    identity = session.get(ChannelIdentity, conv.identity_id)
    owner = session.get(Owner, conv.owner_id) if conv.owner_id else None
    units = []
    if owner is not None:
        units = [o.unit for o in session.scalars(select(Ownership).where(Ownership.owner_id == owner.id))]
    linked = list(session.scalars(select(Ticket).where(Ticket.conversation_id == conv.id)
                                  .order_by(Ticket.created_at.desc()).limit(20)))
    return {"conv": conv, "identity": identity, "owner": owner, "units": units, "unit": unit_label(session, owner),
            "messages": messages, "names": names, "linked": linked,
            "held_by": names.get(conv.held_by_id) if conv.held_by_id else None,
            "mine": conv.held_by_id == ctx.staff_id and conv.mode.value == "staff",
            "advisor": names.get(owner.advisor_id) if owner and owner.advisor_id else None}


@router.get("/{conv_id}", response_class=HTMLResponse)
def view(conv_id: int, request: Request, ctx: Annotated[Ctx, Depends(current)]) -> Response:
    """The whole thread, the owner, linked tickets and the actions."""
    with ctx.svc.sessions() as session:
        data = _thread(session, ctx, _conversation(session, ctx, conv_id))
        return web.page("conversation.html", ctx, request, canned=canned_replies(), kinds=list(Kind),
                        urgencies=list(Urgency), **data)


@router.get("/{conv_id}/thread", response_class=HTMLResponse)
def thread(conv_id: int, request: Request, ctx: Annotated[Ctx, Depends(current)]) -> Response:
    """The thread and status block alone (live refresh)."""
    with ctx.svc.sessions() as session:
        data = _thread(session, ctx, _conversation(session, ctx, conv_id))
        return web.fragment("_thread.html", ctx, request, **data)


def _publish(ctx: Ctx, kind: str, conv_id: int, **extra: Any) -> None:
    ctx.svc.broker.publish({"type": kind, "conversation_id": conv_id, "by": ctx.staff_id, **extra})


def _wake_outbox(request: Request) -> None:
    worker = getattr(request.app.state, "worker", None)
    if worker is not None:
        worker.wake_outbox()


def _routing(ctx: Ctx) -> dict[str, Any]:
    settings = ctx.svc.settings
    return {"template_id": "service_notice" if settings.wechat.template_ids.get("service_notice") else None,
            "sms_enabled": "sms" in ctx.svc.channels}


@router.post("/{conv_id}/takeover", dependencies=CSRF)
def take_over(conv_id: int, ctx: Annotated[Ctx, Depends(current)], force: Annotated[str, Form()] = "") -> Response:
    """Take the conversation: the bot goes silent at once."""
    with transaction(ctx.svc.sessions) as session:
        conv = _conversation(session, ctx, conv_id)
        forced = bool(force) and ctx.at_least(Role.SUPERVISOR)
        previous = conv.held_by_id
        try:
            convs.take_over(session, conv, ctx.staff(session), now=ctx.now, force=forced)
        except convs.ConsoleError:
            return web.redirect(f"/console/conversations/{conv_id}", err="held_by_other")
        audit.record(session, "takeover", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip,
                     target=f"conversation:{conv_id}", forced=forced, previous_holder=previous)
    _publish(ctx, "takeover", conv_id)
    return web.redirect(f"/console/conversations/{conv_id}")


@router.post("/{conv_id}/reply", dependencies=CSRF)
def reply(conv_id: int, request: Request, ctx: Annotated[Ctx, Depends(current)],
          text: Annotated[str, Form()] = "") -> Response:
    """Send a reply on the owner's channel through the outbox."""
    with transaction(ctx.svc.sessions) as session:
        conv = _conversation(session, ctx, conv_id)
        try:
            convs.staff_reply(session, conv, ctx.staff(session), text, now=ctx.now, **_routing(ctx))
        except convs.ConsoleError as exc:
            err = "empty_text" if "empty" in str(exc) else "take_over_first"
            return web.redirect(f"/console/conversations/{conv_id}", err=err)
    _wake_outbox(request)
    _publish(ctx, "message", conv_id)
    return web.redirect(f"/console/conversations/{conv_id}")


@router.post("/{conv_id}/note", dependencies=CSRF)
def note(conv_id: int, ctx: Annotated[Ctx, Depends(current)], text: Annotated[str, Form()] = "") -> Response:
    """An internal note (never sent to the owner)."""
    with transaction(ctx.svc.sessions) as session:
        conv = _conversation(session, ctx, conv_id)
        try:
            convs.add_note(session, conv, ctx.staff(session), text, now=ctx.now)
        except convs.ConsoleError:
            return web.redirect(f"/console/conversations/{conv_id}", err="empty_text")
    _publish(ctx, "note", conv_id)
    return web.redirect(f"/console/conversations/{conv_id}")


@router.post("/{conv_id}/handback", dependencies=CSRF)
def hand_back(conv_id: int, request: Request, ctx: Annotated[Ctx, Depends(current)]) -> Response:
    """Give the conversation back to the bot, which resumes where it stands."""
    with transaction(ctx.svc.sessions) as session:
        conv = _conversation(session, ctx, conv_id)
        try:
            sent = convs.hand_back(session, conv, ctx.staff(session), now=ctx.now, render=render,
                                   force=ctx.at_least(Role.SUPERVISOR), **_routing(ctx),
                                   resume=lambda s, c: resume_dialog(s, c, ctx.svc, ctx.now))
        except convs.ConsoleError:
            return web.redirect(f"/console/conversations/{conv_id}", err="held_by_other")
        audit.record(session, "hand_back", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip,
                     target=f"conversation:{conv_id}", resumed=conv.state.get("flow"), messages=len(sent))
    _wake_outbox(request)
    _publish(ctx, "hand_back", conv_id)
    return web.redirect(f"/console/conversations/{conv_id}")


@router.post("/{conv_id}/tickets", dependencies=CSRF)
def create_ticket(conv_id: int, ctx: Annotated[Ctx, Depends(current)], kind: Annotated[str, Form()] = "repair",
                  urgency: Annotated[str, Form()] = "normal", description: Annotated[str, Form()] = "",
                  unit_id: Annotated[str, Form()] = "") -> Response:
    """Open a ticket for the conversation's owner; the staff member is the first-contact owner (首问负责制)."""
    try:
        kind_, urgency_ = Kind(kind), Urgency(urgency)
    except ValueError:
        raise HTTPException(400, "bad kind or urgency") from None
    with transaction(ctx.svc.sessions) as session:
        conv = _conversation(session, ctx, conv_id)
        units = set(session.scalars(select(Ownership.unit_id).where(Ownership.owner_id == conv.owner_id))) \
            if conv.owner_id else set()
        unit = int(unit_id) if unit_id.isdigit() and int(unit_id) in units else (min(units) if len(units) == 1
                                                                                 else None)
        ticket = tickets.create_ticket(session, kind=kind_, urgency=urgency_, now=ctx.now, rules=ctx.svc.rules,
                                       description=description.strip()[:4000], owner_id=conv.owner_id, unit_id=unit,
                                       conversation_id=conv.id, taken_by_id=ctx.staff_id, actor=ctx.actor)
        audit.record(session, "ticket_created", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip,
                     target=f"ticket:{ticket.number}", conversation_id=conv.id)
        number = ticket.number
    ctx.svc.broker.publish({"type": "ticket", "ticket": number, "conversation_id": conv_id})
    return web.redirect(f"/console/tickets/{number}")


@router.post("/{conv_id}/link", dependencies=CSRF)
def link_ticket(conv_id: int, ctx: Annotated[Ctx, Depends(current)], number: Annotated[str, Form()] = "") -> Response:
    """Link an existing ticket to this conversation."""
    with transaction(ctx.svc.sessions) as session:
        conv = _conversation(session, ctx, conv_id)
        ticket = session.scalars(select(Ticket).where(Ticket.number == number.strip().upper())).first()
        if ticket is None or not can_see_ticket(ctx, ticket):
            return web.redirect(f"/console/conversations/{conv_id}", err="ticket_not_found")
        ticket.conversation_id = conv.id
        tickets.add_event(session, ticket, "linked_conversation", at=ctx.now, actor=ctx.actor, conversation_id=conv.id)
        audit.record(session, "ticket_linked", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip,
                     target=f"ticket:{ticket.number}", conversation_id=conv.id)
    _publish(ctx, "note", conv_id)
    return web.redirect(f"/console/conversations/{conv_id}", msg="saved")
