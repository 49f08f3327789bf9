"""The conversation view: thread with NLU labels and delivery status, takeover, reply, notes, hand-back, tickets."""

from __future__ import annotations

from datetime import timedelta
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
    ConsoleAlert,
    Conversation,
    Kind,
    Message,
    Mode,
    Outbox,
    Owner,
    Ownership,
    Role,
    Staff,
    Ticket,
    Urgency,
)
from backend.phones import mask_phone
from bot.console import owners, web
from bot.console.auth import Ctx, check_csrf, current
from bot.console.dispatch_view import page_rows
from bot.console.i18n import canned_replies
from bot.console.views import can_see_conversation, can_see_ticket, handled_state, unit_label
from bot.conversation import resume_dialog
from bot.dialogs.texts import render

router = APIRouter(prefix="/conversations")
CSRF = [Depends(check_csrf)]


def _conversation(session: Session, ctx: Ctx, conv_id: int) -> Conversation:
    web.check_id(conv_id)
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
    last_in = session.scalar(select(Message.created_at).where(Message.conversation_id == conv.id,
                                                              Message.direction == "in")
                             .order_by(Message.id.desc()).limit(1))
    resolved, snoozed = handled_state(conv, last_in, ctx.now)
    recognised = None
    if owner is None and identity is not None and identity.channel == "sms":
        recognised = owners.by_phone(session, identity.external_id)
    known = owner or recognised
    return {"conv": conv, "identity": identity, "owner": owner, "units": units, "unit": unit_label(session, owner),
            "pages": page_rows(session, linked), "resolved": resolved, "snoozed_until": snoozed,
            "owner_lang": (identity.language if identity and identity.language else None)
            or (owner.language if owner else "zh"),
            "recognised": recognised,
            "owner_phone": mask_phone(known.phone) if known is not None and known.deleted_at is None else None,
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


def _visible_or_lost(session: Session, ctx: Ctx, conv_id: int) -> Conversation | None:
    """The conversation if this staff member may still see it; None if it exists but is no longer theirs."""
    web.check_id(conv_id)
    conv = session.get(Conversation, conv_id)
    if conv is None:
        raise HTTPException(404)
    return conv if can_see_conversation(session, ctx, conv) else None


def _lost_draft(request: Request, ctx: Ctx, session: Session, conv: Conversation, draft: str) -> Response:
    """409: someone else holds the conversation now; the page says who and gives the draft back."""
    holder = session.get(Staff, conv.held_by_id) if conv.held_by_id else None
    return web.page("lost.html", ctx, request, status_code=409, conv_id=conv.id, draft=draft,
                    holder=holder.name if holder else None,
                    visible=can_see_conversation(session, ctx, conv))


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
    _publish(ctx, "takeover", conv_id, previous=previous if previous != ctx.staff_id else None, name=ctx.name)
    return web.redirect(f"/console/conversations/{conv_id}")


@router.post("/{conv_id}/reply", dependencies=CSRF)
def reply(conv_id: int, request: Request, ctx: Annotated[Ctx, Depends(current)],
          text: Annotated[str, Form()] = "") -> Response:
    """Send a reply on the owner's channel through the outbox; the first one counts as first contact on the
    conversation's open tickets (the SLA clock stops). If a colleague took the conversation over meanwhile,
    409 with the draft kept."""
    with transaction(ctx.svc.sessions) as session:
        conv = _visible_or_lost(session, ctx, conv_id)
        if conv is None or (conv.held_by_id not in (None, ctx.staff_id) and text.strip()):
            lost = conv or session.get(Conversation, conv_id)
            assert lost is not None
            return _lost_draft(request, ctx, session, lost, text[:2000])
        try:
            convs.staff_reply(session, conv, ctx.staff(session), text, now=ctx.now, **_routing(ctx))
        except convs.ConsoleError as exc:
            err = "empty_text" if "empty" in str(exc) else "take_over_first"
            return web.redirect(f"/console/conversations/{conv_id}", err=err)
        for ticket in session.scalars(select(Ticket).where(Ticket.conversation_id == conv.id,
                                                           Ticket.first_contacted_at.is_(None),
                                                           Ticket.status.in_(tickets.OPEN_STATUSES))):
            tickets.record_first_contact(session, ticket, now=ctx.now, actor=ctx.actor, via="chat")
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
        wanted = web.int_or_none(unit_id)
        unit = wanted if wanted in units else (min(units) if len(units) == 1 else None)
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


SNOOZE_CHOICES = {"30m": timedelta(minutes=30), "2h": timedelta(hours=2), "1d": timedelta(days=1)}


@router.post("/{conv_id}/resolve", dependencies=CSRF)
def resolve(conv_id: int, ctx: Annotated[Ctx, Depends(current)], op: Annotated[str, Form()] = "resolve",
            snooze: Annotated[str, Form()] = "2h") -> Response:
    """Resolve (handled: leaves the red list until the owner writes again), snooze for a while, or reopen.

    An owner waiting for a person cannot be resolved away: take over or hand back first. Open pickup alerts
    of the conversation are dismissed with it.
    """
    if op not in ("resolve", "snooze", "reopen") or (op == "snooze" and snooze not in SNOOZE_CHOICES):
        raise HTTPException(400, "bad operation")
    with transaction(ctx.svc.sessions) as session:
        conv = _conversation(session, ctx, conv_id)
        if op != "reopen" and conv.mode is Mode.WAITING:
            return web.redirect(f"/console/conversations/{conv_id}", err="resolve_waiting")
        if op == "reopen":
            conv.resolved_at, conv.snoozed_until = None, None
        else:
            conv.resolved_at = ctx.now
            conv.snoozed_until = ctx.now + SNOOZE_CHOICES[snooze] if op == "snooze" else None
            for alert in session.scalars(select(ConsoleAlert).where(ConsoleAlert.conversation_id == conv.id,
                                                                     ConsoleAlert.acked_at.is_(None))):
                alert.acked_at, alert.acked_by_id = ctx.now, ctx.staff_id
        action = {"resolve": "conversation_resolved", "snooze": "conversation_snoozed",
                  "reopen": "conversation_reopened"}[op]
        audit.record(session, action, now=ctx.now, staff=ctx.staff(session), ip=ctx.ip,
                     target=f"conversation:{conv_id}", urgency=conv.urgency,
                     until=conv.snoozed_until.isoformat() if conv.snoozed_until else None)
    _publish(ctx, "resolved", conv_id, op=op)
    return web.redirect("/console" if op != "reopen" else f"/console/conversations/{conv_id}", msg="saved")
