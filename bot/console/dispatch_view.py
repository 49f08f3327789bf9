"""The dispatch panel: who was paged about an emergency, on which channel, acknowledged or not, and the
actions on it (acknowledge on behalf with a note, re-page). Shown on the ticket and the conversation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import dispatch, tickets
from backend.models import DispatchPage, Outbox, PageStatus, Staff, Ticket, TicketEvent

ON_BEHALF = "page_acked_on_behalf"


@dataclass
class PageRow:
    """One page as the panel shows it."""

    id: int
    ticket_number: str
    layer: int
    staff_name: str
    staff_phone: str | None
    status: str
    sent_at: datetime
    ack_due_at: datetime
    acked_at: datetime | None
    escalated_at: datetime | None
    on_behalf_by: str | None = None
    on_behalf_note: str | None = None
    channels: list[tuple[str, str]] = field(default_factory=list)  # (channel, delivery status)

    @property
    def open(self) -> bool:
        """Still waiting for an acknowledgement (it will escalate when ``ack_due_at`` passes)."""
        return self.status == "sent" and self.acked_at is None


def page_rows(session: Session, ticket_list: list[Ticket]) -> list[PageRow]:
    """The pages of these tickets, oldest first, with channels, escalation and on-behalf acknowledgements."""
    by_id = {t.id: t for t in ticket_list}
    if not by_id:
        return []
    pages = list(session.scalars(select(DispatchPage).where(DispatchPage.ticket_id.in_(by_id))
                                 .order_by(DispatchPage.sent_at, DispatchPage.id)))
    if not pages:
        return []
    staff = {s.id: s for s in session.scalars(select(Staff).where(
        Staff.id.in_({p.staff_id for p in pages if p.staff_id})))}
    names = {i: n for i, n in session.execute(select(Staff.id, Staff.name))}
    channels: dict[int, list[tuple[str, str]]] = {}
    for key, channel, status in session.execute(select(Outbox.dedupe_key, Outbox.channel, Outbox.status).where(
            Outbox.ticket_id.in_(by_id), Outbox.purpose == "page").order_by(Outbox.id)):
        parts = (key or "").split(":")
        if len(parts) == 3 and parts[0] == "page" and parts[1].isascii() and parts[1].isdigit():
            channels.setdefault(int(parts[1]), []).append((channel, status))
    escalated: dict[int, datetime] = {}
    behalf: dict[int, TicketEvent] = {}
    for ev in session.scalars(select(TicketEvent).where(TicketEvent.ticket_id.in_(by_id),
                                                        TicketEvent.kind.in_(("page_unacked", ON_BEHALF)))):
        page_id = (ev.data or {}).get("page_id")
        if isinstance(page_id, int):
            if ev.kind == "page_unacked":
                escalated[page_id] = ev.at
            else:
                behalf[page_id] = ev
    rows = []
    for p in pages:
        member = staff.get(p.staff_id) if p.staff_id else None
        found = behalf.get(p.id)
        by = None
        if found is not None and found.actor.startswith("staff:") and found.actor[6:].isdigit():
            by = names.get(int(found.actor[6:]), found.actor)
        rows.append(PageRow(id=p.id, ticket_number=by_id[p.ticket_id].number, layer=p.layer,
                            staff_name=member.name if member else "—", staff_phone=member.phone if member else None,
                            status=p.status, sent_at=p.sent_at, ack_due_at=p.ack_due_at, acked_at=p.acked_at,
                            escalated_at=escalated.get(p.id), on_behalf_by=by,
                            on_behalf_note=(found.data or {}).get("note") if found else None,
                            channels=channels.get(p.id, [])))
    return rows


def acknowledge_on_behalf(session: Session, ticket: Ticket, page_id: int, *, now: datetime, actor: str,
                          note: str) -> DispatchPage | None:
    """Staff acknowledge an open page for the engineer (e.g. after reaching them by phone): escalation stops.

    Returns None when the page is not this ticket's or no longer open.
    """
    pg = session.get(DispatchPage, page_id)
    if pg is None or pg.ticket_id != ticket.id or pg.acked_at is not None or pg.status != PageStatus.SENT:
        return None
    pg.status, pg.acked_at = PageStatus.ACKED, now
    tickets.add_event(session, ticket, ON_BEHALF, at=now, actor=actor, layer=pg.layer, page_id=pg.id,
                      engineer_id=pg.staff_id, note=note)
    return pg


def repage(session: Session, ticket: Ticket, *, now: datetime, actor: str, layer: int, **page_kw: object
           ) -> DispatchPage | None:
    """Page again from ``layer``; the ticket's still-open pages stop escalating (the new page replaces them)."""
    for old in session.scalars(select(DispatchPage).where(DispatchPage.ticket_id == ticket.id,
                                                          DispatchPage.status == PageStatus.SENT)):
        old.status = PageStatus.REPAGED
    tickets.add_event(session, ticket, "repaged", at=now, actor=actor, layer=layer)
    return dispatch.page(session, ticket, now=now, layer=layer, **page_kw)  # type: ignore[arg-type]
