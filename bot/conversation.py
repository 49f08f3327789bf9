"""Processing one stored inbound event: identity, conversation, NLU, dialog step, effects.

Runs inside the transaction that marks the event done, so every effect (tickets, pages, outbox
rows, dialog state) commits together with it or not at all.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from backend import dispatch, tickets
from backend.db import is_postgres
from backend.models import (
    Building,
    ChannelIdentity,
    Conversation,
    Kind,
    Message,
    Mode,
    Owner,
    Ownership,
    Staff,
    Ticket,
    Unit,
    Urgency,
)
from backend.outbox import enqueue
from backend.phones import normalise_phone
from bot import effects as fx
from bot.channels.base import InboundMessage
from bot.channels.privacy import mask_phone
from bot.dialogs.engine import step
from bot.dialogs.texts import render
from bot.dialogs.types import Context, OwnerView, TicketView, Turn, UnitView
from bot.services import Services
from nlu.types import Parse

log = logging.getLogger(__name__)
# Everything owner_view() reads, in two queries instead of one per unit, building and project.
OWNER_VIEW = [selectinload(Owner.ownerships).joinedload(Ownership.unit).joinedload(Unit.building)
              .joinedload(Building.project)]


def get_identity(session: Session, channel: str, external_id: str, now: datetime) -> ChannelIdentity:
    """The identity for (channel, external id), created on first contact."""
    stmt = select(ChannelIdentity).where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id)
    identity = session.scalars(stmt).first()
    if identity is None:
        identity = ChannelIdentity(channel=channel, external_id=external_id, created_at=now)
        session.add(identity)
        session.flush()
    return identity


def get_conversation(session: Session, identity: ChannelIdentity, now: datetime) -> Conversation:
    """The identity's conversation, created on first contact."""
    stmt = select(Conversation).where(Conversation.identity_id == identity.id)
    if is_postgres(session):  # a takeover committing now waits, or we see its mode: no bot reply after it
        stmt = stmt.with_for_update()
    conv = session.scalars(stmt).first()
    if conv is None:
        conv = Conversation(identity_id=identity.id, owner_id=identity.owner_id, state={}, created_at=now,
                            last_message_at=now)
        session.add(conv)
        session.flush()
    return conv


def owner_view(owner: Owner) -> OwnerView:
    """The owner as dialogs see it."""
    units = tuple(
        UnitView(id=o.unit.id, label=o.unit.label, project=o.unit.building.project.name,
                 building=o.unit.building.number, entrance=o.unit.entrance, room=o.unit.room,
                 signed_on=o.signed_on, handover_on=o.handover_on)
        for o in sorted(owner.ownerships, key=lambda o: o.unit_id)
    )
    return OwnerView(id=owner.id, name=owner.name, phone=owner.phone, language=owner.language, units=units)


def find_owner(session: Session, phone: str) -> OwnerView | None:
    """An active owner registered with ``phone``."""
    stmt = (select(Owner).where(Owner.phone == normalise_phone(phone), Owner.deleted_at.is_(None))
            .options(*OWNER_VIEW).limit(1))
    owner = session.scalars(stmt).first()
    return owner_view(owner) if owner and owner.ownerships else None


def recent_tickets(session: Session, owner_id: int) -> tuple[TicketView, ...]:
    """The owner's latest tickets, newest first."""
    stmt = select(Ticket).where(Ticket.owner_id == owner_id).order_by(Ticket.created_at.desc(), Ticket.id.desc())
    return tuple(
        TicketView(t.id, t.number, t.kind.value, t.status.value, t.category, t.location, t.unit_id, t.created_at)
        for t in session.scalars(stmt.limit(10))
    )


def build_turn(msg: InboundMessage, state: dict[str, Any]) -> Turn:
    """The channel-agnostic turn; a bare number answers the last numbered choices."""
    text = msg.text.strip()
    button = msg.event if msg.kind == "button" else None
    choices = state.get("choices") or []
    if button is None and text.isdecimal() and len(text) <= 3 and 1 <= int(text) <= len(choices):
        button = choices[int(text) - 1]
    photos = tuple(a.url or a.media_id or "" for a in msg.attachments if a.kind == "image")
    loc = next(((a.latitude, a.longitude, a.label or "") for a in msg.attachments if a.kind == "location"
                and a.latitude is not None and a.longitude is not None), None)
    contact = next((a for a in msg.attachments if a.kind == "contact" and a.phone), None)
    return Turn(
        text=text,
        button=button,
        photos=photos,
        location=loc,  # type: ignore[arg-type]
        contact_phone=normalise_phone(contact.phone) if contact and contact.phone else None,
        contact_is_sender=bool(contact and contact.own_contact),
        event=msg.event if msg.kind == "event" else None,
    )


