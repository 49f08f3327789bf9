"""Service-rule actions of the API (issue 16): create a ticket (a hotline emergency is paged at once),
book / cancel a visit, record the engineer's contact. Each goes through :mod:`backend.tickets`; a rule
violation is a 409 and changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi import Path as ApiPath
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import select

from backend import dispatch, warranty
from backend.models import Kind, Owner, Staff, Ticket, Unit, Urgency
from backend.queries import MAX_ID, get_ticket_row
from backend.tickets import RuleViolation, book_visit, cancel_visit, create_ticket, record_engineer_contact
from bot.api.deps import NO_NUL, NowDep, RulesDep, SessionDep, SettingsDep, enabled_channels
from bot.api.schemas import ErrorOut, TicketDetail
from bot.api.tickets import NumberPath, detail

ACTOR = "api"
router = APIRouter(prefix="/tickets", tags=["tickets"])


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("give a timezone, e.g. 2026-11-27T09:00:00+08:00")
    return value


Aware = Annotated[datetime, AfterValidator(_aware)]


class TicketIn(BaseModel):
    """A ticket taken by staff (hotline, walk-in). An ``emergency`` repair pages the on-call engineer at once."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"kind": "repair", "urgency": "emergency", "owner_id": 1, "unit_id": 1, "category": "water",
         "location": "kitchen", "description": "热线：厨房水管爆裂"}]})
    kind: Kind
    urgency: Urgency = Urgency.NORMAL
    owner_id: int | None = Field(None, ge=1, le=MAX_ID)
    unit_id: int | None = Field(None, ge=1, le=MAX_ID)
    category: str | None = Field(None, max_length=24, pattern=NO_NUL)
    location: str | None = Field(None, max_length=32, pattern=NO_NUL)
    description: str = Field("", max_length=4000, pattern=NO_NUL)
    taken_by_id: int | None = Field(None, ge=1, le=MAX_ID, description="Staff member who took the call (首问负责人)")
    related_ticket_number: str | None = Field(None, max_length=24, pattern=r"^[A-Za-z0-9-]+$",
                                              description="The earlier ticket this one repeats (escalation)")


class VisitIn(BaseModel):
    """A visit window, as agreed with the owner."""

    model_config = ConfigDict(extra="forbid")
    start: Aware
    end: Aware
    by_staff_id: int | None = Field(None, ge=1, le=MAX_ID,
                                    description="Staff who booked it with the owner (counts as the S4 contact)")


class ContactIn(BaseModel):
    """The engineer reached the owner (S4)."""

    model_config = ConfigDict(extra="forbid")
    staff_id: int = Field(ge=1, le=MAX_ID)
    note: str = Field("", max_length=1000, pattern=NO_NUL)


def _staff(session: Any, staff_id: int | None) -> Staff | None:
    if staff_id is None:
        return None
    staff = session.get(Staff, staff_id)
    if staff is None or not staff.active:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"unknown or inactive staff member {staff_id}")
    return staff


def _page_context(request: Request, settings: Any) -> tuple[timedelta, Any, list[str]]:
    """Page text, channels and ack window of the running services (plain text and no channel without them)."""
    svc = getattr(request.app.state, "services", None)
    if svc is not None:
        return svc.ack_after, svc.page_text, list(svc.channels)
    return (timedelta(minutes=settings.sla.page_ack_minutes),
            lambda t, layer, staff: f"[紧急/Emergency] {t.number} {t.category or ''} {t.location or ''}",
            enabled_channels(request, settings))


def _ticket(session: Any, number: str) -> Ticket:
    ticket = session.scalars(select(Ticket).where(Ticket.number == number).with_for_update()).first()
    if ticket is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"ticket {number} not found")
    return ticket


def _out(session: Any, number: str, now: datetime) -> TicketDetail:
    row = get_ticket_row(session, number, now=now)
    assert row is not None
    return detail(session, row)


@router.post("", status_code=201, summary="Create a ticket (emergencies are paged)", response_model=TicketDetail,
             responses={422: {"model": ErrorOut}})
def post_ticket(body: TicketIn, request: Request, session: SessionDep, now: NowDep, rules: RulesDep,
                settings: SettingsDep) -> TicketDetail:
    """Open a ticket under the service rules (deadlines, repeats, escalation, 首问负责人).

    An emergency repair pages the on-call engineer in the same transaction (S2), whatever the entry path.
    """
    for model, value in ((Owner, body.owner_id), (Unit, body.unit_id)):
        if value is not None and session.get(model, value) is None:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"unknown {model.__name__.lower()} {value}")
    _staff(session, body.taken_by_id)
    related_id = None
    if body.related_ticket_number:
        related_id = session.scalar(select(Ticket.id).where(Ticket.number == body.related_ticket_number))
        if related_id is None:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"unknown ticket {body.related_ticket_number}")
    fields: dict[str, Any] = {"owner_id": body.owner_id, "unit_id": body.unit_id, "category": body.category,
              "location": body.location, "description": body.description, "taken_by_id": body.taken_by_id,
              "related_ticket_id": related_id}
    ack_after, text, channels = _page_context(request, settings)
    if body.kind is Kind.REPAIR and body.urgency is Urgency.EMERGENCY:
        ticket, _page = dispatch.open_emergency(session, now=now, rules=rules, ack_after=ack_after, text=text,
                                                enabled_channels=channels, actor=ACTOR, **fields)
    else:
        ticket = create_ticket(session, kind=body.kind, urgency=body.urgency, now=now, rules=rules, actor=ACTOR,
                               **fields)
    number = ticket.number
    session.commit()
    return _out(session, number, now)


