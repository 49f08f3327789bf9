"""The console's audit log: who logged in, took over, handed back, changed a status or exported data.

Entries are append-only (the model refuses updates and deletes). Writers call :func:`record` inside
the transaction of the change they describe, so the entry commits with it or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import AuditLog, Staff

ACTIONS = frozenset({
    "login", "login_failed", "lockout", "logout", "takeover", "hand_back", "status_change", "owner_confirmation",
    "assign", "ticket_created", "ticket_linked", "export", "staff_created", "staff_updated", "shift_added",
    "shift_removed", "alert_acked",
    "close_override", "emergency_created",
    "contact_changed", "contact_bound", "contact_tested", "password_reset", "staff_disabled", "bind_code_issued",
    "owners_imported",
    # console for a day's work (issue 15)
    "page_ack_on_behalf", "repage", "conversation_resolved", "conversation_snoozed",
    "conversation_reopened", "phone_revealed", "pipl_erase", "inbound_retry",
})


def record(session: Session, action: str, *, now: datetime, staff: Staff | None = None, actor: str | None = None,
           target: str = "", ip: str | None = None, **data: Any) -> AuditLog:
    """Append one audit entry.

    Args:
        session: The session of the change being audited.
        action: One of :data:`ACTIONS`.
        now: When it happened.
        staff: The staff member who acted, if known.
        actor: A label when there is no staff member (e.g. the username typed at a failed login).
        target: What was acted on, as ``kind:id`` (``conversation:12``, ``ticket:AJ-20261127-0042``).
        ip: The client address.
        **data: Extra JSON-serialisable details.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditLog(
        at=now,
        staff_id=staff.id if staff else None,
        actor=(actor or (f"staff:{staff.id} {staff.username}" if staff else "anonymous"))[:80],
        action=action,
        target=target[:80],
        ip=(ip or None) and ip[:64],
        data=data,
    )
    session.add(entry)
    session.flush()
    return entry


def recent(session: Session, *, action: str | None = None, staff_id: int | None = None, limit: int = 200,
           offset: int = 0) -> list[AuditLog]:
    """The newest entries first, optionally only one action or one staff member's."""
    stmt = select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    if action:
        stmt = stmt.where(AuditLog.action == action)
    if staff_id is not None:
        stmt = stmt.where(AuditLog.staff_id == staff_id)
    return list(session.scalars(stmt.limit(min(limit, 1000)).offset(offset)))
