"""Who may see what, and the inbox rows.

Agents see the conversations they hold, those of the owners they advise (客服顾问制), and waiting
conversations in the shared queue (or reserved for them as advisor); supervisors and admins see all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend import conversations as convs
from backend.models import (
    ChannelIdentity,
    ConsoleAlert,
    Conversation,
    Kind,
    Level,
    Message,
    Mode,
    Owner,
    Ownership,
    Role,
    Staff,
    Ticket,
    Urgency,
)
from backend.phones import mask_phone, normalise_phone
from backend.tickets import OPEN_STATUSES
from bot.console.auth import Ctx
from bot.console.i18n import config

MAX_ROWS = 300
HANDLED_RANK = 9
PREVIEW = 80


def advisor_window() -> timedelta:
    """How long a waiting owner is reserved for their own advisor."""
    return timedelta(minutes=config().advisor_first_minutes)


def can_see_conversation(session: Session, ctx: Ctx, conv: Conversation) -> bool:
    """True when the staff member may open this conversation."""
    if ctx.at_least(Role.SUPERVISOR) or conv.held_by_id == ctx.staff_id:
        return True
    if conv.urgency == "emergency":
        return True  # every agent may act on an emergency they are alerted to, bound owner or not
    owner = session.get(Owner, conv.owner_id) if conv.owner_id else None
    if owner is None:
        owner = sms_owner(session, conv)  # a registered owner writing by SMS before binding
    if owner is not None and owner.advisor_id == ctx.staff_id:
        return True
    if conv.mode is Mode.WAITING:
        reserved = convs.route_waiting(session, conv, now=ctx.now, advisor_window=advisor_window())
        return reserved in (None, ctx.staff_id)
    return False


def sms_owner(session: Session, conv: Conversation) -> Owner | None:
    """The active owner whose registered phone is this unbound SMS conversation's number (recognised, not bound)."""
    if conv.owner_id is not None:
        return None
    identity = session.get(ChannelIdentity, conv.identity_id)
    if identity is None or identity.channel != "sms":
        return None
    try:
        phone = normalise_phone(identity.external_id)
    except ValueError:
        return None
    return session.scalars(select(Owner).where(Owner.phone == phone, Owner.deleted_at.is_(None)).limit(1)).first()


def can_see_ticket(ctx: Ctx, ticket: Ticket) -> bool:
    """Supervisors see every ticket; agents those they advise, are assigned or took first (首问负责制),
    and every emergency (any agent may be the one who answers it)."""
    return ctx.at_least(Role.SUPERVISOR) or ticket.urgency is Urgency.EMERGENCY or \
        ctx.staff_id in (ticket.advisor_id, ticket.assignee_id, ticket.first_contact_owner_id)


@dataclass
class InboxRow:
    """One line of the inbox."""

    id: int
    channel: str
    who: str
    owner_name: str | None
    unit: str | None
    mode: str
    held_by: str | None
    urgency: str
    waiting_s: float | None
    last_message_at: datetime
    preview: str
    escalated: bool
    alert: bool
    reserved_for: str | None
    resolved: bool = False
    snoozed_until: datetime | None = None

    @property
    def red(self) -> bool:
        """Shown as an unhandled emergency (resolving or snoozing clears it)."""
        return self.urgency == "emergency" and not self.resolved and self.snoozed_until is None

    @property
    def rank(self) -> int:
        """Sort bucket: owners waiting for a person (emergencies first), unhandled emergencies, escalated
        complaints, held, bot; resolved and snoozed conversations last."""
        if self.resolved or self.snoozed_until is not None:
            return HANDLED_RANK
        if self.mode == "waiting":
            return 0 if self.urgency == "emergency" else 1
        if self.red:
            return 2
        if self.escalated:
            return 3
        return {"staff": 4}.get(self.mode, 5)