@router.post("/{number}/visit", summary="Book or reschedule the visit", response_model=TicketDetail,
             responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}, 422: {"model": ErrorOut}})
def post_visit(number: NumberPath, body: VisitIn, session: SessionDep, now: NowDep) -> TicketDetail:
    """Book the visit window agreed with the owner; the ticket moves to `scheduled`."""
    ticket = _ticket(session, number)
    staff = _staff(session, body.by_staff_id)
    try:
        book_visit(session, ticket, body.start, body.end, now=now, actor=f"staff:{staff.id}" if staff else ACTOR)
        session.commit()
    except RuleViolation as exc:
        session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    return _out(session, number, now)


@router.delete("/{number}/visit", summary="Cancel the booked visit", response_model=TicketDetail,
               responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}})
def delete_visit(number: NumberPath, session: SessionDep, now: NowDep) -> TicketDetail:
    """Cancel the visit (the ticket stays open for a new booking)."""
    ticket = _ticket(session, number)
    try:
        cancel_visit(session, ticket, now=now, actor=ACTOR)
        session.commit()
    except RuleViolation as exc:
        session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    return _out(session, number, now)


@router.post("/{number}/engineer-contact", summary="Record the engineer's call to the owner (S4)",
             response_model=TicketDetail,
             responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}, 422: {"model": ErrorOut}})
def post_contact(number: NumberPath, body: ContactIn, session: SessionDep, now: NowDep) -> TicketDetail:
    """The warranty engineer reached the owner; stops the 24 h engineer-contact alert."""
    ticket = _ticket(session, number)
    staff = _staff(session, body.staff_id)
    assert staff is not None
    try:
        record_engineer_contact(session, ticket, now=now, actor=f"staff:{staff.id}", note=body.note)
        session.commit()
    except RuleViolation as exc:
        session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    return _out(session, number, now)


class ReminderPreviewOut(BaseModel):
    """One reminder the warranty sweep will send: a unit and an expiry date, with its owners."""

    remind_at: str
    unit: str
    unit_id: int
    expires_on: str
    items: list[str]
    items_en: list[str]
    owners: int
    overdue: bool


class WarrantyItemOut(BaseModel):
    """A catalogue item matching the defect."""

    code: str
    name: str
    name_en: str
    expires_on: str | None


class WarrantyCheckOut(BaseModel):
    """In / out of warranty for a unit and defect category."""

    status: str
    paid_service: bool
    expires_on: str | None
    items: list[WarrantyItemOut]


warranty_router = APIRouter(prefix="/warranty", tags=["proactive"])


@warranty_router.get("/reminders/preview", summary="Upcoming warranty reminders (nothing is sent)",
                     responses={422: {"model": ErrorOut}})
def get_reminder_preview(session: SessionDep, now: NowDep, settings: SettingsDep,
                         days: Annotated[int, Query(ge=1, le=730)] = 60,
                         project: Annotated[str | None, Query(max_length=32, pattern=NO_NUL)] = None,
                         ) -> list[ReminderPreviewOut]:
    """The reminders the sweep will send within `days`, one row per unit and expiry date, with owner counts."""
    from bot.rules_cli import preview_rows

    try:
        rows = preview_rows(session, now=now, days=days, tz=ZoneInfo(settings.timezone), project=project)
        return [ReminderPreviewOut(**row) for row in rows]
    except LookupError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc


@warranty_router.get("/units/{unit_id}/check", summary="Is this defect still under warranty?")
def get_warranty_check(unit_id: Annotated[int, ApiPath(ge=1, le=MAX_ID)], session: SessionDep, now: NowDep,
                       settings: SettingsDep, category: Annotated[str, Query(max_length=24, pattern=NO_NUL)],
                       location: Annotated[str | None, Query(max_length=32, pattern=NO_NUL)] = None,
                       ) -> WarrantyCheckOut:
    """In / out of warranty for a unit and defect category (out: offer paid service)."""
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    ans = warranty.check(session, unit_id, category, today, location=location)
    return WarrantyCheckOut(status=ans.status, paid_service=ans.paid_service,
                            expires_on=ans.expires_on.isoformat() if ans.expires_on else None,
                            items=[WarrantyItemOut(code=c, name=zh, name_en=en, expires_on=e.isoformat() if e else None)
                                   for c, zh, en, e in ans.items])
