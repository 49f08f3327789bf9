"""Owner context: the owner page (identities on every channel, masked phone revealable with audit, units,
tickets, conversations, consent, advisor, surveys, PIPL export/erase) and search."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend import audit
from backend.db import transaction
from backend.models import (
    Building,
    ChannelIdentity,
    ConsentEvent,
    Conversation,
    Owner,
    Ownership,
    Project,
    Role,
    Staff,
    Survey,
    Ticket,
    Unit,
)
from backend.phones import mask_phone, normalise_phone
from bot.console import web
from bot.console.auth import Ctx, check_csrf, current
from bot.console.views import can_see_conversation, can_see_ticket

router = APIRouter()
SEARCH_ROWS = 30


def by_phone(session: Session, phone: str) -> Owner | None:
    """The active owner registered with this phone (an SMS identity not yet bound is recognised by it)."""
    try:
        wanted = normalise_phone(phone)
    except ValueError:
        return None
    if not wanted:
        return None
    return session.scalars(select(Owner).where(Owner.phone == wanted, Owner.deleted_at.is_(None)).limit(1)).first()


def can_see_owner(session: Session, ctx: Ctx, owner: Owner) -> bool:
    """Supervisors: every owner; agents: owners they advise or whose conversation or ticket they may open."""
    if ctx.at_least(Role.SUPERVISOR) or owner.advisor_id == ctx.staff_id:
        return True
    if any(can_see_conversation(session, ctx, c) for c in session.scalars(
            select(Conversation).where(Conversation.owner_id == owner.id).limit(20))):
        return True
    return any(can_see_ticket(ctx, t) for t in session.scalars(
        select(Ticket).where(Ticket.owner_id == owner.id).order_by(Ticket.id.desc()).limit(50)))


def _owner(session: Session, ctx: Ctx, owner_id: int) -> Owner:
    web.check_id(owner_id)
    owner = session.get(Owner, owner_id)
    if owner is None:
        raise HTTPException(404)
    if not can_see_owner(session, ctx, owner):
        raise HTTPException(403)
    return owner


def _context(session: Session, ctx: Ctx, owner: Owner) -> dict[str, Any]:
    identities = list(session.scalars(select(ChannelIdentity).where(ChannelIdentity.owner_id == owner.id)
                                      .order_by(ChannelIdentity.id)))
    ident_ids = [i.id for i in identities]
    conversations = list(session.scalars(select(Conversation).where(or_(
        Conversation.owner_id == owner.id, Conversation.identity_id.in_(ident_ids or [-1])))
        .order_by(Conversation.last_message_at.desc())))
    owned = list(session.scalars(select(Ticket).where(Ticket.owner_id == owner.id)
                                 .order_by(Ticket.created_at.desc()).limit(100)))
    return {
        "owner": owner, "identities": identities, "conversations": conversations,
        "channel_of": {i.id: i.channel for i in identities},
        "owned_tickets": [t for t in owned if can_see_ticket(ctx, t)],
        "units": [(o, o.unit) for o in session.scalars(select(Ownership).where(Ownership.owner_id == owner.id))],
        "advisor": session.get(Staff, owner.advisor_id) if owner.advisor_id else None,
        "surveys": list(session.scalars(select(Survey).where(Survey.owner_id == owner.id)
                                        .order_by(Survey.created_at.desc()).limit(5))),
        "consent": list(session.scalars(select(ConsentEvent).where(ConsentEvent.owner_id == owner.id)
                                        .order_by(ConsentEvent.at.desc()).limit(10))),
        "masked_phone": mask_phone(owner.phone) if owner.deleted_at is None else "—",
        "phone_tail": owner.phone[-4:] if owner.deleted_at is None else "",
    }


@router.get("/owners/{owner_id}", response_class=HTMLResponse)
def owner_page(owner_id: int, request: Request, ctx: Annotated[Ctx, Depends(current)]) -> Response:
    """The owner side panel as a page: identities, units, tickets, conversations, consent, surveys."""
    with ctx.svc.sessions() as session:
        owner = _owner(session, ctx, owner_id)
        return web.page("owner.html", ctx, request, phone=None, **_context(session, ctx, owner))


@router.post("/owners/{owner_id}/phone", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def reveal_phone(owner_id: int, request: Request, ctx: Annotated[Ctx, Depends(current)]) -> Response:
    """Show the full phone number (to call the owner back); every reveal is audited."""
    with transaction(ctx.svc.sessions) as session:
        owner = _owner(session, ctx, owner_id)
        if owner.deleted_at is not None:
            raise HTTPException(404)
        audit.record(session, "phone_revealed", now=ctx.now, staff=ctx.staff(session), ip=ctx.ip,
                     target=f"owner:{owner.id}")
        return web.page("owner.html", ctx, request, phone=owner.phone, **_context(session, ctx, owner))


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, ctx: Annotated[Ctx, Depends(current)], q: str = "") -> Response:
    """Owners by name, phone (or its last digits) or unit; tickets by number or text; their conversations."""
    q = q.strip()[:60].replace("\x00", "")
    owners_found: list[Owner] = []
    found_tickets: list[Ticket] = []
    with ctx.svc.sessions() as session:
        if len(q) >= 2:
            owners_found = [o for o in _search_owners(session, q) if can_see_owner(session, ctx, o)][:SEARCH_ROWS]
            found_tickets = [t for t in _search_tickets(session, q) if can_see_ticket(ctx, t)][:SEARCH_ROWS]
        masked = {o.id: mask_phone(o.phone) for o in owners_found}
        return web.page("search.html", ctx, request, q=q, owners=owners_found, tickets=found_tickets, masked=masked)


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _search_owners(session: Session, q: str) -> list[Owner]:
    alive = Owner.deleted_at.is_(None)
    conds = [Owner.name.like(_like(q), escape="\\")]
    digits = q.replace(" ", "").replace("-", "")
    if digits.isascii() and digits.isdigit() and len(digits) >= 4:
        conds.append(Owner.phone.like("%" + digits))
    unit_owners = (select(Ownership.owner_id).join(Unit, Unit.id == Ownership.unit_id)
                   .join(Building, Building.id == Unit.building_id).join(Project, Project.id == Building.project_id))
    unit_conds = [Unit.room == q, Project.name.like(_like(q), escape="\\")]
    parts = _unit_parts(q)
    if parts:
        building, entrance, room = parts
        unit_conds.append((Building.number == building) & (Unit.entrance == entrance) & (Unit.room == room))
    conds.append(Owner.id.in_(unit_owners.where(or_(*unit_conds))))
    return list(session.scalars(select(Owner).where(alive, or_(*conds)).order_by(Owner.name).limit(200)))


def _unit_parts(q: str) -> tuple[str, str, str] | None:
    """``3栋2单元1502`` or ``3-2-1502`` as (building, entrance, room)."""
    text = q.replace("号楼", "栋").replace("幢", "栋")
    if "栋" in text and "单元" in text:
        building, rest = text.split("栋", 1)
        entrance, room = rest.split("单元", 1)
        return building.strip()[-16:], entrance.strip(), room.strip()
    pieces = text.split("-")
    if len(pieces) == 3 and all(p.strip() for p in pieces):
        return pieces[0].strip(), pieces[1].strip(), pieces[2].strip()
    return None


def _search_tickets(session: Session, q: str) -> list[Ticket]:
    stmt = select(Ticket).where(or_(Ticket.number == q.upper(), Ticket.number.like(_like(q.upper()), escape="\\"),
                                    Ticket.description.like(_like(q), escape="\\")))
    return list(session.scalars(stmt.order_by(Ticket.created_at.desc()).limit(200)))
