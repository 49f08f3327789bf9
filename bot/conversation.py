"""Processing one stored inbound event: identity, conversation, NLU, dialog step, effects.

Runs inside the transaction that marks the event done, so every effect (tickets, pages, outbox
rows, dialog state) commits together with it or not at all.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from backend import dispatch, tickets
from backend.db import is_postgres
from backend.models import (
    Building,
    ChannelIdentity,
    Conversation,
    DispatchPage,
    Kind,
    Message,
    Mode,
    Outbox,
    Owner,
    Ownership,
    Staff,
    Status,
    Survey,
    SurveyStatus,
    Ticket,
    Unit,
    Urgency,
)
from backend.outbox import enqueue
from backend.phones import e164, mask_phone, normalise_phone
from backend.tickets import OPEN_STATUSES
from bot import effects as fx
from bot.channels.base import InboundMessage
from bot.dialogs import aftercare, staff_binding
from bot.dialogs.emergency import enter_accepted
from bot.dialogs.engine import step
from bot.dialogs.keywords import clauses
from bot.dialogs.state import normalise
from bot.dialogs.texts import render
from bot.dialogs.types import Context, OwnerView, Reply, StepResult, TicketView, Turn, UnitView
from bot.services import Services
from nlu.types import OwnerContext, Parse, TicketRef

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


def recent_tickets(session: Session, owner_id: int | None, conversation_id: int | None = None
                   ) -> tuple[TicketView, ...]:
    """The owner's latest tickets (or, for an unbound identity, this conversation's), newest first."""
    where = Ticket.owner_id == owner_id if owner_id is not None else Ticket.conversation_id == conversation_id
    stmt = select(Ticket).where(where).order_by(Ticket.created_at.desc(), Ticket.id.desc())
    return tuple(ticket_view(session, t) for t in session.scalars(stmt.limit(10)))


NLU_HISTORY = timedelta(days=90)


def nlu_context(session: Session, owner_id: int | None, now: datetime) -> OwnerContext | None:
    """The owner's open repairs and those finished in the last 90 days, for the NLU (repeat vs new report)."""
    if owner_id is None:
        return None
    rows = session.execute(
        select(Ticket.category, Ticket.unit_id, Ticket.status, Ticket.number, Ticket.created_at)
        .where(Ticket.owner_id == owner_id, Ticket.kind == Kind.REPAIR,
               or_(Ticket.status.in_(OPEN_STATUSES), Ticket.updated_at >= now - NLU_HISTORY))
        .order_by(Ticket.created_at.desc()).limit(10)).all()
    refs = tuple(TicketRef(category=category, unit=str(unit_id) if unit_id else None,
                           status="open" if status in OPEN_STATUSES else "closed", number=number, opened_at=at)
                 for category, unit_id, status, number, at in rows)
    return OwnerContext(tickets=refs) if refs else None


def ticket_view(session: Session, t: Ticket) -> TicketView:
    """A ticket as the dialogs see it, with where its page stands and who is on it."""
    pages = list(session.scalars(select(DispatchPage).where(DispatchPage.ticket_id == t.id)
                                 .order_by(DispatchPage.id.desc()).limit(5)))
    acked = next((p for p in pages if p.acked_at is not None), None)
    page_state: str | None = None
    engineer: Staff | None = None
    if acked is not None:
        page_state, engineer = "acked", session.get(Staff, acked.staff_id)
    elif pages and pages[0].status == "sent":
        page_state = "sent"
    elif t.urgency is Urgency.EMERGENCY and t.status.value not in ("closed", "callback_done", "cancelled"):
        page_state = "failed" if not pages or pages[0].status == "escalated" else None
    if engineer is None and t.assignee_id:
        engineer = session.get(Staff, t.assignee_id)
    return TicketView(t.id, t.number, t.kind.value, t.status.value, t.category, t.location, t.unit_id, t.created_at,
                      urgency=t.urgency.value, page=page_state, engineer=engineer.name if engineer else None,
                      appointment_start=t.appointment_start, appointment_end=t.appointment_end)


def build_turn(msg: InboundMessage, state: dict[str, Any],
               parts: tuple[tuple[str, Parse | None], ...] = ()) -> Turn:
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
    kind = msg.kind
    if kind == "text" and not text and any(a.kind in ("video", "file") for a in msg.attachments):
        kind = next(a.kind for a in msg.attachments if a.kind in ("video", "file"))
    return Turn(
        text=text,
        button=button,
        photos=photos,
        location=loc,
        contact_phone=normalise_phone(contact.phone) if contact and contact.phone else None,
        contact_is_sender=bool(contact and contact.own_contact),
        event=msg.event if msg.kind == "event" else None,
        kind=kind,
        parts=parts,
    )


