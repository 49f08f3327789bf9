"""Staff paging contacts and the on-call rota over the API.

- ``GET /staff``; ``GET|PUT /staff/{id}/contacts``; ``POST /staff/{id}/bind-code``; ``POST /staff/{id}/test-message``
- ``GET /rota/shifts``; ``POST /rota/shifts`` (optionally repeated weekly); ``DELETE /rota/shifts/{id}``;
  ``GET /rota/coverage`` (gaps in the next days where a layer has nobody reachable).

Adding a shift for someone who cannot be paged on any enabled channel succeeds but says so in ``warnings``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import audit
from backend import staff_contacts as contacts
from backend.dispatch import MAX_LAYER
from backend.models import OnCallShift, Staff
from backend.staff_notify import staff_channels
from bot.api.deps import NO_NUL, NowDep, SessionDep, SettingsDep, enabled_channels
from bot.api.schemas import UTCTime

router = APIRouter(tags=["staff"])
ACTOR = "api"
MAX_REPEAT_WEEKS = 26
MAX_INT = 2**31 - 1  # beyond it the database driver raises
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


class StaffContactOut(BaseModel):
    """A staff member's paging addresses (phone masked) and the channels they can be paged on here."""

    id: int
    username: str
    name: str
    role: str
    active: bool
    phone: str = ""
    wechat_openid: str | None = None
    telegram_chat_id: str | None = None
    reachable: list[str] = Field(description="Enabled channels this person can be paged on; empty = unreachable")


class ContactsIn(BaseModel):
    """Addresses to set; an empty string clears one; a field left out is unchanged."""

    phone: str | None = Field(None, max_length=32, pattern=NO_NUL, examples=["13912345678"])
    wechat_openid: str | None = Field(None, max_length=64, pattern=NO_NUL)
    telegram_chat_id: str | None = Field(None, max_length=32, pattern=NO_NUL)


class BindCodeOut(BaseModel):
    """A one-time code the person sends to the bot on WeChat/Telegram/SMS to bind that account."""

    code: str
    expires_at: datetime


class TestMessageIn(BaseModel):
    """Which channel to test (all reachable ones when left out)."""

    channel: str | None = Field(None, pattern="^(wechat|sms|telegram)$")


class TestMessageOut(BaseModel):
    """The channels a test message was queued on."""

    channels: list[str]


class ShiftIn(BaseModel):
    """A shift on one layer (1 first responder, 2 backup, 3 supervisor), optionally repeated weekly."""

    layer: int = Field(ge=1, le=MAX_LAYER)
    staff_id: int = Field(ge=1, le=MAX_INT)
    starts_at: UTCTime
    ends_at: UTCTime
    repeat_weeks: int = Field(0, ge=0, le=MAX_REPEAT_WEEKS, description="Extra weekly copies of the shift")


class ShiftOut(BaseModel):
    """A stored shift."""

    id: int
    layer: int
    staff_id: int
    staff: str
    starts_at: datetime
    ends_at: datetime


class ShiftsCreated(BaseModel):
    """The shifts created, and warnings (e.g. the person cannot be paged anywhere)."""

    shifts: list[ShiftOut]
    warnings: list[str] = []


class GapOut(BaseModel):
    """A stretch when a layer has nobody reachable on call."""

    layer: int
    starts_at: datetime
    ends_at: datetime
    reason: str


class CoverageOut(BaseModel):
    """Coverage of the next ``days`` days: ok when there is no gap."""

    ok: bool
    days: int
    gaps: list[GapOut]


def _staff(session: Session, staff_id: int) -> Staff:
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"staff {staff_id} not found")
    return staff


def _shift(shift: OnCallShift) -> ShiftOut:
    return ShiftOut(id=shift.id, layer=shift.layer, staff_id=shift.staff_id, staff=shift.staff.name,
                    starts_at=shift.starts_at, ends_at=shift.ends_at)


