"""Emergency dispatch: the on-call rota, pages with acknowledgement, and escalation to the next layer.

Layers: 1 first responder, 2 backup, 3 supervisor. A page goes out on every channel the engineer
has (priority 0, ahead of all other outbox rows); an unacknowledged page pages the next layer when
its ``ack_due_at`` passes. Every page and acknowledgement is a ticket event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db import is_postgres
from backend.models import ConsoleAlert, DispatchPage, OnCallShift, Role, Staff, Ticket
from backend.notify import render
from backend.outbox import PAGE_PRIORITY, enqueue
from backend.phones import e164
from backend.tickets import add_event

log = logging.getLogger(__name__)
ALARM_KIND = "page_unreachable"

MAX_LAYER = 3
ACK_WORDS = frozenset({"1", "ok", "收到", "确认", "接单", "ack", "好的"})

# A function that writes the page text for (ticket, layer, staff).
PageText = Callable[[Ticket, int, Staff], str]


def on_call(session: Session, layer: int, at: datetime) -> Staff | None:
    """Who is on ``layer`` at ``at`` (the most recently started shift wins)."""
    stmt = (
        select(OnCallShift)
        .where(OnCallShift.layer == layer, OnCallShift.starts_at <= at, OnCallShift.ends_at > at)
        .order_by(OnCallShift.starts_at.desc())
        .limit(1)
    )
    shift = session.scalars(stmt).first()
    return shift.staff if shift else None


def staff_channels(staff: Staff, enabled: Iterable[str]) -> list[tuple[str, str]]:
    """The (channel, recipient) pairs a staff member can be paged on, among enabled channels."""
    pairs = [("telegram", staff.telegram_chat_id), ("wechat", staff.wechat_openid),
             ("sms", e164(staff.phone) if staff.phone else None)]
    on = set(enabled)
    return [(ch, rcpt) for ch, rcpt in pairs if rcpt and ch in on]


def page(session: Session, ticket: Ticket, *, now: datetime, ack_after: timedelta, text: PageText,
         enabled_channels: Iterable[str], layer: int = 1) -> DispatchPage | None:
    """Page the on-call person of ``layer`` (or the next staffed layer) about ``ticket``.

    Returns None when nobody is on call on any remaining layer (recorded as a ticket event).
    """
    enabled = list(enabled_channels)
    skipped: list[Staff] = []
    for current in range(layer, MAX_LAYER + 1):
        staff = on_call(session, current, now)
        if staff is None:
            continue
        if not staff_channels(staff, enabled):
            # On call but nothing to page them on: say so now and go straight to the next layer.
            add_event(session, ticket, "page_unreachable", at=now, layer=current, staff_id=staff.id, staff=staff.name)
            skipped.append(staff)
            continue
        pg = DispatchPage(ticket_id=ticket.id, layer=current, staff_id=staff.id, sent_at=now,
                          ack_due_at=now + ack_after)
        session.add(pg)
        session.flush()
        channels = staff_channels(staff, enabled)
        for channel, recipient in channels:
            enqueue(session, channel=channel, recipient=recipient, text=text(ticket, current, staff), now=now,
                    purpose="page", priority=PAGE_PRIORITY, staff_id=staff.id, ticket_id=ticket.id,
                    dedupe_key=f"page:{pg.id}:{channel}",
                    quick_replies=[{"label": "1 接单 / Ack", "payload": f"ack:{pg.id}"}])
        add_event(session, ticket, "paged", at=now, layer=current, staff_id=staff.id, staff=staff.name,
                  channels=[c for c, _ in channels], page_id=pg.id)
        if skipped:  # someone on call could not be paged: still an alarm, though a later layer got it
            alarm(session, ticket, now=now, enabled=enabled, layer=layer,
                  reason=_unreachable(skipped) + f"; paged layer {current} instead", exclude=[s.id for s in skipped])
        return pg
    reason = f"nobody on call from layer {layer}"
    if skipped:
        reason = f"nobody reachable on call from layer {layer}: " + _unreachable(skipped)
    add_event(session, ticket, "page_failed", at=now, reason=reason)
    alarm(session, ticket, now=now, enabled=enabled, layer=layer, reason=reason, exclude=[s.id for s in skipped])
    return None


def _unreachable(people: list[Staff]) -> str:
    return ", ".join(f"{p.name} ({p.username}) has no reachable channel" for p in people)


def alarm(session: Session, ticket: Ticket, *, now: datetime, enabled: Iterable[str], layer: int, reason: str,
          exclude: Iterable[int] = ()) -> ConsoleAlert:
    """A page reached nobody: console alert, an ERROR line, and a message to every supervisor who can be reached.

    Supervisors (and admins) are messaged on every channel they have, except the people who could not
    be paged. The count is exported from the ticket events (``anju_pages_unreachable_total``).
    """
    log.error("ALARM page for emergency %s reached nobody on layer %d: %s", ticket.number, layer, reason)
    alert = session.scalars(select(ConsoleAlert).where(
        ConsoleAlert.kind == ALARM_KIND, ConsoleAlert.conversation_id == ticket.conversation_id,
        ConsoleAlert.since == now)).first() if ticket.conversation_id else None
    if alert is None:
        alert = ConsoleAlert(kind=ALARM_KIND, conversation_id=ticket.conversation_id, ticket_id=ticket.id, since=now,
                             created_at=now)
        session.add(alert)
        session.flush()
    skip = set(exclude)
    people = session.scalars(select(Staff).where(Staff.role.in_((Role.SUPERVISOR, Role.ADMIN)),
                                                 Staff.active.is_(True)).order_by(Staff.id)).all()
    told = []
    for sup in people:
        if sup.id in skip:
            continue
        text = render("page_alarm", sup.language, ticket=ticket.number, layer=layer, reason=reason,
                      text=ticket.description[:120])
        for channel, recipient in staff_channels(sup, enabled):
            enqueue(session, channel=channel, recipient=recipient, text=text, now=now, purpose="page",
                    priority=PAGE_PRIORITY, staff_id=sup.id, ticket_id=ticket.id,
                    dedupe_key=f"alarm:{alert.id}:{ticket.id}:{sup.id}:{channel}")
            told.append(sup.id)
    if not told:
        log.error("ALARM for emergency %s: no supervisor can be reached either", ticket.number)
    add_event(session, ticket, "alarm", at=now, layer=layer, reason=reason, alert_id=alert.id,
              supervisors=sorted(set(told)))
    return alert


def acknowledge(session: Session, page_id: int, *, staff_id: int, now: datetime) -> DispatchPage | None:
    """Record an engineer's acknowledgement; returns the page, or None if it was not theirs/open."""
    pg = session.get(DispatchPage, page_id)
    if pg is None or pg.staff_id != staff_id or pg.acked_at is not None:
        return None
    pg.status, pg.acked_at = "acked", now
    ticket = session.get(Ticket, pg.ticket_id)
    assert ticket is not None
    ticket.assignee_id = ticket.assignee_id or staff_id
    add_event(session, ticket, "page_acked", at=now, actor=f"staff:{staff_id}", layer=pg.layer, page_id=pg.id,
              after_s=round((now - pg.sent_at).total_seconds(), 1))
    return pg