def process(session: Session, msg: InboundMessage, svc: Services, now: datetime) -> fx.Applied:
    """Handle one inbound message end to end (inside the caller's transaction)."""
    identity = get_identity(session, msg.channel, msg.external_user_id, now)
    identity.last_inbound_at = now
    if msg.display_name and not identity.display_name:
        identity.display_name = msg.display_name[:120]
    code = staff_binding.code_in(msg.text) if msg.kind == "text" and identity.owner_id is None else None
    if code is not None:  # a staff member binding this account for pages (anju staff code)
        return staff_binding.bind(session, identity, code, lang=identity.language or "zh", now=now)
    staff = dispatch.staff_by_identity(session, msg.channel, msg.external_user_id)
    if staff is None and msg.channel == "sms":  # SMS senders are E.164, staff phones are stored as 11 digits
        staff = dispatch.staff_by_identity(session, msg.channel, normalise_phone(msg.external_user_id))
    if staff is not None and identity.owner_id is None:
        return _staff_message(session, staff, identity, msg, svc, now)
    conv = get_conversation(session, identity, now)
    conv.owner_id = identity.owner_id
    text = msg.text.strip()
    history = nlu_context(session, identity.owner_id, now) if text and msg.kind != "button" else None
    parse = svc.nlu.parse(text, now=now, context=history) if text and msg.kind != "button" else None
    session.add(Message(conversation_id=conv.id, direction="in", author="owner", text=text, kind=msg.kind,
                        payload=_attachments(msg), nlu=_labels(parse), created_at=now))
    conv.last_message_at = now
    applied = fx.Applied(conversation_id=conv.id)
    if msg.kind == "event" and msg.event == "unsubscribe":
        return applied
    owner = session.get(Owner, identity.owner_id, options=OWNER_VIEW) if identity.owner_id else None
    ctx = _context(session, identity, conv, owner, svc, now)
    parts: tuple[tuple[str, Parse | None], ...] = ()
    if parse is not None and len(pieces := clauses(text)) > 1:
        parts = tuple((piece, svc.nlu.parse(piece, now=now, context=history)) for piece in pieces)
    result = step(conv.state, build_turn(msg, conv.state, parts), parse, ctx)
    identity.language = result.lang
    if conv.mode is not Mode.BOT and not result.effects:  # silent while a person holds or is about to
        conv.state = normalise(result.state)
        applied.console_events.append({"type": "message", "conversation_id": conv.id})
        return applied
    fx.apply(session, conv, identity, result, svc, now, applied)
    return applied


def _context(session: Session, identity: ChannelIdentity, conv: Conversation, owner: Owner | None, svc: Services,
             now: datetime) -> Context:
    view = owner_view(owner) if owner and owner.deleted_at is None else None
    return Context(
        now=now,
        owner=view,
        proven_phone=normalise_phone(identity.external_id) if identity.channel == "sms" else None,
        can_send_otp="sms" in svc.channels and identity.channel != "sms",
        otp_code=f"{secrets.randbelow(10**6):06d}",
        tickets=recent_tickets(session, view.id) if view else recent_tickets(session, None, conv.id),
        find_owner_by_phone=lambda phone: find_owner(session, phone),
        enquiry_answer=lambda topic, o, text, lang: svc.answers.answer(session, topic, o, text, lang, now),
        low_confidence=svc.settings.nlu.low_confidence,
        format_deadline=svc.format_local,
        mode=conv.mode.value,
        can_send_otp_to=lambda phone: otp_allowed(session, phone, now),
    )


OTP_PER_HOUR = 3


def otp_allowed(session: Session, phone: str, now: datetime) -> bool:
    """At most ``OTP_PER_HOUR`` codes per phone per hour (a stranger cannot use us to flood a number)."""
    stmt = select(func.count()).select_from(Outbox).where(Outbox.purpose == "otp", Outbox.recipient == e164(phone),
                                                          Outbox.created_at > now - timedelta(hours=1))
    return (session.scalar(stmt) or 0) < OTP_PER_HOUR


