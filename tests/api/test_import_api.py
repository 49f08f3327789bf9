"""POST /api/v1/import/owners: CSV as a body or an upload, idempotent, all or nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend import warranty
from backend.models import Owner, Ownership, Project, Role, Unit, WarrantyItem
from tests.factories import make_staff

URL = "/api/v1/import/owners"
HEADER = ("project_code,project_name,building,entrance,room,floor,owner_name,phone,language,signed_on,"
          "handover_on,advisor_username,marketing_consent\n")
GOOD = HEADER + (
    "XHY,安居·西湖印,1,1,301,,张伟,13911110001,zh,2024-03-01,2025-06-30,api.agent,yes\n"
    "XHY,安居·西湖印,1,1,302,3,Emily Wong,+86 139 1111 0002,en,2024/03/02,,,no\n"
    "XHY,安居·西湖印,2栋,2单元,1502,,李娜,13911110003,,2024-04-01,2025-07-01,api.agent,\n"
)
CSV = {"content-type": "text/csv; charset=utf-8"}


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_import_csv_body_then_reimport_is_idempotent(client: TestClient, session: Session) -> None:
    agent = make_staff(session, Role.AGENT, username="api.agent")
    resp = client.post(URL, content=GOOD.encode(), headers=CSV)
    assert resp.status_code == 200, resp.text
    items = 2 * len(warranty.items_for("XHY"))  # two of the three units have been handed over
    assert resp.json() == {"rows": 3, "created": {"projects": 1, "buildings": 2, "units": 3, "owners": 3,
                                                  "ownerships": 3, "warranty_items": items},
                           "updated": {}, "unchanged": 0}
    assert count(session, WarrantyItem) == items
    session.expire_all()
    zhang = session.scalars(select(Owner).where(Owner.phone == "13911110001")).one()
    assert (zhang.advisor_id, zhang.marketing_consent, zhang.marketing_consent_source) == (agent.id, True,
                                                                                            "csv_import")
    assert session.scalars(select(Unit.floor).where(Unit.room == "1502")).one() == 15
    again = client.post(URL, content=GOOD.encode(), headers=CSV).json()
    assert again == {"rows": 3, "created": {}, "updated": {}, "unchanged": 3}
    assert (count(session, Owner), count(session, Ownership)) == (3, 3)


def test_reimport_with_changes_updates(client: TestClient, session: Session) -> None:
    make_staff(session, Role.AGENT, username="api.agent")
    client.post(URL, content=GOOD.encode(), headers=CSV)
    changed = GOOD.replace("李娜,13911110003,,2024-04-01,2025-07-01", "李娜娜,13911110003,,2024-04-01,2025-07-02")
    body = client.post(URL, content=changed.encode(), headers=CSV).json()
    # the corrected handover date (07-01 -> 07-02) moves that unit's warranty items too
    assert body["created"] == {} and body["updated"] == {"owners": 1, "ownerships": 1,
                                                         "warranty_items": len(warranty.items_for("XHY"))}
    assert body["unchanged"] == 2
    assert count(session, Owner) == 3


def test_multipart_upload_and_gb18030(client: TestClient, session: Session) -> None:
    make_staff(session, Role.AGENT, username="api.agent")
    files = {"file": ("owners.csv", GOOD.encode("gb18030"), "text/csv")}
    resp = client.post(URL, files=files)
    assert resp.status_code == 200, resp.text
    assert resp.json()["created"]["owners"] == 3
    assert session.scalars(select(Project.name).where(Project.code == "XHY")).one() == "安居·西湖印"


def test_any_bad_row_imports_nothing_and_lists_every_error(client: TestClient, session: Session) -> None:
    before = count(session, Project), count(session, Owner)
    bad = GOOD + (
        "XHY,安居·西湖印,1,1,303,,王五,12345,zh,2024-03-01,,,\n"
        "XHY,安居·西湖印,1,1,304,,赵六,13911110005,fr,2024-13-01,,nobody,maybe\n"
        "XHY,安居·西湖印,1,1,305,,,13911110006,zh,2024-03-01,2023-01-01,,\n"
    )
    resp = client.post(URL, content=bad.encode(), headers=CSV)
    assert resp.status_code == 422
    body = resp.json()
    assert body["detail"] == "9 problem(s) in the file; nothing was imported"
    assert [(e["row"], e["field"]) for e in body["errors"]] == [
        (2, "advisor_username"), (4, "advisor_username"),  # no staff member api.agent in this test
        (5, "phone"),
        (6, "language"), (6, "signed_on"), (6, "advisor_username"), (6, "marketing_consent"),
        (7, "owner_name"), (7, "handover_on"),
    ]
    assert body["errors"][0]["error"] == "no active staff member 'api.agent'"
    assert (count(session, Project), count(session, Owner)) == before


def test_bad_requests_are_4xx(client: TestClient) -> None:
    assert client.post(URL, content=b"{}", headers={"content-type": "application/json"}).status_code == 415
    assert client.post(URL, content=b"", headers=CSV).json()["errors"][0]["error"].startswith("the file is empty")
    resp = client.post(URL, files={"other": ("a.csv", b"x", "text/csv")})
    assert resp.status_code == 422 and resp.json() == {"detail": "send the CSV in the form field 'file'"}
    resp = client.post(URL, content=b"project_code,colour\nX,red\n", headers=CSV)
    assert resp.status_code == 422
    assert {(e["field"], e["error"]) for e in resp.json()["errors"]} >= {
        ("colour", "unknown column 'colour'"), ("phone", "missing column")}


def test_too_large_is_413(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.api.owners.MAX_IMPORT_BYTES", 100)
    assert client.post(URL, content=GOOD.encode(), headers=CSV).status_code == 413
    assert client.post(URL, files={"file": ("a.csv", GOOD.encode(), "text/csv")}).status_code == 413
