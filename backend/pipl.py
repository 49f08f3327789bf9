"""Owners' data rights under PIPL (docs/domain.md §7): export everything about an owner, erase (anonymise) an
owner, and record marketing consent changes. Every action is logged as a :class:`ConsentEvent`.

Erasure anonymises rather than deletes rows: tickets, surveys and warranty items stay (without personal
data) because the warranty obligation and the service statistics outlive the owner's contact details.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from backend.db import rowcount
from backend.models import (
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

REDACTED = "[已删除 deleted]"
PERSONAL_EVENT_KEYS = ("comment", "text", "contact", "photos", "reason", "description")


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
    for ident in identities:
        ident.external_id = f"deleted:{ident.id}"
        ident.display_name = None
        ident.marketing_opt_out_at = ident.marketing_opt_out_at or now
    counts["identities"] = len(identities)
    conv_ids = list(session.scalars(select(Conversation.id).where(Conversation.owner_id == owner_id)))
    session.execute(update(Conversation).where(Conversation.id.in_(conv_ids)).values(state={}))
    counts["messages"] = rowcount(session.execute(
        update(Message).where(Message.conversation_id.in_(conv_ids))
        .values(text=REDACTED, payload={}, nlu=None)))
    for channel, ext in external:
        session.execute(update(InboundEvent).where(InboundEvent.channel == channel,
                                                   InboundEvent.external_user_id == ext)
                        .values(external_user_id="deleted", payload={}))
    counts["outbox"] = rowcount(session.execute(
        update(Outbox).where(Outbox.owner_id == owner_id)
        .values(recipient="deleted", payload={"text": REDACTED})))
    session.execute(update(Outbox).where(Outbox.owner_id == owner_id,
                                         Outbox.status.in_((OutboxStatus.QUEUED, OutboxStatus.SENDING)))
                    .values(status=OutboxStatus.SKIPPED, last_error="owner erased"))
    ticket_ids = list(session.scalars(select(Ticket.id).where(Ticket.owner_id == owner_id)))
    counts["tickets"] = rowcount(session.execute(
        update(Ticket).where(Ticket.id.in_(ticket_ids)).values(description=REDACTED)))
    # Ticket events are append-only in the ORM; erasure is the one sanctioned exception (Core update).
    for ev_id, data in session.execute(select(TicketEvent.id, TicketEvent.data)
                                       .where(TicketEvent.ticket_id.in_(ticket_ids))):
        if data and any(k in data for k in PERSONAL_EVENT_KEYS):
            scrubbed = {k: (REDACTED if k in PERSONAL_EVENT_KEYS else v) for k, v in data.items()}
            events = cast(Table, TicketEvent.__table__)
            session.execute(update(events).where(events.c.id == ev_id).values(data=scrubbed))
    session.execute(update(Survey).where(Survey.owner_id == owner_id).values(comment=None))
    owner.name = REDACTED
    owner.phone = f"deleted-{owner.id}"
    owner.marketing_consent = False
    owner.marketing_consent_source = None
    owner.deleted_at = now
    log(session, owner_id, "delete", now=now, actor=actor, source="pipl", reason=reason, **cast(dict[str, Any], counts))
    session.flush()
    return counts