def _staff_message(session: Session, staff: Staff, identity: ChannelIdentity, msg: InboundMessage,
                   svc: Services, now: datetime) -> fx.Applied:
    """An engineer answering a page: ``ack:<id>`` button or a bare acknowledgement word."""
    page = None
    eta_m: re.Match[str] | None = None
    page_ref = (msg.event or "")[4:] if (msg.event or "").startswith("ack:") else ""
    if msg.kind == "button" and page_ref.isascii() and page_ref.isdigit() and len(page_ref) <= 18:
        page = dispatch.acknowledge(session, int(page_ref), staff_id=staff.id, now=now)
    elif msg.text.strip().lower() in dispatch.ACK_WORDS or (eta_m := ACK_ETA.match(msg.text.strip())):
        latest = dispatch.latest_open_page(session, staff.id)
        if latest is not None:
            page = dispatch.acknowledge(session, latest.id, staff_id=staff.id, now=now)
    if page is not None:
        ticket = session.get(Ticket, page.ticket_id)
        text = render("page_acked", staff.language, ticket=ticket.number if ticket else "")
        if ticket is not None:
            eta = ""
            if eta_m is not None:
                minutes = int(eta_m.group(2))
                eta = svc.format_local(now + timedelta(minutes=minutes))
                tickets.add_event(session, ticket, "eta", at=now, actor=f"staff:{staff.id}", minutes=minutes)
            tell_owner_accepted(session, ticket, staff, svc, now, eta=eta)
    else:
        text = render("staff_unknown", staff.language)
    enqueue(session, channel=identity.channel, recipient=identity.external_id, text=text, now=now, staff_id=staff.id)
    applied = fx.Applied()
    if page is not None:
        applied.console_events.append({"type": "page_acked", "ticket_id": page.ticket_id})
    return applied


# "1 20", "收到 20分钟", "ok 15 min": an acknowledgement with the minutes until arrival.
ACK_ETA = re.compile(r"^(1|ok|收到|确认|接单|ack|好的)[\s,，:：]*(\d{1,3})\s*(分钟|分|min|mins|minutes)?(到|"
                     r"后到)?\W*$", re.I)


def tell_owner_accepted(session: Session, ticket: Ticket, staff: Staff, svc: Services, now: datetime,
                        eta: str = "") -> None:
    """The page was acknowledged: the owner hears who accepted, in the conversation the ticket came from."""
    conv = session.get(Conversation, ticket.conversation_id) if ticket.conversation_id else None
    if conv is None:
        return
    identity = session.get(ChannelIdentity, conv.identity_id)
    if identity is None:
        return
    lang = (conv.state or {}).get("lang") or identity.language or "zh"
    result = enter_accepted(conv.state, lang=lang, ticket=ticket.number, engineer=staff.name, eta=eta)
    fx.apply(session, conv, identity, result, svc, now, fx.Applied(conversation_id=conv.id))
    tickets.add_event(session, ticket, "owner_told_accepted", at=now, staff_id=staff.id)


def resume_dialog(session: Session, conv: Conversation, svc: Services, now: datetime) -> list[Message]:
    """After a staff hand-back: the bot resumes where the conversation stands, through the dialogs' entries.

    In order: a flow in progress has its pending question asked again; otherwise a repair awaiting the
    owner's confirmation is put to them (:func:`~bot.dialogs.aftercare.enter_confirm`); otherwise a due
    callback survey is started (:func:`~bot.dialogs.aftercare.enter_survey`). Returns the messages queued.
    """
    identity = session.get(ChannelIdentity, conv.identity_id)
    if identity is None:
        return []
    owner = session.get(Owner, conv.owner_id) if conv.owner_id else None
    state = dict(conv.state or {})
    lang = state.get("lang") or identity.language or (owner.language if owner else "zh")
    result: StepResult | None = None
    if state.get("flow"):
        last = session.scalars(select(Message).where(Message.conversation_id == conv.id, Message.direction == "out",
                                                     Message.author == "bot").order_by(Message.id.desc())
                               .limit(1)).first()
        if last is not None:
            result = StepResult(state, lang=lang)
            choices = tuple((c["label"], c["payload"]) for c in (last.payload or {}).get("choices") or [])
            result.effects.append(Reply(last.text, choices=choices, literal=True))
    elif owner is not None and (ticket := session.scalars(
            select(Ticket).where(Ticket.owner_id == owner.id, Ticket.status == Status.PENDING_OWNER_CONFIRM)
            .order_by(Ticket.updated_at.desc(), Ticket.id.desc()).limit(1)).first()) is not None:
        result = aftercare.enter_confirm(state, lang=lang, ticket_id=ticket.id, ticket=ticket.number)
        tickets.add_event(session, ticket, "confirm_asked", at=now, channel=identity.channel, reminder=False)
    elif owner is not None and (survey := session.scalars(
            select(Survey).where(Survey.owner_id == owner.id, Survey.status == "due", Survey.method == "chat")
            .order_by(Survey.due_at, Survey.id).limit(1)).first()) is not None:
        ticket = session.get(Ticket, survey.ticket_id)
        result = aftercare.enter_survey(state, lang=lang, survey_id=survey.id, ticket_id=survey.ticket_id,
                                        ticket=ticket.number if ticket else "")
        survey.status, survey.attempts = SurveyStatus.SENT, survey.attempts + 1
    if result is None:
        return []
    applied = fx.Applied(conversation_id=conv.id)
    fx.apply(session, conv, identity, result, svc, now, applied)
    return applied.messages


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
