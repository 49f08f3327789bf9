"""Owner and unit look-ups: filters, masked phones, handover dates."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backend.models import Owner, Ownership
from tests.api.conftest import Estate
from tests.factories import make_unit


def test_owners_have_masked_phones_and_their_units(client: TestClient, estate: Estate) -> None:
    body = client.get("/api/v1/owners").json()
    assert body["total"] == 2
    a = next(o for o in body["items"] if o["id"] == estate.owner_a.id)
    unit = estate.owner_a.ownerships[0].unit
    assert a == {
        "id": estate.owner_a.id, "name": estate.owner_a.name, "phone": "139****5678", "language": "zh",
        "tier": "standard", "advisor_id": estate.agent.id, "marketing_consent": False,
        "units": [{"unit_id": unit.id, "unit_label": unit.label, "project_code": estate.project_a.code,
                   "signed_on": "2024-03-01", "handover_on": "2025-06-30"}],
    }
    assert "13912345678" not in client.get("/api/v1/owners").text


def test_owner_search_by_phone_suffix_name_and_project(client: TestClient, estate: Estate) -> None:
    def ids(**params: str) -> list[int]:
        resp = client.get("/api/v1/owners", params=params)
        assert resp.status_code == 200, resp.text
        return [o["id"] for o in resp.json()["items"]]

    assert ids(q="5678") == [estate.owner_a.id]
    assert ids(q="1111") == [estate.owner_b.id]
    assert ids(q=estate.owner_b.name) == [estate.owner_b.id]
    assert ids(q="%") == []
    assert ids(project=estate.project_a.code) == [estate.owner_a.id]
    assert ids(project=str(estate.project_b.id), q="5678") == []
    assert client.get("/api/v1/owners", params={"project": "ZZZ"}).status_code == 422


def test_deleted_owners_are_not_listed(client: TestClient, estate: Estate, session: Session) -> None:
    estate.owner_b.deleted_at = estate.owner_b.created_at
    session.flush()
    assert [o["id"] for o in client.get("/api/v1/owners").json()["items"]] == [estate.owner_a.id]


def test_units_with_owners_and_handover_dates(client: TestClient, estate: Estate, session: Session) -> None:
    empty = make_unit(session, room="801")
    co_owner = Owner(name="共有人", phone="13700009999")
    session.add(co_owner)
    session.flush()
    unit_a = estate.owner_a.ownerships[0].unit
    session.add(Ownership(owner_id=co_owner.id, unit_id=unit_a.id, signed_on=estate.owner_a.ownerships[0].signed_on))
    session.flush()
    body = client.get("/api/v1/units", params={"project": estate.project_a.code}).json()
    assert body["total"] == 1
    item = body["items"][0]
    assert {k: item[k] for k in ("id", "project_code", "building", "entrance", "room", "label")} == {
        "id": unit_a.id, "project_code": estate.project_a.code, "building": "3", "entrance": "2",
        "room": unit_a.room, "label": unit_a.label}
    assert [(o["name"], o["phone"], o["handover_on"]) for o in item["owners"]] == [
        (estate.owner_a.name, "139****5678", "2025-06-30"), ("共有人", "137****9999", None)]
    by_code = client.get("/api/v1/units", params={"project": empty.building.project.code}).json()
    assert by_code["items"][0]["owners"] == [] and by_code["items"][0]["label"] == "3栋2单元801"


def test_units_building_filter_and_paging(client: TestClient, estate: Estate) -> None:
    assert client.get("/api/v1/units", params={"building": "3"}).json()["total"] == 2
    assert client.get("/api/v1/units", params={"building": "3栋"}).json()["total"] == 2
    assert client.get("/api/v1/units", params={"building": "9"}).json()["total"] == 0
    page = client.get("/api/v1/units", params={"limit": 1, "offset": 1}).json()
    assert (len(page["items"]), page["total"]) == (1, 2)
    assert client.get("/api/v1/units", params={"limit": 1000}).status_code == 422
