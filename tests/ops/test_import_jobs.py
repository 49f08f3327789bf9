"""Background owner-register import: 202 at once, a worker runs it, progress and outcome are polled."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend import import_jobs
from backend.models import AuditLog, ImportJob, Owner
from tests.api.conftest import AUTH, NOW, build_app

HEADER = "project_code,project_name,building,entrance,room,floor,owner_name,phone,signed_on\n"
GOOD = HEADER + ("XHY,安居·西湖印,1,1,301,,张伟,13911110001,2024-03-01\n"
                 "XHY,安居·西湖印,1,1,302,3,李娜,13911110002,2024-03-02\n")
BAD = HEADER + "XHY,安居·西湖印,1,1,301,,张伟,not-a-phone,2024-03-01\n"
CSV = {"content-type": "text/csv; charset=utf-8", **AUTH}


def test_background_import_runs_in_the_worker_and_is_audited(session: Session) -> None:
    app = build_app(session)
    client = TestClient(app)
    r = client.post("/api/v1/import/owners/jobs", content=GOOD.encode(), headers=CSV)
    assert r.status_code == 202 and r.json()["status"] == "queued"
    job_id = r.json()["id"]
    assert session.scalar(select(func.count()).select_from(Owner)) == 0  # nothing imported by the request
    assert import_jobs.run_next(app.state.sessions, now=NOW, clock=lambda: NOW) == job_id
    body = client.get(f"/api/v1/import/owners/jobs/{job_id}", headers=AUTH).json()
    assert body["status"] == "done" and body["stage"] == "finished" and body["rows"] == 2
    assert body["result"]["created"]["owners"] == 2
    assert session.scalar(select(func.count()).select_from(Owner)) == 2
    assert session.get(ImportJob, job_id).csv_text is None  # the file is not kept
    entry = session.scalars(select(AuditLog).where(AuditLog.action == "owners_imported")).one()
    assert entry.target == f"import:{job_id}" and entry.data["rows"] == 2
    assert import_jobs.run_next(app.state.sessions, now=NOW, clock=lambda: NOW) is None


def test_a_bad_file_fails_with_row_errors_and_writes_nothing(session: Session) -> None:
    app = build_app(session)
    client = TestClient(app)
    job_id = client.post("/api/v1/import/owners/jobs", content=BAD.encode(), headers=CSV).json()["id"]
    import_jobs.run_next(app.state.sessions, now=NOW, clock=lambda: NOW)
    body = client.get(f"/api/v1/import/owners/jobs/{job_id}", headers=AUTH).json()
    assert body["status"] == "failed" and body["result"]["errors"][0]["row"] == 2
    assert session.scalar(select(func.count()).select_from(Owner)) == 0
    assert client.get("/api/v1/import/owners/jobs/999", headers=AUTH).status_code == 404
