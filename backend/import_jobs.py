"""Owner-register imports in the background: the API stores the file as a job and answers 202 at once;
a worker runs it (all or nothing, as :func:`backend.importer.import_owners_csv`) and records the outcome
and an audit entry. The file's text is erased when the job ends.

Stages: ``queued`` → ``importing`` (validation and writes, one transaction) → ``finished``; status ``done``
or ``failed`` (row errors kept, nothing written). A job left
``running`` by a worker that died is run again after :data:`STALE` (re-importing a file is harmless).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from backend import audit
from backend.db import is_postgres, transaction
from backend.importer import import_owners_csv
from backend.models import ImportJob

STALE = timedelta(minutes=15)
MAX_ERRORS_KEPT = 200


def submit(session: Session, text: str, *, now: datetime, actor: str) -> ImportJob:
    """Queue an import of ``text``."""
    job = ImportJob(csv_text=text, actor=actor[:80], created_at=now, rows=max(0, text.count("\n")))
    session.add(job)
    session.flush()
    return job


def _claim(session: Session, now: datetime) -> ImportJob | None:
    stmt = (select(ImportJob)
            .where(or_(ImportJob.status == "queued",
                       (ImportJob.status == "running") & (ImportJob.started_at < now - STALE)))
            .order_by(ImportJob.id).limit(1))
    if is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
    job = session.scalars(stmt).first()
    if job is not None:
        job.status, job.stage, job.started_at = "running", "importing", now
    return job


def run_next(sessions: sessionmaker[Session], *, now: datetime, clock: Callable[[], datetime]) -> int | None:
    """Run the oldest queued job, if any; returns its id."""
    with transaction(sessions) as session:
        job = _claim(session, now)
        if job is None:
            return None
        job_id, text, actor = job.id, job.csv_text or "", job.actor
    with transaction(sessions) as session:  # the import itself: one transaction, all or nothing
        report = import_owners_csv(session, text, now=now)
        if report.ok:
            audit.record(session, "owners_imported", now=clock(), actor=actor, target=f"import:{job_id}",
                         rows=report.rows, created=dict(report.created), updated=dict(report.updated))
        else:
            session.rollback()
    with transaction(sessions) as session:
        job = session.get(ImportJob, job_id)
        assert job is not None
        job.rows = report.rows
        job.status = "done" if report.ok else "failed"
        job.stage, job.finished_at, job.csv_text = "finished", clock(), None
        job.result = {"created": dict(report.created), "updated": dict(report.updated),
                      "unchanged": report.unchanged, "error_count": len(report.errors),
                      "errors": [{"row": e.row, "field": e.field, "error": e.error}
                                 for e in report.errors[:MAX_ERRORS_KEPT]]}
    return job_id
