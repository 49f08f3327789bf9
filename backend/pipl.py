"""Owners' data rights under PIPL (docs/domain.md §7): export everything about an owner, erase (anonymise) an
owner, and record marketing consent changes. Every action is logged as a :class:`ConsentEvent`.

Erasure anonymises rather than deletes rows: tickets, surveys and warranty items stay (without personal
data) because the warranty obligation and the service statistics outlive the owner's contact details.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Engine, String, Table, or_, select, text, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from backend.db import rowcount
from backend.models import (
    AuditLog,
    ChannelIdentity,
    ConsentEvent,
    Conversation,
    InboundEvent,
    Message,
    Outbox,
    OutboxStatus,
    Owner,
    Ownership,
    Survey,
    Ticket,
    TicketEvent,
)
from backend.phones import e164

REDACTED = "[已删除 deleted]"
PERSONAL_EVENT_KEYS = ("comment", "text", "contact", "photos", "reason", "description", "note")
PERSONAL_AUDIT_KEYS = ("note", "reason", "comment", "text")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, str | int | float | bool):
        return value.value
    return value


def _row(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {c.key: _plain(getattr(obj, c.key)) for c in obj.__table__.columns if c.key not in skip}


def export_owner(session: Session, owner_id: int) -> dict[str, Any]:
    """All data held about an owner (Art. 45), JSON-serialisable; raises ``LookupError`` if unknown."""
    owner = session.get(Owner, owner_id)
    if owner is None:
        raise LookupError(f"owner {owner_id} not found")
    identities = list(session.scalars(select(ChannelIdentity).where(ChannelIdentity.owner_id == owner_id)))
    conv_ids = list(session.scalars(select(Conversation.id).where(Conversation.owner_id == owner_id)))
    tickets = list(session.scalars(select(Ticket).where(Ticket.owner_id == owner_id).order_by(Ticket.id)))
    ticket_ids = [t.id for t in tickets]
    events = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id.in_(ticket_ids)).order_by(TicketEvent.id))
    by_ticket: dict[int, list[dict[str, Any]]] = {}
    for ev in events:
        by_ticket.setdefault(ev.ticket_id, []).append(_row(ev, ("ticket_id",)))
    return {
        "owner": _row(owner),
        "units": [{**_row(o, ("owner_id",)), "unit": o.unit.label, "project": o.unit.building.project.name}
                  for o in session.scalars(select(Ownership).where(Ownership.owner_id == owner_id))],
        "channel_identities": [_row(i) for i in identities],
        "messages": [_row(m) for m in session.scalars(
            select(Message).where(Message.conversation_id.in_(conv_ids)).order_by(Message.id))],
        "tickets": [{**_row(t), "events": by_ticket.get(t.id, [])} for t in tickets],
        "surveys": [_row(s) for s in session.scalars(select(Survey).where(Survey.owner_id == owner_id))],
        "notices": [{k: _plain(v) for k, v in r._mapping.items()} for r in session.execute(
            select(Outbox.channel, Outbox.purpose, Outbox.status, Outbox.payload, Outbox.created_at, Outbox.sent_at)
            .where(Outbox.owner_id == owner_id).order_by(Outbox.id))],
        "consent_events": [_row(c) for c in session.scalars(
            select(ConsentEvent).where(ConsentEvent.owner_id == owner_id).order_by(ConsentEvent.id))],
    }


def log(session: Session, owner_id: int | None, action: str, *, now: datetime, actor: str, source: str = "",
        channel: str | None = None, text_version: str | None = None, **detail: Any) -> ConsentEvent:
    """Append a consent/data-rights event."""
    event = ConsentEvent(owner_id=owner_id, action=action, source=source, actor=actor, channel=channel,
                         text_version=text_version, detail=detail, at=now)
    session.add(event)
    return event


def set_marketing_consent(session: Session, owner_id: int, *, granted: bool, now: datetime, actor: str,
                          source: str, text_version: str | None = None) -> Owner:
    """Grant or withdraw marketing consent (Arts 13-15), with proof kept in the log."""
    owner = session.get(Owner, owner_id)
    if owner is None or owner.deleted_at is not None:
        raise LookupError(f"owner {owner_id} not found")
    owner.marketing_consent = granted
    owner.marketing_consent_at = now
    owner.marketing_consent_source = source[:60]
    log(session, owner_id, "grant" if granted else "withdraw", now=now, actor=actor, source=source,
        text_version=text_version)
    return owner


def erase_owner(session: Session, owner_id: int, *, now: datetime, actor: str, reason: str = "") -> dict[str, int]:
    """Anonymise an owner (Art. 47): identity, contact data, message texts, free text on tickets and surveys.

    Pending outbox rows to the owner are cancelled. Returns counts of what changed. The caller commits.
    """
    owner = session.get(Owner, owner_id)
    if owner is None:
        raise LookupError(f"owner {owner_id} not found")
    counts: dict[str, int] = {}
    identities = list(session.scalars(select(ChannelIdentity).where(ChannelIdentity.owner_id == owner_id)))
    external = [(i.channel, i.external_id) for i in identities]
    # Where the owner was written to or from before and after binding: chat ids and the phone.
    recipients = {ext for _, ext in external} | {owner.phone, e164(owner.phone)}
    for ident in identities:
        ident.external_id = f"deleted:{ident.id}"
        ident.display_name = None
        ident.marketing_opt_out_at = ident.marketing_opt_out_at or now
    counts["identities"] = len(identities)
    ident_ids = [i.id for i in identities]
    # Conversations of identities that never bound but typed the owner's phone (a binding attempt, an OTP).
    typed_phone = list(session.scalars(select(Message.conversation_id).where(
        Message.direction == "in", Message.text.like(f"%{owner.phone}%")).distinct()))
    conv_ids = list(session.scalars(select(Conversation.id).where(or_(
        Conversation.owner_id == owner_id, Conversation.identity_id.in_(ident_ids or [-1]),
        Conversation.id.in_(typed_phone or [-1])))))
    other_idents = [(c, e) for c, e in session.execute(
        select(ChannelIdentity.channel, ChannelIdentity.external_id).join(
            Conversation, Conversation.identity_id == ChannelIdentity.id)
        .where(Conversation.id.in_(conv_ids or [-1]), ChannelIdentity.owner_id.is_(None)))]
    external += other_idents
    recipients |= {e for _, e in other_idents}
    session.execute(update(InboundEvent).where(sql_cast(InboundEvent.payload, String).like(f"%{owner.phone}%"))
                    .values(payload={}, error=None))
    session.execute(update(Conversation).where(Conversation.id.in_(conv_ids)).values(state={}))
    counts["messages"] = rowcount(session.execute(
        update(Message).where(Message.conversation_id.in_(conv_ids))
        .values(text=REDACTED, payload={}, nlu=None)))
    for channel, ext in external:
        session.execute(update(InboundEvent).where(InboundEvent.channel == channel,
                                                   InboundEvent.external_user_id == ext)
                        .values(external_user_id="deleted", payload={}, error=None))
    ticket_ids = list(session.scalars(select(Ticket.id).where(Ticket.owner_id == owner_id)))
    # Outbox: replies and notices to the owner, pre-binding OTP SMS and replies (by recipient), pages to
    # engineers and staff alerts about the owner's tickets (name, full phone, address, words, survey comments).
    mine = or_(Outbox.owner_id == owner_id, Outbox.recipient.in_(recipients),
               Outbox.ticket_id.in_(ticket_ids or [-1]))
    to_owner = or_(Outbox.owner_id == owner_id, Outbox.recipient.in_(recipients))
    session.execute(update(Outbox).where(mine, Outbox.status.in_((OutboxStatus.QUEUED, OutboxStatus.SENDING)), to_owner)
                    .values(status=OutboxStatus.SKIPPED))
    counts["outbox"] = rowcount(session.execute(
        update(Outbox).where(mine).values(payload={"text": REDACTED}, last_error=None)))
    session.execute(update(Outbox).where(to_owner).values(recipient="deleted"))
    counts["tickets"] = rowcount(session.execute(
        update(Ticket).where(Ticket.id.in_(ticket_ids)).values(description=REDACTED)))
    # Ticket events and audit entries are append-only in the ORM; erasure is the one sanctioned exception
    # (Core update).
    for ev_id, data in session.execute(select(TicketEvent.id, TicketEvent.data)
                                       .where(TicketEvent.ticket_id.in_(ticket_ids))):
        if data and any(k in data for k in PERSONAL_EVENT_KEYS):
            scrubbed = {k: (REDACTED if k in PERSONAL_EVENT_KEYS else v) for k, v in data.items()}
            events = cast(Table, TicketEvent.__table__)
            session.execute(update(events).where(events.c.id == ev_id).values(data=scrubbed))
    numbers = list(session.scalars(select(Ticket.number).where(Ticket.id.in_(ticket_ids))))
    targets = [f"ticket:{n}" for n in numbers] + [f"owner:{owner_id}"] + [f"conversation:{c}" for c in conv_ids]
    for entry_id, data in session.execute(select(AuditLog.id, AuditLog.data).where(AuditLog.target.in_(targets))):
        if data and any(k in data for k in PERSONAL_AUDIT_KEYS):
            scrubbed = {k: (REDACTED if k in PERSONAL_AUDIT_KEYS else v) for k, v in data.items()}
            entries = cast(Table, AuditLog.__table__)
            session.execute(update(entries).where(entries.c.id == entry_id).values(data=scrubbed))
    session.execute(update(Survey).where(or_(Survey.owner_id == owner_id, Survey.ticket_id.in_(ticket_ids or [-1])))
                    .values(comment=None))
    owner.name = REDACTED
    owner.phone = f"deleted-{owner.id}"
    owner.marketing_consent = False
    owner.marketing_consent_source = None
    owner.deleted_at = now
    log(session, owner_id, "delete", now=now, actor=actor, source="pipl", reason=reason, **cast(dict[str, Any], counts))
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA secure_delete = ON"))  # freed cells are zeroed, not left in the file
    session.flush()
    return counts


def compact(engine: Engine) -> bool:
    """After an erase has committed: on SQLite, checkpoint the WAL and truncate it, so the erased rows'
    old versions do not linger in ``-wal``. Returns False when another connection kept the checkpoint
    from completing (run it again later; the next automatic checkpoint also overwrites them)."""
    if engine.dialect.name != "sqlite":
        return True
    try:
        with engine.connect() as conn:
            row = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
    except OperationalError:  # busy, or an in-memory database (tests): nothing to truncate now
        return False
    return row is None or row[0] == 0