def process(session: Session, msg: InboundMessage, svc: Services, now: datetime) -> fx.Applied:
    """Handle one inbound message end to end (inside the caller's transaction)."""
    identity = get_identity(session, msg.channel, msg.external_user_id, now)
    identity.last_inbound_at = now
    if msg.display_name and not identity.display_name:
        identity.display_name = msg.display_name[:120]
    staff = dispatch.staff_by_identity(session, msg.channel, msg.external_user_id)
    if staff is None and msg.channel == "sms":  # SMS senders are E.164, staff phones are stored as 11 digits
        staff = dispatch.staff_by_identity(session, msg.channel, normalise_phone(msg.external_user_id))
    if staff is not None and identity.owner_id is None:
        return _staff_message(session, staff, identity, msg, svc, now)
    conv = get_conversation(session, identity, now)
    conv.owner_id = identity.owner_id
    text = msg.text.strip()
    parse = svc.nlu.parse(text, now=now) if text and msg.kind != "button" else None
    session.add(Message(conversation_id=conv.id, direction="in", author="owner", text=text, kind=msg.kind,
                        payload=_attachments(msg), nlu=_labels(parse), created_at=now))
    conv.last_message_at = now
    applied = fx.Applied(conversation_id=conv.id)
    if msg.kind == "event" and msg.event == "unsubscribe":
        return applied
    if conv.mode is not Mode.BOT:
        return _while_staff_holds(session, conv, identity, msg, parse, svc, now, applied)
    owner = session.get(Owner, identity.owner_id, options=OWNER_VIEW) if identity.owner_id else None
    ctx = _context(session, identity, owner, svc, now)
    result = step(conv.state, build_turn(msg, conv.state), parse, ctx)
    identity.language = result.lang
    fx.apply(session, conv, identity, result, svc, now, applied)
    return applied


def _context(session: Session, identity: ChannelIdentity, owner: Owner | None, svc: Services,
             now: datetime) -> Context:
    view = owner_view(owner) if owner and owner.deleted_at is None else None
    return Context(
        now=now,
        owner=view,
        proven_phone=normalise_phone(identity.external_id) if identity.channel == "sms" else None,
        can_send_otp="sms" in svc.channels and identity.channel != "sms",
        otp_code=f"{secrets.randbelow(10**6):06d}",
        tickets=recent_tickets(session, view.id) if view else (),
        find_owner_by_phone=lambda phone: find_owner(session, phone),
        enquiry_answer=lambda topic, o, text, lang: svc.answers.answer(session, topic, o, text, lang, now),
        low_confidence=svc.settings.nlu.low_confidence,
        format_deadline=svc.format_local,
    )


def _while_staff_holds(session: Session, conv: Conversation, identity: ChannelIdentity, msg: InboundMessage,
                       parse: Parse | None, svc: Services, now: datetime, applied: fx.Applied) -> fx.Applied:
    """The bot stays silent while staff hold or are about to take the conversation; emergencies still page."""
    if parse is not None and parse.intent == "repair" and parse.urgency == "emergency":
        ticket = tickets.create_ticket(
            session, kind=Kind.REPAIR, urgency=Urgency.EMERGENCY, now=now, rules=svc.rules, category=parse.category,
            location=parse.entities.get("location"), description=msg.text, owner_id=identity.owner_id,
            conversation_id=conv.id, actor="bot")
        dispatch.page(session, ticket, now=now, ack_after=svc.ack_after, text=svc.page_text,
                      enabled_channels=svc.channels)
        conv.urgency = "emergency"
        applied.alerts.append({"kind": "emergency", "ticket": ticket.number})
    applied.console_events.append({"type": "message", "conversation_id": conv.id})
    return applied


def _staff_message(session: Session, staff: Staff, identity: ChannelIdentity, msg: InboundMessage,
                   svc: Services, now: datetime) -> fx.Applied:
    """An engineer answering a page: ``ack:<id>`` button or a bare acknowledgement word."""
    page = None
    page_ref = (msg.event or "")[4:] if (msg.event or "").startswith("ack:") else ""
    if msg.kind == "button" and page_ref.isascii() and page_ref.isdigit() and len(page_ref) <= 18:
        page = dispatch.acknowledge(session, int(page_ref), staff_id=staff.id, now=now)
    elif msg.text.strip().lower() in dispatch.ACK_WORDS:
        latest = dispatch.latest_open_page(session, staff.id)
        if latest is not None:
            page = dispatch.acknowledge(session, latest.id, staff_id=staff.id, now=now)
    if page is not None:
        ticket = session.get(Ticket, page.ticket_id)
        text = render("page_acked", staff.language, ticket=ticket.number if ticket else "")
    else:
        text = render("staff_unknown", staff.language)
    enqueue(session, channel=identity.channel, recipient=identity.external_id, text=text, now=now, staff_id=staff.id)
    applied = fx.Applied()
    if page is not None:
        applied.console_events.append({"type": "page_acked", "ticket_id": page.ticket_id})
    return applied


def _labels(parse: Parse | None) -> dict[str, Any] | None:
    if parse is None:
        return None
    return {"intent": parse.intent, "urgency": parse.urgency, "category": parse.category, "lang": parse.lang,
            "confidence": round(parse.confidence, 3), "engine": parse.engine}


def _attachments(msg: InboundMessage) -> dict[str, Any]:
    parts = [{k: v for k, v in vars(a).items() if v is not None} for a in msg.attachments]
    for part in parts:
        if "phone" in part:
            part["phone"] = mask_phone(part["phone"])
    return {"attachments": parts, "event": msg.event} if parts or msg.event else {}
