"""The transactional outbox: every outbound message is a row, written with the change that caused it.

Workers claim due rows with a lease (``status='sending'``, ``next_attempt_at`` = lease expiry); on
PostgreSQL the claim uses ``FOR UPDATE SKIP LOCKED`` so any number of workers can run. A row whose
lease expired (its worker died) is due again. Failures back off exponentially and dead-letter after
``max_attempts``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import IntEnum
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.orm import Session

from backend.db import is_postgres, rowcount
from backend.models import Outbox, OutboxPayload, OutboxStatus

LEASE = timedelta(seconds=60)


class Priority(IntEnum):
    """Outbox order: lower goes first (``claim_due`` sorts on it). Stored as the integer."""

    PAGE = 0  # emergency pages and staff alarms jump the queue
    URGENT = 1  # an emergency's safety steps to the owner, one-time codes
    NOTICE = 4  # staff notices (survey alerts, manual callbacks)
    REPLY = 5  # the bot's and staff's replies in a conversation
    FOLLOW_UP = 6  # survey prompts, reminders to staff
    BULK = 8  # progress updates, campaigns, warranty reminders


PAGE_PRIORITY = Priority.PAGE
REPLY_PRIORITY = Priority.REPLY
BULK_PRIORITY = Priority.BULK
QUIET_PURPOSES = frozenset({"notice", "marketing", "survey"})


@dataclass(frozen=True)
class QuietHours:
    """A nightly window in which notices wait (P0/P1 pages and replies are exempt)."""

    start: time = time(21, 0)
    end: time = time(8, 0)
    tz: ZoneInfo = ZoneInfo("Asia/Shanghai")

    def next_allowed(self, now: datetime) -> datetime | None:
        """None when ``now`` is outside quiet hours, otherwise when they end."""
        local = now.astimezone(self.tz)
        t = local.timetz().replace(tzinfo=None)
        inside = (t >= self.start or t < self.end) if self.start > self.end else (self.start <= t < self.end)
        if not inside:
            return None
        day = local.date() if t < self.end else local.date() + timedelta(days=1)
        return datetime.combine(day, self.end, tzinfo=self.tz).astimezone(now.tzinfo)


def enqueue(
    session: Session,
    *,
    channel: str,
    recipient: str,
    text: str,
    now: datetime,
    purpose: str = "reply",
    priority: Priority = Priority.REPLY,
    owner_id: int | None = None,
    staff_id: int | None = None,
    ticket_id: int | None = None,
    dedupe_key: str | None = None,
    **extra: Any,
) -> Outbox:
    """Queue one message. ``extra`` holds the other :class:`~backend.models.OutboxPayload` fields (quick_replies,
    template_id...); unknown fields are refused."""
    unknown = set(extra) - set(OutboxPayload.__annotations__)
    if unknown:
        raise TypeError(f"not outbox payload fields: {sorted(unknown)}")
    payload = cast(OutboxPayload, {"text": text, **{k: v for k, v in extra.items() if v not in (None, (), [], {})}})
    row = Outbox(
        channel=channel,
        recipient=recipient,
        purpose=purpose,
        priority=int(priority),
        owner_id=owner_id,
        staff_id=staff_id,
        ticket_id=ticket_id,
        payload=payload,
        dedupe_key=dedupe_key,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def relaxed_commit(session: Session) -> None:
    """On PostgreSQL, let this transaction's commit return before its WAL reaches the disk.

    Used only for outbox bookkeeping (leases and send results). Losing such a commit needs a crash of
    the database server itself, and then the row is simply due again and re-sent: the at-least-once
    delivery the outbox guarantees anyway. Inbound events and their effects keep durable commits.
    """
    if is_postgres(session):
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def claim_due(session: Session, *, now: datetime, limit: int = 50, channels: Iterable[str] | None = None,
              quiet: QuietHours | None = None, exclude: Iterable[str] | None = None, lease: timedelta = LEASE,
              page_lease: timedelta | None = None, worker: str | None = None) -> list[Outbox]:
    """Lease up to ``limit`` due rows (emergency pages first) and commit the lease.

    ``channels`` keeps only those channels, ``exclude`` leaves those out (delivery lanes).
    Quiet-hours notices found due inside the quiet window are pushed to its end instead.
    Emergency pages (priority 0) get the shorter ``page_lease`` when given, so a page claimed by a
    worker that dies is due again within seconds; ``worker`` is recorded on the lease so a restarted
    worker can release what its dead predecessor held (:func:`release_leases`).
    """
    stmt = (
        select(Outbox)
        .where(Outbox.status.in_(("queued", "sending")), Outbox.next_attempt_at <= now)
        .order_by(Outbox.priority, Outbox.next_attempt_at, Outbox.id)
        .limit(limit)
    )
    if channels is not None:
        stmt = stmt.where(Outbox.channel.in_(list(channels)))
    if exclude:
        stmt = stmt.where(Outbox.channel.not_in(list(exclude)))
    if is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
        relaxed_commit(session)
    rows = list(session.scalars(stmt))
    claimed = []
    wait_until = quiet.next_allowed(now) if quiet else None
    for row in rows:
        if wait_until and row.purpose in QUIET_PURPOSES:
            row.status, row.next_attempt_at = OutboxStatus.QUEUED, wait_until
            continue
        held = page_lease if page_lease is not None and row.priority == Priority.PAGE else lease
        row.status, row.next_attempt_at, row.leased_by = OutboxStatus.SENDING, now + held, worker
        row.attempts += 1
        claimed.append(row)
    session.commit()
    return claimed


def record_result(session: Session, row_id: int, *, ok: bool, now: datetime, provider_message_id: str | None = None,
                  retryable: bool = False, retry_after: float | None = None, error: str | None = None,
                  max_attempts: int = 6, base_backoff_s: float = 2.0) -> Outbox:
    """Store one send attempt's outcome: sent, retry later with backoff, or dead-letter."""
    relaxed_commit(session)
    row = session.get(Outbox, row_id)
    assert row is not None
    if ok:
        row.status, row.sent_at, row.last_error = OutboxStatus.SENT, now, None
        row.provider_message_id = provider_message_id
    elif retryable and row.attempts < max_attempts:
        delay = retry_after if retry_after is not None else base_backoff_s * 2 ** (row.attempts - 1)
        row.status, row.next_attempt_at, row.last_error = OutboxStatus.QUEUED, now + timedelta(seconds=delay), error
    else:
        row.status, row.last_error = OutboxStatus.DEAD, error
    session.flush()
    return row


