"""Telling staff something: the one way pages, pickup alerts, survey alerts and reminders reach a staff member.

A staff member is reached on the channels they have an address for (Telegram chat, WeChat openid, phone for
SMS) among those this deployment has enabled. Every message is an outbox row with a dedupe key, inserted
only if that key is new, so a sweep that runs twice or a second worker never doubles a message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import Outbox, OutboxPayload, QuickReplyData, Staff
from backend.notify import insert_new_outbox
from backend.outbox import Priority
from backend.phones import e164


def staff_channels(staff: Staff, enabled: Iterable[str]) -> list[tuple[str, str]]:
    """The (channel, recipient) pairs a staff member can be reached on, among enabled channels, best first."""
    pairs = [("telegram", staff.telegram_chat_id), ("wechat", staff.wechat_openid),
             ("sms", e164(staff.phone) if staff.phone else None)]
    on = set(enabled)
    return [(ch, rcpt) for ch, rcpt in pairs if rcpt and ch in on]


def notify_staff(
    session: Session,
    staff: Iterable[Staff],
    *,
    text: str | Callable[[Staff], str],
    dedupe: str,
    now: datetime,
    enabled: Iterable[str],
    purpose: str = "notice",
    priority: Priority = Priority.NOTICE,
    every_channel: bool = False,
    ticket_id: int | None = None,
    quick_replies: list[QuickReplyData] | None = None,
) -> list[tuple[Staff, str]]:
    """Queue one message to each staff member: on their best channel, or on all of them (``every_channel``).

    Args:
        text: The message, or a function giving it for one member (in their language).
        dedupe: The dedupe key, with ``{staff}`` (the member's id) and ``{channel}`` filled in per row;
            rows whose key exists already are skipped.

    Returns:
        The (member, channel) pairs newly queued.
    """
    enabled = list(enabled)
    rows: list[dict[str, Any]] = []
    targets: list[tuple[Staff, str]] = []
    for member in staff:
        reach = staff_channels(member, enabled)
        for channel, recipient in reach if every_channel else reach[:1]:
            payload: OutboxPayload = {"text": text if isinstance(text, str) else text(member)}
            if quick_replies:
                payload["quick_replies"] = quick_replies
            rows.append({"channel": channel, "recipient": recipient, "staff_id": member.id, "purpose": purpose,
                         "priority": int(priority), "payload": payload, "status": "queued", "attempts": 0,
                         "next_attempt_at": now, "created_at": now, "ticket_id": ticket_id,
                         "dedupe_key": dedupe.format(staff=member.id, channel=channel)})
            targets.append((member, channel))
    if not rows:
        return []
    have = set(session.scalars(select(Outbox.dedupe_key).where(Outbox.dedupe_key.in_([r["dedupe_key"] for r in rows]))))
    fresh = [(row, target) for row, target in zip(rows, targets, strict=True) if row["dedupe_key"] not in have]
    insert_new_outbox(session, [row for row, _ in fresh])
    return [target for _, target in fresh]
