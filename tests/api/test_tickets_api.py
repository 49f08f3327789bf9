"""Ticket endpoints: filters (incl. overdue and project), timeline, changes under the service rules."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import Status, Survey, Ticket, TicketEvent
from backend.tickets import transition
from tests.api.conftest import NOW, Estate


def numbers(client: TestClient, **params: Any) -> list[str]:
    resp = client.get("/api/v1/tickets", params=params)
    assert resp.status_code == 200, resp.text
    return [item["number"] for item in resp.json()["items"]]


def nums(estate: Estate, *names: str) -> list[str]:
    return [estate.tickets[n].number for n in names]


def test_list_is_newest_first_with_owner_unit_project_and_overdue(client: TestClient, estate: Estate) -> None:
    body = client.get("/api/v1/tickets").json()
    assert body["total"] == 5
    assert [i["number"] for i in body["items"]] == nums(estate, "complaint", "fresh", "emergency", "contacted", "old")
    emergency = body["items"][2]
    unit = estate.owner_a.ownerships[0].unit
    assert emergency | {"created_at": None, "contact_due_at": None} == {
        "number": estate.tickets["emergency"].number, "kind": "repair", "urgency": "emergency",
        "category": "water", "location": "balcony", "status": "received", "level": "cs",
        "owner_id": estate.owner_a.id, "owner_name": estate.owner_a.name, "unit_label": unit.label,
        "project_code": estate.project_a.code, "created_at": None, "contact_due_at": None, "overdue": True,
        "repair_attempts": 1, "complaint_count": 0, "assignee_id": None,
    }
    assert emergency["created_at"] == emergency["contact_due_at"] == "2026-11-27T01:00:00Z"


def test_overdue_filter_matches_is_overdue(client: TestClient, estate: Estate) -> None:
    assert numbers(client, overdue="true") == nums(estate, "emergency", "old")
    assert numbers(client, overdue="false") == nums(estate, "complaint", "fresh", "contacted")


def test_project_filter_by_code_or_id(client: TestClient, estate: Estate) -> None:
    assert numbers(client, project=estate.project_b.code) == nums(estate, "complaint")
    assert numbers(client, project=str(estate.project_b.id)) == nums(estate, "complaint")
    assert len(numbers(client, project=estate.project_a.code)) == 4
    resp = client.get("/api/v1/tickets", params={"project": "NOPE"})
    assert resp.status_code == 422
    assert resp.json() == {"detail": "unknown project 'NOPE'"}


@pytest.mark.parametrize(("params", "expected"), [
    ({"status": "contacted"}, ["contacted"]),
    ({"kind": "complaint"}, ["complaint"]),
    ({"urgency": "emergency"}, ["emergency"]),
    ({"kind": "repair", "overdue": "false"}, ["fresh", "contacted"]),
    ({"status": "closed"}, []),
])
def test_filters(client: TestClient, estate: Estate, params: dict[str, str], expected: list[str]) -> None:
    assert numbers(client, **params) == nums(estate, *expected)


def test_advisor_filter(client: TestClient, estate: Estate) -> None:
    assert len(numbers(client, advisor=estate.agent.id)) == 4
    assert numbers(client, advisor=estate.engineer.id) == []


def test_pagination_and_limits(client: TestClient, estate: Estate) -> None:
    body = client.get("/api/v1/tickets", params={"limit": 2, "offset": 1}).json()
    assert [i["number"] for i in body["items"]] == nums(estate, "fresh", "emergency")
    assert (body["total"], body["limit"], body["offset"]) == (5, 2, 1)
    for bad in ({"limit": 201}, {"limit": 0}, {"offset": -1}, {"status": "done"}, {"overdue": "maybe"}):
        assert client.get("/api/v1/tickets", params=bad).status_code == 422, bad


def test_detail_has_the_whole_timeline_in_order(client: TestClient, estate: Estate) -> None:
    number = estate.tickets["contacted"].number
    body = client.get(f"/api/v1/tickets/{number}").json()
    assert body["status"] == "contacted" and body["overdue"] is False
    assert [(e["kind"], e["actor"]) for e in body["timeline"]] == [("created", "bot"), ("status", "staff:1")]
    assert body["timeline"][1]["data"] == {"from": "received", "to": "contacted", "note": ""}
    assert body["first_contacted_at"] == "2026-11-24T14:00:00Z"
    assert body["advisor_id"] == estate.agent.id and body["first_contact_owner_id"] == estate.agent.id


def test_unknown_ticket_is_404(client: TestClient, estate: Estate) -> None:
    for method in ("get", "patch"):
        resp = client.request(method, "/api/v1/tickets/AJ-20991231-9999", json={"note": "x"})
        assert resp.status_code == 404
        assert resp.json() == {"detail": "ticket AJ-20991231-9999 not found"}


def test_patch_status_assignee_and_note(client: TestClient, estate: Estate, session: Session) -> None:
    number = estate.tickets["old"].number
    resp = client.patch(f"/api/v1/tickets/{number}",
                        json={"status": "contacted", "assignee_id": estate.engineer.id, "note": "called"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["status"], body["assignee_id"], body["overdue"]) == ("contacted", estate.engineer.id, False)
    assert [(e["kind"], e["actor"]) for e in body["timeline"][-2:]] == [("assigned", "api"), ("status", "api")]
    assert body["timeline"][-1]["data"]["note"] == "called"
    session.expire_all()
    assert session.scalars(select(Ticket.status).where(Ticket.number == number)).one() is Status.CONTACTED
    resp = client.patch(f"/api/v1/tickets/{number}", json={"assignee_id": None, "note": "handed back"})
    assert resp.json()["assignee_id"] is None
    assert [e["kind"] for e in resp.json()["timeline"][-2:]] == ["assigned", "note"]


def test_closing_a_repair_without_confirmation_is_409_and_changes_nothing(
    client: TestClient, estate: Estate, session: Session
) -> None:
    ticket = estate.tickets["contacted"]
    before = len(session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all())
    resp = client.patch(f"/api/v1/tickets/{ticket.number}",
                        json={"status": "closed", "assignee_id": estate.engineer.id})
    assert resp.status_code == 409
    assert resp.json() == {"detail": "a repair closes only with the owner's recorded confirmation"}
    session.expire_all()
    assert session.get(Ticket, ticket.id).status is Status.CONTACTED
    assert session.get(Ticket, ticket.id).assignee_id is None
    assert len(session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()) == before


def test_moving_backwards_is_409(client: TestClient, estate: Estate) -> None:
    resp = client.patch(f"/api/v1/tickets/{estate.tickets['contacted'].number}", json={"status": "triaged"})
    assert resp.status_code == 409
    assert resp.json()["detail"] == "cannot move from contacted to triaged"


def test_owner_confirmation_closes_and_schedules_the_callback(
    client: TestClient, estate: Estate, session: Session
) -> None:
    ticket = estate.tickets["contacted"]
    transition(session, ticket, Status.PENDING_OWNER_CONFIRM, now=NOW, actor="staff:1")
    session.flush()
    resp = client.patch(f"/api/v1/tickets/{ticket.number}",
                        json={"owner_confirmation": {"satisfied": True, "comment": "好了"}, "status": "closed"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["status"] == "closed" and body["owner_confirmed_at"] == "2026-11-27T02:00:00Z"
    assert [e["kind"] for e in body["timeline"][-3:]] == ["owner_confirmation", "status", "survey_scheduled"]
    assert session.scalars(select(Survey).where(Survey.ticket_id == ticket.id)).one().status == "due"


def test_dissatisfied_owner_reopens_as_another_attempt(client: TestClient, estate: Estate, session: Session) -> None:
    number = estate.tickets["contacted"].number
    transition(session, estate.tickets["contacted"], Status.IN_PROGRESS, now=NOW, actor="staff:1")
    session.flush()
    resp = client.patch(f"/api/v1/tickets/{number}", json={"owner_confirmation": {"satisfied": False}})
    body = resp.json()
    assert (body["status"], body["repair_attempts"]) == ("triaged", 2)
    assert body["timeline"][-1]["kind"] == "reopened" and body["timeline"][-1]["actor"] == "api"


@pytest.mark.parametrize("patch", [
    {}, {"status": "finished"}, {"colour": "red"}, {"owner_confirmation": {"comment": "x"}},
    {"assignee_id": "abc"}, {"note": "x" * 2001},
])
def test_bad_patch_bodies_are_422(client: TestClient, estate: Estate, patch: dict[str, Any]) -> None:
    resp = client.patch(f"/api/v1/tickets/{estate.tickets['old'].number}", json=patch)
    assert resp.status_code == 422, resp.text


def test_unknown_or_inactive_assignee_is_422(client: TestClient, estate: Estate, session: Session) -> None:
    number = estate.tickets["old"].number
    resp = client.patch(f"/api/v1/tickets/{number}", json={"assignee_id": 999_999})
    assert resp.status_code == 422
    assert resp.json() == {"detail": "unknown or inactive staff member 999999"}
    estate.engineer.active = False
    session.flush()
    assert client.patch(f"/api/v1/tickets/{number}", json={"assignee_id": estate.engineer.id}).status_code == 422


def test_non_json_body_is_4xx_not_500(client: TestClient, estate: Estate) -> None:
    resp = client.patch(f"/api/v1/tickets/{estate.tickets['old'].number}", content=b"\xff{",
                        headers={"content-type": "application/json"})
    assert resp.status_code in (400, 422)
    assert resp.json()["detail"]


@pytest.mark.parametrize(("method", "path", "params", "body"), [
    ("get", "/api/v1/tickets", {"advisor": 10**30}, None),
    ("get", "/api/v1/tickets", {"offset": 10**30}, None),
    ("get", "/api/v1/tickets", {"project": "9" * 30}, None),
    ("get", "/api/v1/tickets", {"project": "a\x00b"}, None),
    ("get", "/api/v1/owners", {"q": "a\x00b"}, None),
    ("get", "/api/v1/units", {"building": "a\x00b"}, None),
    ("get", "/api/v1/tickets/AJ%00x", None, None),
    ("get", "/api/v1/tickets/" + "A" * 25, None, None),
    ("patch", "/api/v1/tickets/{old}", None, {"assignee_id": 10**30}),
    ("patch", "/api/v1/tickets/{old}", None, {"assignee_id": -1}),
    ("patch", "/api/v1/tickets/{old}", None, [1, 2]),
])
def test_hostile_input_is_4xx_never_500(client: TestClient, estate: Estate, method: str, path: str,
                                        params: dict[str, Any] | None, body: Any) -> None:
    resp = client.request(method, path.format(old=estate.tickets["old"].number), params=params, json=body)
    assert 400 <= resp.status_code < 500, resp.text
    assert resp.json()["detail"]