def release_leases(session: Session, workers: Iterable[str], *, now: datetime) -> int:
    """Make the rows leased by ``workers`` (dead processes) due again at once; returns how many."""
    names = list(workers)
    if not names:
        return 0
    result = session.execute(
        update(Outbox)
        .where(Outbox.status == OutboxStatus.SENDING, Outbox.leased_by.in_(names))
        .values(status=OutboxStatus.QUEUED, next_attempt_at=now, leased_by=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def mark_delivery(session: Session, provider_message_id: str, status: str, error: str | None = None) -> int:
    """Apply a platform delivery receipt (e.g. Twilio ``delivered``/``failed``); returns rows changed."""
    mapped = {"delivered": "delivered", "read": "delivered", "failed": "failed", "undelivered": "failed"}.get(status)
    if mapped is None:
        return 0
    result = session.execute(
        update(Outbox)
        .where(Outbox.provider_message_id == provider_message_id, Outbox.status.in_(("sent", "delivered")))
        .values(status=mapped, last_error=error)
    )
    return rowcount(result)


def requeue_dead(session: Session, row_id: int, *, now: datetime) -> Outbox:
    """Give a dead-lettered row another round of attempts (from the console)."""
    row = session.get(Outbox, row_id)
    assert row is not None
    row.status, row.attempts, row.next_attempt_at = OutboxStatus.QUEUED, 0, now
    return row


def pending_count(session: Session) -> int:
    """Rows still to deliver (queued or leased)."""
    stmt = select(func.count()).select_from(Outbox).where(or_(Outbox.status == "queued", Outbox.status == "sending"))
    return session.scalar(stmt) or 0
