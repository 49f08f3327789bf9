"""Owner and unit look-ups (phones masked) and the owner-register CSV import."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from backend.importer import COLUMN_HELP, COLUMNS, MAX_ROWS, import_owners_csv
from backend.phones import mask_phone
from backend.queries import MAX_ID, MAX_PAGE, list_owners, list_units, resolve_project
from bot.api.deps import NO_NUL, NowDep, SessionDep
from bot.api.schemas import (
    ErrorOut,
    ImportErrors,
    ImportResult,
    OwnerOut,
    OwnerPage,
    OwnerUnitOut,
    RowErrorOut,
    UnitOut,
    UnitOwnerOut,
    UnitPage,
)

MAX_IMPORT_BYTES = 5 * 1024 * 1024
CSV_TYPES = ("text/csv", "application/csv", "text/plain", "application/vnd.ms-excel")
router = APIRouter(tags=["owners"])
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]
ProjectQuery = Annotated[str | None, Query(max_length=32, pattern=NO_NUL, description="Project id or code")]


def _project_id(session: Session, project: str | None) -> int | None:
    if project is None:
        return None
    found = resolve_project(session, project)
    if found is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"unknown project {project!r}")
    return found.id


@router.get("/owners", summary="List owners", response_model=OwnerPage)
def get_owners(
    session: SessionDep,
    project: ProjectQuery = None,
    q: Annotated[str | None, Query(max_length=60, pattern=NO_NUL, description="Part of the name, or the last digits of "
                                   "the phone number")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> OwnerPage:
    """Owners by name, with the units they hold; phone numbers are masked (`139****5678`)."""
    owners, total = list_owners(session, project_id=_project_id(session, project), q=q, limit=limit,
                                offset=offset)
    items = [
        OwnerOut(
            id=o.id, name=o.name, phone=mask_phone(o.phone), language=o.language, tier=o.tier,
            advisor_id=o.advisor_id, marketing_consent=o.marketing_consent,
            units=[OwnerUnitOut(unit_id=s.unit_id, unit_label=s.unit.label, project_code=s.unit.building.project.code,
                                signed_on=s.signed_on, handover_on=s.handover_on) for s in o.ownerships],
        )
        for o in owners
    ]
    return OwnerPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/units", summary="List units", response_model=UnitPage, tags=["units"])
def get_units(
    session: SessionDep,
    project: ProjectQuery = None,
    building: Annotated[str | None, Query(max_length=16, pattern=NO_NUL, description="Building number (`3`)")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> UnitPage:
    """Units with their owners and each owner's signing and handover (交付) dates."""
    pairs, total = list_units(session, project_id=_project_id(session, project), building=building,
                              limit=limit, offset=offset)
    items = [
        UnitOut(
            id=u.id, project_code=u.building.project.code, building=u.building.number, entrance=u.entrance,
            room=u.room, floor=u.floor, label=u.label,
            owners=[UnitOwnerOut(owner_id=s.owner_id, name=s.owner.name, phone=mask_phone(s.owner.phone),
                                 signed_on=s.signed_on, handover_on=s.handover_on) for s in owned],
        )
        for u, owned in pairs
    ]
    return UnitPage(items=items, total=total, limit=limit, offset=offset)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the file is neither UTF-8 nor GB18030 text")


def _too_large() -> HTTPException:
    return HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"the file is larger than {MAX_IMPORT_BYTES} bytes")


async def csv_text(request: Request) -> str:
    """The uploaded CSV: the form field ``file`` of a multipart body, or a ``text/csv`` body."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=5)
        try:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "send the CSV in the form field 'file'")
            data = await upload.read(MAX_IMPORT_BYTES + 1)
        finally:
            await form.close()
    elif ctype in CSV_TYPES:
        buffer = bytearray()
        async for chunk in request.stream():
            buffer += chunk
            if len(buffer) > MAX_IMPORT_BYTES:
                raise _too_large()
        data = bytes(buffer)
    else:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                            "send text/csv, or multipart/form-data with the file in the field 'file'")
    if len(data) > MAX_IMPORT_BYTES:
        raise _too_large()
    return _decode(data)


_IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"},
                         "example": ",".join(COLUMNS) + "\nCHW,安居·翠湖湾,3,2,1502,15,王芳,13912345678,zh,"
                                                       "2024-03-01,2025-06-30,lin.xiaoyu,yes\n"},
            "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                               "properties": {"file": {"type": "string", "format": "binary"}}}},
        },
    }
}


@router.post(
    "/import/owners",
    summary="Import the owner register (CSV)",
    response_model=ImportResult,
    tags=["import"],
    openapi_extra=_IMPORT_BODY,
    responses={413: {"model": ErrorOut}, 415: {"model": ErrorOut},
               422: {"model": ImportErrors, "description": "Row-level errors; nothing was imported"}},
    description=(
        "Creates projects, buildings, units, owners and ownerships; an owner already on the unit with the "
        "same phone number is updated, so re-importing a file is harmless. Every row is checked first: "
        "if any is bad, the answer lists every problem and nothing is imported.\n\n"
        "Send the file as `text/csv`, or as the field `file` of a `multipart/form-data` form; UTF-8 or "
        "GB18030, header row first (any column order). Rows are numbered as in a spreadsheet (the header "
        f"is row 1). At most {MAX_IMPORT_BYTES // 2**20} MB and {MAX_ROWS} rows. Marketing consent given or "
        "withdrawn in the file is recorded with source `csv_import`.\n\n"
        "| column | required | meaning |\n|---|---|---|\n"
        + "\n".join(f"| `{c}` | {'yes' if req else 'no'} | {text} |" for c, req, text in COLUMN_HELP)
    ),
)
def import_owners(text: Annotated[str, Depends(csv_text)], session: SessionDep, now: NowDep) -> Any:
    """Import the owner register, all or nothing."""
    report = import_owners_csv(session, text, now=now)
    if not report.ok:
        session.rollback()
        errors = [RowErrorOut(row=e.row, field=e.field, error=e.error) for e in report.errors]
        body = ImportErrors(detail=f"{len(errors)} problem(s) in the file; nothing was imported", errors=errors)
        return JSONResponse(body.model_dump(), status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    session.commit()
    return ImportResult(rows=report.rows, created=dict(report.created), updated=dict(report.updated),
                        unchanged=report.unchanged)
