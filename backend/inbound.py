"""Accepted inbound events: stored before processing, deduplicated on the provider's message id.

The webhook stores the event and answers; a worker claims pending events and processes each in the
same transaction that marks it done, so a crash in between leaves it pending and it is picked up again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from backend.db import is_postgres
from backend.models import InboundEvent, InboundStatus

UNPROCESSED = ("pending", "throttled")


def store(session: Session, *, channel: str, provider_message_id: str, external_user_id: str,
          payload: dict[str, Any], now: datetime, throttled: bool = False) -> int | None:
    """Insert the event unless it was seen before; returns its id, or None for a duplicate (a retry).

    ``throttled`` stores it as ``throttled``: accepted and kept like any other event, but claimed only
    after every other sender's pending events (a flooding sender cannot starve the others).
    """
    values = {
        "channel": channel,
        "provider_message_id": provider_message_id,
        "external_user_id": external_user_id,
        "payload": payload,
        "status": "throttled" if throttled else "pending",
        "attempts": 0,
        "received_at": now,
    }
    ins = pg_insert if is_postgres(session) else sqlite_insert
    stmt = ins(InboundEvent).values(**values).on_conflict_do_nothing().returning(InboundEvent.id)
    return session.execute(stmt).scalar_one_or_none()


def claim_next(session: Session, *, limit: int = 20) -> list[InboundEvent]:
    """Lock unprocessed events that are the oldest unprocessed one of their sender (per-sender order).

    Pending events come before throttled ones (then oldest first). On PostgreSQL rows are locked
    ``FOR UPDATE SKIP LOCKED``, so workers never share an event.
    """
    earlier = aliased(InboundEvent)
    older_pending = exists().where(
        and_(
            earlier.channel == InboundEvent.channel,
            earlier.external_user_id == InboundEvent.external_user_id,
            earlier.status.in_(UNPROCESSED),
            earlier.id < InboundEvent.id,
        )
    )
    throttled_last = case((InboundEvent.status == "throttled", 1), else_=0)
    stmt = (
        select(InboundEvent)
        .where(InboundEvent.status.in_(UNPROCESSED), ~older_pending)
        .order_by(throttled_last, InboundEvent.id)
        .limit(limit)
    )
    if is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True, of=InboundEvent)
    return list(session.scalars(stmt))


def lock_event(session: Session, event_id: int) -> InboundEvent | None:
    """Lock one unprocessed event for processing, or None if another worker has it or it is done."""
    stmt = select(InboundEvent).where(InboundEvent.id == event_id, InboundEvent.status.in_(UNPROCESSED))
    if is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
    return session.scalars(stmt).first()


def mark_done(event: InboundEvent, now: datetime) -> None:
    """Processing finished (in the same transaction as its effects)."""
    event.status, event.processed_at, event.error = InboundStatus.DONE, now, None
    event.attempts += 1


def mark_failed(session: Session, event_id: int, error: str, *, max_attempts: int = 5) -> None:
    """Count a failed attempt (in a fresh transaction); give up after ``max_attempts``."""
    event = session.get(InboundEvent, event_id)
    if event is None:
        return
    event.attempts += 1
    event.error = error[:2000]
    if event.attempts >= max_attempts:
        event.status = InboundStatus.FAILED