@router.get("/staff", response_model=list[StaffContactOut])
def list_staff(request: Request, session: SessionDep, settings: SettingsDep) -> list[dict[str, Any]]:
    """Every account with its paging addresses and reachable channels."""
    on = enabled_channels(request, settings)
    return [contacts.contact_view(s, on) for s in session.scalars(select(Staff).order_by(Staff.id))]


@router.get("/staff/{staff_id}/contacts", response_model=StaffContactOut)
def get_contacts(staff_id: Id, request: Request, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """One account's paging addresses."""
    return contacts.contact_view(_staff(session, staff_id), enabled_channels(request, settings))


@router.put("/staff/{staff_id}/contacts", response_model=StaffContactOut,
            responses={422: {"description": "Malformed address or one already used by another account"}})
def put_contacts(staff_id: Id, body: ContactsIn, request: Request, session: SessionDep, settings: SettingsDep,
                 now: NowDep) -> dict[str, Any]:
    """Set or clear paging addresses (audited)."""
    staff = _staff(session, staff_id)
    try:
        contacts.set_contacts(session, staff, now=now, actor=ACTOR, changes=body.model_dump(exclude_none=True))
    except contacts.ContactError as exc:
        raise HTTPException(422, str(exc)) from None
    session.commit()
    return contacts.contact_view(staff, enabled_channels(request, settings))


@router.post("/staff/{staff_id}/bind-code", response_model=BindCodeOut, status_code=201)
def post_bind_code(staff_id: Id, session: SessionDep, now: NowDep) -> BindCodeOut:
    """Issue a one-time bind code (earlier unused codes stop working)."""
    staff = _staff(session, staff_id)
    if not staff.active:
        raise HTTPException(status.HTTP_409_CONFLICT, f"staff {staff_id} is disabled")
    code = contacts.issue_bind_code(session, staff, now=now, actor=ACTOR)
    session.commit()
    return BindCodeOut(code=code, expires_at=now + contacts.BIND_CODE_TTL)


@router.post("/staff/{staff_id}/test-message", response_model=TestMessageOut, status_code=202,
             responses={409: {"description": "The person has no reachable channel"}})
def post_test_message(staff_id: Id, body: TestMessageIn, request: Request, session: SessionDep,
                      settings: SettingsDep, now: NowDep) -> TestMessageOut:
    """Queue a test message on the person's paging channels (delivered by the worker)."""
    from backend.notify import render

    staff = _staff(session, staff_id)
    sent = contacts.send_test(session, staff, now=now, enabled=enabled_channels(request, settings), actor=ACTOR,
                              text=render("staff_test_message", staff.language), channel=body.channel)
    if not sent:
        raise HTTPException(status.HTTP_409_CONFLICT, f"staff {staff_id} has no reachable channel")
    session.commit()
    return TestMessageOut(channels=sent)


@router.get("/rota/shifts", response_model=list[ShiftOut])
def list_shifts(session: SessionDep, now: NowDep,
                start: Annotated[UTCTime | None, Query(alias="from")] = None,
                end: Annotated[UTCTime | None, Query(alias="to")] = None) -> list[ShiftOut]:
    """Shifts overlapping [from, to) (default: the next 14 days)."""
    start = min(max(start or now, EARLIEST), LATEST)
    end = min(max(end or start + timedelta(days=14), EARLIEST), LATEST)
    rows = session.scalars(select(OnCallShift).where(OnCallShift.ends_at > start, OnCallShift.starts_at < end)
                           .order_by(OnCallShift.starts_at, OnCallShift.layer).limit(2000))
    return [_shift(s) for s in rows]


@router.post("/rota/shifts", response_model=ShiftsCreated, status_code=201)
def post_shift(body: ShiftIn, request: Request, session: SessionDep, settings: SettingsDep,
               now: NowDep) -> ShiftsCreated:
    """Add a shift (and ``repeat_weeks`` weekly copies); warns when the person cannot be paged."""
    if body.ends_at <= body.starts_at or body.ends_at - body.starts_at > timedelta(days=7):
        raise HTTPException(422, "a shift ends after it starts, within 7 days")
    if body.starts_at < EARLIEST or body.ends_at + timedelta(weeks=body.repeat_weeks) > LATEST:
        raise HTTPException(422, "shifts are between 2000 and 2100")
    staff = _staff(session, body.staff_id)
    if not staff.active:
        raise HTTPException(status.HTTP_409_CONFLICT, f"staff {staff.id} is disabled")
    created = []
    for week in range(body.repeat_weeks + 1):
        shift = OnCallShift(layer=body.layer, staff_id=staff.id, starts_at=body.starts_at + timedelta(weeks=week),
                            ends_at=body.ends_at + timedelta(weeks=week))
        session.add(shift)
        session.flush()
        created.append(shift)
    audit.record(session, "shift_added", now=now, actor=ACTOR, target=f"shift:{created[0].id}", layer=body.layer,
                 staff_id=staff.id, starts_at=body.starts_at.isoformat(), ends_at=body.ends_at.isoformat(),
                 repeat_weeks=body.repeat_weeks)
    warnings = []
    on = enabled_channels(request, settings)
    if not staff_channels(staff, on):
        warnings.append(f"{staff.username} cannot be paged on any enabled channel ({', '.join(on) or 'none'}): "
                        "set a phone/WeChat/Telegram contact or send them a bind code")
    session.commit()
    return ShiftsCreated(shifts=[_shift(s) for s in created], warnings=warnings)


@router.delete("/rota/shifts/{shift_id}", status_code=204)
def delete_shift(shift_id: Id, session: SessionDep, now: NowDep) -> None:
    """Remove a shift (audited)."""
    shift = session.get(OnCallShift, shift_id)
    if shift is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"shift {shift_id} not found")
    audit.record(session, "shift_removed", now=now, actor=ACTOR, target=f"shift:{shift.id}", layer=shift.layer,
                 staff_id=shift.staff_id, starts_at=shift.starts_at.isoformat())
    session.delete(shift)
    session.commit()


