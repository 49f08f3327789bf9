"""API service-rule actions: staff-created tickets (emergencies paged at once), visits, engineer contact."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import DispatchPage, OnCallShift, Ticket
from bot.settings import Settings
from tests.api.conftest import NOW, TOKEN, Estate


def test_hotline_emergency_is_paged(client: TestClient, estate: Estate, session: Session) -> None:
    client.app.state.settings = Settings(api_token=TOKEN, _env_file=None,  # type: ignore[attr-defined]
                                         twilio={"account_sid": "AC1", "auth_token": "t", "from_number": "+15550001"})
    estate.engineer.phone = "13900001111"  # reachable by SMS: an unreachable engineer is skipped with an alarm
    session.add(OnCallShift(layer=1, staff_id=estate.engineer.id, starts_at=NOW - timedelta(hours=1),
                            ends_at=NOW + timedelta(hours=8)))
    session.flush()
    resp = client.post("/api/v1/tickets", json={
        "kind": "repair", "urgency": "emergency", "owner_id": estate.owner_a.id,
        "unit_id": estate.owner_a.ownerships[0].unit_id, "category": "water", "location": "kitchen",
        "description": "热线：水管爆裂", "taken_by_id": estate.agent.id})
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["first_contact_owner_id"] == estate.agent.id
    assert "paged" in [e["kind"] for e in body["timeline"]]
    tid = session.scalar(select(Ticket.id).where(Ticket.number == body["number"]))
    assert session.scalars(select(DispatchPage).where(DispatchPage.ticket_id == tid)).one().staff_id == \
        estate.engineer.id


def test_normal_ticket_is_not_paged_and_complaint_links(client: TestClient, estate: Estate) -> None:
    resp = client.post("/api/v1/tickets", json={
        "kind": "complaint", "owner_id": estate.owner_b.id, "unit_id": estate.owner_b.ownerships[0].unit_id,
        "description": "第二次投诉", "related_ticket_number": estate.tickets["complaint"].number})
    body = resp.json()
    assert resp.status_code == 201, resp.text
    assert body["level"] == "dev_dept" and body["related_ticket_number"] == estate.tickets["complaint"].number
    assert "paged" not in [e["kind"] for e in body["timeline"]]


def test_unknown_references_are_422(client: TestClient, estate: Estate) -> None:
    for extra in ({"owner_id": 999999}, {"taken_by_id": 999999}, {"related_ticket_number": "AJ-1"}):
        assert client.post("/api/v1/tickets", json={"kind": "complaint", **extra}).status_code == 422


def test_visit_booking_engineer_contact_and_cancel(client: TestClient, estate: Estate) -> None:
    number = estate.tickets["fresh"].number
    start = (NOW + timedelta(days=1)).isoformat()
    end = (NOW + timedelta(days=1, hours=2)).isoformat()
    resp = client.post(f"/api/v1/tickets/{number}/visit", json={"start": start, "end": end,
                                                                 "by_staff_id": estate.engineer.id})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["status"] == "scheduled" and body["appointment_start"] is not None
    assert "engineer_contact" in [e["kind"] for e in body["timeline"]]
    assert client.post(f"/api/v1/tickets/{number}/visit", json={"start": end, "end": start}).status_code == 409
    assert client.post(f"/api/v1/tickets/{number}/visit",
                       json={"start": "2026-12-01T09:00:00", "end": "2026-12-01T10:00:00"}).status_code == 422
    gone = client.delete(f"/api/v1/tickets/{number}/visit")
    assert gone.status_code == 200 and gone.json()["appointment_start"] is None
    assert client.delete(f"/api/v1/tickets/{number}/visit").status_code == 409


def test_engineer_contact_route(client: TestClient, estate: Estate) -> None:
    number = estate.tickets["old"].number
    resp = client.post(f"/api/v1/tickets/{number}/engineer-contact", json={"staff_id": estate.engineer.id,
                                                                             "note": "约了周四"})
    assert resp.status_code == 200
    assert resp.json()["status"] == "contacted"
    assert client.post("/api/v1/tickets/AJ-0/engineer-contact", json={"staff_id": 1}).status_code == 404


def test_reminder_preview_and_warranty_check_routes(client: TestClient, estate: Estate, session: Session) -> None:
    from backend import reminders

    reminders.grant_all_missing(session)
    session.flush()
    assert client.get("/api/v1/warranty/reminders/preview", params={"days": 365}).json() == []
    rows = client.get("/api/v1/warranty/reminders/preview", params={"days": 730}).json()
    assert {r["expires_on"] for r in rows} == {"2028-06-30"}  # roof waterproofing, 3 years
    assert {r["remind_at"] for r in rows} == {"2028-05-30T10:00+08:00"} and rows[0]["overdue"] is False
    from backend.models import Outbox

    assert session.scalars(select(Outbox)).first() is None  # nothing sent
    assert client.get("/api/v1/warranty/reminders/preview", params={"project": "NOPE"}).status_code == 422
    unit_id = estate.owner_a.ownerships[0].unit_id  # handed over 2025-06-30: doors/windows ran out 2026-06-30
    body = client.get(f"/api/v1/warranty/units/{unit_id}/check", params={"category": "door_window"}).json()
    assert (body["status"], body["paid_service"]) == ("out", True)
    body = client.get(f"/api/v1/warranty/units/{unit_id}/check",
                      params={"category": "waterproofing", "location": "roof"}).json()
    assert body["status"] == "in" and body["expires_on"] == "2028-06-30"


def test_engineer_contact_report_json_and_csv(client: TestClient, estate: Estate) -> None:
    client.post(f"/api/v1/tickets/{estate.tickets['fresh'].number}/engineer-contact",
                json={"staff_id": estate.engineer.id})
    body = client.get("/api/v1/reports/engineer-contact", params={"start": "2026-11-01", "end": "2026-11-30"}).json()
    rows = {r["project"]: r for r in body["rows"]}
    a = rows[estate.project_a.code]
    # old (72 h ago) and contacted (71 h ago) are past 24 h with no call; fresh was called in time
    assert (a["engineer_on_time"], a["engineer_missing"]) == (1, 2)
    csv = client.get("/api/v1/reports/engineer-contact/csv", params={"start": "2026-11-01", "end": "2026-11-30"})
    assert csv.status_code == 200 and "engineer_on_time" in csv.text
    assert client.get("/api/v1/reports/survey-gap").json()["rows"] == []