def latest_open_page(session: Session, staff_id: int) -> DispatchPage | None:
    """The staff member's most recent unacknowledged page (for a bare "1" reply)."""
    stmt = (
        select(DispatchPage)
        .where(DispatchPage.staff_id == staff_id, DispatchPage.acked_at.is_(None), DispatchPage.status == "sent")
        .order_by(DispatchPage.sent_at.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def escalate_unacked(session: Session, *, now: datetime, ack_after: timedelta, text: PageText,
                     enabled_channels: Iterable[str]) -> list[DispatchPage]:
    """Sweep: page the next layer for every page whose acknowledgement is overdue."""
    stmt = select(DispatchPage).where(DispatchPage.status == "sent", DispatchPage.ack_due_at <= now)
    if is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
    new_pages = []
    enabled = list(enabled_channels)
    for pg in session.scalars(stmt).all():
        pg.status = "escalated"
        ticket = session.get(Ticket, pg.ticket_id)
        assert ticket is not None
        add_event(session, ticket, "page_unacked", at=now, layer=pg.layer, page_id=pg.id)
        if pg.layer < MAX_LAYER:
            nxt = page(session, ticket, now=now, ack_after=ack_after, text=text, enabled_channels=enabled,
                       layer=pg.layer + 1)
            if nxt is not None:
                new_pages.append(nxt)
    return new_pages


def staff_by_identity(session: Session, channel: str, external_id: str) -> Staff | None:
    """The active staff member behind a channel identity, if any (engineers answering pages)."""
    column = {"telegram": Staff.telegram_chat_id, "wechat": Staff.wechat_openid, "sms": Staff.phone,
              "terminal": Staff.username}.get(channel)
    if column is None:
        return None
    return session.scalars(select(Staff).where(column == external_id, Staff.active.is_(True)).limit(1)).first()