@router.get("/rota/coverage", response_model=CoverageOut)
def get_coverage(request: Request, session: SessionDep, settings: SettingsDep, now: NowDep,
                 days: Annotated[int, Query(ge=1, le=60)] = 14) -> CoverageOut:
    """Gaps in the next ``days`` days where a layer has nobody on call, or nobody reachable."""
    gaps = contacts.coverage_gaps(session, start=now, end=now + timedelta(days=days),
                                  enabled=enabled_channels(request, settings))
    out = [GapOut(layer=g.layer, starts_at=g.starts_at, ends_at=g.ends_at, reason=g.reason) for g in gaps]
    return CoverageOut(ok=not gaps, days=days, gaps=out)


class RotaImportOut(BaseModel):
    """Shifts added by a rota CSV, and warnings (people who cannot be paged)."""

    created: int
    warnings: list[str] = []


@router.post("/rota/import", response_model=RotaImportOut, status_code=201,
             responses={422: {"description": "Row errors; nothing was imported"}},
             openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}})
async def post_rota_import(request: Request, settings: SettingsDep, now: NowDep) -> Any:
    """Add shifts from a CSV (``layer,username,starts_at,ends_at[,repeat_weeks]``, local times), all or nothing."""
    from zoneinfo import ZoneInfo

    from fastapi.responses import JSONResponse
    from starlette.concurrency import run_in_threadpool

    from backend.rota import import_rota_csv

    body = await request.body()
    if len(body) > 1024 * 1024:
        raise HTTPException(413, "at most 1 MB")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HTTPException(422, "send UTF-8 CSV") from None
    if "\x00" in text:
        raise HTTPException(422, "NUL characters are not allowed")
    on = enabled_channels(request, settings)

    def run() -> Any:
        session = request.app.state.sessions()
        try:
            report = import_rota_csv(session, text, tz=ZoneInfo(settings.timezone), now=now, enabled=on, actor=ACTOR)
            if report.errors:
                session.rollback()
                return JSONResponse({"detail": "nothing was imported", "errors": report.errors[:200]}, 422)
            session.commit()
            return RotaImportOut(created=report.created, warnings=report.warnings)
        finally:
            session.close()

    return await run_in_threadpool(run)
