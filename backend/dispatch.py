"""Emergency dispatch: the on-call rota, pages with acknowledgement, and escalation to the next layer.

Layers: 1 first responder, 2 backup, 3 supervisor. A page goes out on every channel the engineer
has (priority 0, ahead of all other outbox rows); an unacknowledged page pages the next layer when
its ``ack_due_at`` passes. Every page and acknowledgement is a ticket event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db import is_postgres
from backend.models import ConsoleAlert, DispatchPage, OnCallShift, PageStatus, Role, Staff, Ticket
from backend.notify import render
from backend.outbox import Priority
from backend.staff_notify import notify_staff, staff_channels
from backend.tickets import ServiceRules, add_event

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
        sent = notify_staff(session, [staff], text=text(ticket, current, staff), dedupe=f"page:{pg.id}:{{channel}}",
                            now=now,
                            enabled=enabled, purpose="page", priority=Priority.PAGE, every_channel=True,
                            ticket_id=ticket.id, quick_replies=[{"label": "1 接单 / Ack", "payload": f"ack:{pg.id}"}])
        add_event(session, ticket, "paged", at=now, layer=current, staff_id=staff.id, staff=staff.name,
                  channels=[c for _, c in sent], page_id=pg.id)
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
    targets = [sup for sup in people if sup.id not in skip]
    sent = notify_staff(
        session, targets, now=now, enabled=enabled, purpose="page", priority=Priority.PAGE, every_channel=True,
        ticket_id=ticket.id, dedupe=f"alarm:{alert.id}:{ticket.id}:{{staff}}:{{channel}}",
        text=lambda sup: render("page_alarm", sup.language, ticket=ticket.number, layer=layer, reason=reason,
                                text=ticket.description[:120]))
    told = [sup.id for sup, _ in sent]
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
    pg.status, pg.acked_at = PageStatus.ACKED, now
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
        pg.status = PageStatus.ESCALATED
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


def dispatch_if_emergency(session: Session, ticket: Ticket, *, now: datetime, ack_after: timedelta,
                          text: PageText, enabled_channels: Iterable[str]) -> DispatchPage | None:
    """S2: page the on-call engineer for an emergency repair that has not been paged yet (any entry path:
    bot, hotline typed into the console, API). Returns the page, or None (not an emergency, already
    paged, or nobody on call: a ``page_failed`` event).
    """
    from backend.models import Kind, Urgency

    if ticket.kind is not Kind.REPAIR or ticket.urgency is not Urgency.EMERGENCY:
        return None
    if session.scalars(select(DispatchPage.id).where(DispatchPage.ticket_id == ticket.id).limit(1)).first():
        return None
    return page(session, ticket, now=now, ack_after=ack_after, text=text, enabled_channels=enabled_channels)


def open_emergency(session: Session, *, now: datetime, rules: ServiceRules, ack_after: timedelta, text: PageText,
                   enabled_channels: Iterable[str], actor: str, **fields: Any) -> tuple[Ticket, DispatchPage | None]:
    """A hotline emergency typed in by staff (console or API): create the emergency repair and page at once.

    ``fields`` are :func:`backend.tickets.create_ticket` keywords (owner_id, unit_id, category, location,
    description, taken_by_id...). Returns the ticket and its page (None when nobody is on call).
    """
    from backend.models import Kind, Urgency
    from backend.tickets import create_ticket

    ticket = create_ticket(session, kind=Kind.REPAIR, urgency=Urgency.EMERGENCY, now=now, rules=rules, actor=actor,
                           **fields)
    pg = dispatch_if_emergency(session, ticket, now=now, ack_after=ack_after, text=text,
                               enabled_channels=enabled_channels)
    return ticket, pg
