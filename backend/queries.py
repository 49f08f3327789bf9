"""Read-side helpers for the REST API and the console: ticket, owner and unit listings.

Plain functions over a session; nothing here writes. Filters are applied in SQL so that paging
and totals agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, not_, or_, select
from sqlalchemy.orm import Session, selectinload

from backend.models import (
    Building,
    Kind,
    Owner,
    Ownership,
    Project,
    Status,
    Ticket,
    TicketEvent,
    Unit,
    Urgency,
)
from backend.tickets import OPEN_STATUSES

MAX_PAGE = 200
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


def unit_label(building: str | None, entrance: str | None, room: str | None) -> str | None:
    """The written form of a unit (``3栋2单元1502``), as :attr:`backend.models.Unit.label`."""
    if building is None or room is None:
        return None
    return f"{building}栋{entrance}单元{room}"


def resolve_project(session: Session, ref: str | int) -> Project | None:
    """Find a project by numeric id or by code (code wins if both could match)."""
    ref = str(ref).strip()
    project = session.scalars(select(Project).where(Project.code == ref)).first()
    if project is None and ref.isdigit() and int(ref) <= MAX_ID:
        project = session.get(Project, int(ref))
    return project


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """:func:`backend.tickets.is_overdue` as a SQL condition."""
    return and_(
        Ticket.status.in_(OPEN_STATUSES),
        Ticket.first_contacted_at.is_(None),
        Ticket.contact_due_at.is_not(None),
        Ticket.contact_due_at < now,
    )


@dataclass(frozen=True)
class TicketFilter:
    """Filters for :func:`list_tickets`; ``None`` means "any"."""

    status: Status | None = None
    kind: Kind | None = None
    urgency: Urgency | None = None
    project_id: int | None = None
    advisor_id: int | None = None
    overdue: bool | None = None
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class TicketRow:
    """One ticket of a listing, with the owner, unit and project it refers to."""

    ticket: Ticket
    owner_name: str | None
    unit_label: str | None
    project_code: str | None
    overdue: bool


def _ticket_select(now: datetime) -> Select[Ticket, str, str, str, str, str, bool]:
    overdue = overdue_clause(now)
    return (
        select(Ticket, Owner.name, Building.number, Unit.entrance, Unit.room, Project.code, overdue)
        .outerjoin(Owner, Owner.id == Ticket.owner_id)
        .outerjoin(Unit, Unit.id == Ticket.unit_id)
        .outerjoin(Building, Building.id == Unit.building_id)
        .outerjoin(Project, Project.id == Ticket.project_id)
    )


def _row(values: Sequence[Any]) -> TicketRow:
    ticket, owner_name, building, entrance, room, code, overdue = values
    return TicketRow(ticket, owner_name, unit_label(building, entrance, room), code, bool(overdue))


def list_tickets(session: Session, flt: TicketFilter, *, now: datetime) -> tuple[list[TicketRow], int]:
    """Tickets matching ``flt``, newest first, and the total number matching.

    Args:
        session: An open session.
        flt: The filters and the page (``limit`` is capped at :data:`MAX_PAGE`).
        now: The moment "overdue" is judged at.

    Returns:
        The page of rows and the count of all matching tickets.
    """
    conds: list[ColumnElement[bool]] = []
    if flt.status is not None:
        conds.append(Ticket.status == flt.status)
    if flt.kind is not None:
        conds.append(Ticket.kind == flt.kind)
    if flt.urgency is not None:
        conds.append(Ticket.urgency == flt.urgency)
    if flt.project_id is not None:
        conds.append(Ticket.project_id == flt.project_id)
    if flt.advisor_id is not None:
        conds.append(Ticket.advisor_id == flt.advisor_id)
    if flt.overdue is not None:
        conds.append(overdue_clause(now) if flt.overdue else not_(overdue_clause(now)))
    total = session.scalar(select(func.count()).select_from(Ticket).where(*conds)) or 0
    stmt = (
        _ticket_select(now)
        .where(*conds)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(min(flt.limit, MAX_PAGE))
        .offset(flt.offset)
    )
    return [_row(r) for r in session.execute(stmt).all()], total


def get_ticket_row(session: Session, number: str, *, now: datetime) -> TicketRow | None:
    """The ticket with this number (``AJ-20261127-0042``), or ``None``."""
    found = session.execute(_ticket_select(now).where(Ticket.number == number)).first()
    return _row(found) if found else None


def ticket_timeline(session: Session, ticket_id: int) -> list[TicketEvent]:
    """The ticket's events in the order they were written."""
    stmt = select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
    return list(session.scalars(stmt))