def inbox_rows(session: Session, ctx: Ctx) -> list[InboxRow]:
    """The live conversations this staff member may see, most pressing first."""
    live_since = ctx.now - timedelta(hours=config().live_hours)
    stmt = (select(Conversation).where(or_(Conversation.mode != Mode.BOT, Conversation.last_message_at >= live_since))
            .order_by(Conversation.last_message_at.desc()).limit(MAX_ROWS))
    rows = [c for c in session.scalars(stmt) if can_see_conversation(session, ctx, c)]
    if not rows:
        return []
    ids = [c.id for c in rows]
    owner_ids = {c.owner_id for c in rows if c.owner_id}
    escalated = _escalated(session, ids, owner_ids)
    alerts = set(session.scalars(select(ConsoleAlert.conversation_id).where(
        ConsoleAlert.conversation_id.in_(ids), ConsoleAlert.acked_at.is_(None))))
    names = {i: n for i, n in session.execute(select(Staff.id, Staff.name))}
    out = []
    for conv in rows:
        identity = session.get(ChannelIdentity, conv.identity_id)
        owner = session.get(Owner, conv.owner_id) if conv.owner_id else sms_owner(session, conv)
        last = session.scalars(select(Message).where(Message.conversation_id == conv.id, Message.direction == "in")
                               .order_by(Message.id.desc()).limit(1)).first()
        reserved = convs.route_waiting(session, conv, now=ctx.now, advisor_window=advisor_window())
        resolved, snoozed = handled_state(conv, last.created_at if last else None, ctx.now)
        out.append(InboxRow(
            id=conv.id, channel=identity.channel if identity else "?",
            who=(identity.display_name or _mask(identity.channel, identity.external_id)) if identity else "?",
            owner_name=owner.name if owner else None, unit=unit_label(session, owner),
            mode=conv.mode.value, held_by=names.get(conv.held_by_id) if conv.held_by_id else None,
            urgency=conv.urgency, waiting_s=(ctx.now - conv.waiting_since).total_seconds()
            if conv.mode is Mode.WAITING and conv.waiting_since else None,
            last_message_at=conv.last_message_at, preview=(last.text[:PREVIEW] if last else ""),
            escalated=conv.id in escalated or (conv.owner_id in escalated.owners if conv.owner_id else False),
            alert=conv.id in alerts, reserved_for=names.get(reserved) if reserved else None,
            resolved=resolved, snoozed_until=snoozed))
    out.sort(key=lambda r: (r.rank, -(r.waiting_s or 0), -r.last_message_at.timestamp()))
    return out


def handled_state(conv: Conversation, last_inbound: datetime | None, now: datetime) -> tuple[bool, datetime | None]:
    """``(resolved, snoozed_until)`` of a conversation.

    Resolving sets ``resolved_at``; snoozing sets it too, with ``snoozed_until``. Either ends when the owner
    writes again after it, and a snooze also when its time is up.
    """
    if conv.resolved_at is None or (last_inbound is not None and last_inbound > conv.resolved_at):
        return False, None
    if conv.snoozed_until is not None:
        return (False, conv.snoozed_until) if conv.snoozed_until > now else (False, None)
    return True, None


class _Escalated(set[int]):
    owners: set[int]


def _escalated(session: Session, conv_ids: list[int], owner_ids: set[int]) -> _Escalated:
    """Conversation ids (and owners) with an open complaint escalated above the CS centre."""
    stmt = select(Ticket.conversation_id, Ticket.owner_id).where(
        Ticket.kind == Kind.COMPLAINT, Ticket.level.in_((Level.DEV_DEPT, Level.HQ)), Ticket.status.in_(OPEN_STATUSES),
        or_(Ticket.conversation_id.in_(conv_ids), Ticket.owner_id.in_(owner_ids or {-1})))
    found = _Escalated()
    found.owners = set()
    for conv_id, owner_id in session.execute(stmt):
        if conv_id:
            found.add(conv_id)
        if owner_id:
            found.owners.add(owner_id)
    return found


def unit_label(session: Session, owner: Owner | None) -> str | None:
    """The owner's first unit, e.g. ``安居花园 3栋2单元1502``."""
    if owner is None:
        return None
    ownership = session.scalars(select(Ownership).where(Ownership.owner_id == owner.id)
                                .order_by(Ownership.unit_id).limit(1)).first()
    if ownership is None:
        return None
    unit = ownership.unit
    return f"{unit.building.project.name} {unit.label}"


def _mask(channel: str, external_id: str) -> str:
    if channel == "sms":  # the sender id is the owner's phone number: the one phone mask
        return mask_phone(external_id)
    return external_id if len(external_id) <= 6 else f"{external_id[:3]}…{external_id[-3:]}"
