"""Background owner-register imports: ``POST /import/owners/jobs`` answers 202 with a job to poll.

The synchronous ``POST /import/owners`` stays for small files; a worker runs these jobs (see
:mod:`backend.import_jobs`), so a 6,000-row file no longer holds a request for most of a minute.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, status
from pydantic import BaseModel

from backend import import_jobs
from backend.models import ImportJob
from bot.api.deps import NowDep, SessionDep
from bot.api.owners import _IMPORT_BODY, csv_text

router = APIRouter(tags=["import"])


class ImportJobOut(BaseModel):
    """A background import: where it is, and what it did (or every row error, with nothing written)."""

    id: int
    status: str
    stage: str
    rows: int
    result: dict[str, Any]
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None


def _out(job: ImportJob) -> ImportJobOut:
    return ImportJobOut(id=job.id, status=job.status, stage=job.stage, rows=job.rows, result=job.result or {},
                        created_at=job.created_at, started_at=job.started_at, finished_at=job.finished_at)


@router.post("/import/owners/jobs", response_model=ImportJobOut, status_code=202, openapi_extra=_IMPORT_BODY,
             summary="Import the owner register (CSV) in the background")
def submit_import(text: Annotated[str, Depends(csv_text)], session: SessionDep, now: NowDep) -> ImportJobOut:
    """Queue the file; a worker imports it (all or nothing). Poll ``GET /import/owners/jobs/{id}``."""
    job = import_jobs.submit(session, text, now=now, actor="api")
    session.commit()
    return _out(job)


@router.get("/import/owners/jobs/{job_id}", response_model=ImportJobOut)
def get_import(job_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: SessionDep) -> ImportJobOut:
    """A background import's status, stage and result."""
    job = session.get(ImportJob, job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"import job {job_id} not found")
    return _out(job)