def list_owners(
    session: Session, *, project_id: int | None = None, q: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[Owner], int]:
    """Owners (not deleted), by name; their ownerships, units and projects are loaded.

    Args:
        session: An open session.
        project_id: Only owners of a unit in this project.
        q: Digits match the end of the phone number; anything else a part of the name.
        limit: Page size, capped at :data:`MAX_PAGE`.
        offset: Rows to skip.

    Returns:
        The page of owners and the count of all matching owners.
    """
    conds: list[ColumnElement[bool]] = [Owner.deleted_at.is_(None)]
    if project_id is not None:
        in_project = (
            select(Ownership.owner_id)
            .join(Unit, Unit.id == Ownership.unit_id)
            .join(Building, Building.id == Unit.building_id)
            .where(Building.project_id == project_id)
        )
        conds.append(Owner.id.in_(in_project))
    if q and q.strip():
        term = q.strip()
        digits = term.replace(" ", "").replace("-", "")
        if digits.isdigit():
            conds.append(or_(Owner.phone.endswith(digits, autoescape=True),
                             Owner.name.contains(term, autoescape=True)))
        else:
            conds.append(Owner.name.contains(term, autoescape=True))
    total = session.scalar(select(func.count()).select_from(Owner).where(*conds)) or 0
    stmt = (
        select(Owner)
        .where(*conds)
        .options(selectinload(Owner.ownerships).selectinload(Ownership.unit).selectinload(Unit.building)
                 .selectinload(Building.project))
        .order_by(Owner.name, Owner.id)
        .limit(min(limit, MAX_PAGE))
        .offset(offset)
    )
    return list(session.scalars(stmt)), total


def list_units(
    session: Session,
    *,
    project_id: int | None = None,
    building: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[tuple[Unit, list[Ownership]]], int]:
    """Units in building and room order, each with its ownerships (owner and dates).

    Args:
        session: An open session.
        project_id: Only units of this project.
        building: Only units of buildings with this number (``3`` or ``3栋``).
        limit: Page size, capped at :data:`MAX_PAGE`.
        offset: Rows to skip.

    Returns:
        The page of ``(unit, ownerships)`` pairs and the count of all matching units.
    """
    conds: list[ColumnElement[bool]] = []
    if project_id is not None:
        conds.append(Building.project_id == project_id)
    if building:
        conds.append(Building.number == building.strip().removesuffix("栋"))
    base = select(Unit).join(Building, Building.id == Unit.building_id).where(*conds)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    stmt = (
        base.options(selectinload(Unit.building).selectinload(Building.project))
        .order_by(Building.project_id, Building.number, Unit.entrance, Unit.floor, Unit.room, Unit.id)
        .limit(min(limit, MAX_PAGE))
        .offset(offset)
    )
    units = list(session.scalars(stmt))
    by_unit: dict[int, list[Ownership]] = {u.id: [] for u in units}
    if units:
        owned = select(Ownership).where(Ownership.unit_id.in_(by_unit)).options(selectinload(Ownership.owner))
        for ownership in session.scalars(owned.order_by(Ownership.id)):
            if ownership.owner.deleted_at is None:
                by_unit[ownership.unit_id].append(ownership)
    return [(u, by_unit[u.id]) for u in units], total
