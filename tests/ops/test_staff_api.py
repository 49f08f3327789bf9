"""Staff contacts and the rota over the REST API; the console paging-contacts page."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import AuditLog, OnCallShift, Outbox, Role
from bot.services import rules_from_settings
from tests.api.conftest import AUTH, NOW, build_app
from tests.factories import make_staff


def _client(session: Session, channels: tuple[str, ...] = ("telegram", "sms")) -> TestClient:
    app = build_app(session)
    app.state.services = SimpleNamespace(channels={name: object() for name in channels}, clock=app.state.clock,
                                         rules=rules_from_settings(app.state.settings))
    return TestClient(app, headers=AUTH)


def test_set_contacts_then_test_message_and_bind_code(session: Session) -> None:
    eng = make_staff(session, Role.ENGINEER)
    client = _client(session)
    r = client.get(f"/api/v1/staff/{eng.id}/contacts")
    assert r.status_code == 200 and r.json()["reachable"] == []
    assert client.post(f"/api/v1/staff/{eng.id}/test-message", json={}).status_code == 409
    r = client.put(f"/api/v1/staff/{eng.id}/contacts", json={"phone": "13912345678", "telegram_chat_id": "777"})
    assert r.status_code == 200
    assert r.json()["phone"] == "139****5678" and sorted(r.json()["reachable"]) == ["sms", "telegram"]
    r = client.put(f"/api/v1/staff/{eng.id}/contacts", json={"telegram_chat_id": "x y"})
    assert r.status_code == 422
    r = client.post(f"/api/v1/staff/{eng.id}/test-message", json={"channel": "telegram"})
    assert r.status_code == 202 and r.json() == {"channels": ["telegram"]}
    rows = session.scalars(select(Outbox).where(Outbox.staff_id == eng.id)).all()
    assert [(o.channel, o.recipient) for o in rows] == [("telegram", "777")]
    r = client.post(f"/api/v1/staff/{eng.id}/bind-code")
    assert r.status_code == 201 and r.json()["code"].startswith("S") and len(r.json()["code"]) == 9
    actions = set(session.scalars(select(AuditLog.action)))
    assert {"contact_changed", "contact_tested", "bind_code_issued"} <= actions
    assert client.get("/api/v1/staff", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_rota_shift_for_unreachable_engineer_warns_and_coverage_reports_it(session: Session) -> None:
    eng = make_staff(session, Role.ENGINEER)
    ok = make_staff(session, Role.ENGINEER, telegram_chat_id="888")
    client = _client(session)
    start = NOW.astimezone(tz=None) - timedelta(hours=1)
    body = {"layer": 1, "staff_id": eng.id, "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=12)).isoformat(), "repeat_weeks": 1}
    r = client.post("/api/v1/rota/shifts", json=body)
    assert r.status_code == 201 and len(r.json()["shifts"]) == 2
    assert r.json()["warnings"] and eng.username in r.json()["warnings"][0]
    assert session.scalars(select(OnCallShift)).all()[1].starts_at - session.scalars(
        select(OnCallShift)).all()[0].starts_at == timedelta(weeks=1)
    r = client.get("/api/v1/rota/coverage", params={"days": 1})
    gaps = r.json()["gaps"]
    assert not r.json()["ok"]
    assert any(g["layer"] == 1 and g["reason"] == f"unreachable:{eng.username}" for g in gaps)
    assert any(g["layer"] == 2 and g["reason"] == "nobody" for g in gaps)
    later = {**body, "staff_id": ok.id, "repeat_weeks": 0, "starts_at": NOW.isoformat()}
    r = client.post("/api/v1/rota/shifts", json=later)
    assert r.status_code == 201 and r.json()["warnings"] == []
    gaps = client.get("/api/v1/rota/coverage", params={"days": 1}).json()["gaps"]
    layer1 = [g for g in gaps if g["layer"] == 1]
    assert [g["reason"] for g in layer1] == ["nobody"]  # the later-started, reachable shift is the one paged
    shift_id = r.json()["shifts"][0]["id"]
    assert client.delete(f"/api/v1/rota/shifts/{shift_id}").status_code == 204
    assert len(client.get("/api/v1/rota/shifts", params={"from": start.isoformat()}).json()) == 2
    bad = {**body, "ends_at": body["starts_at"]}
    assert client.post("/api/v1/rota/shifts", json=bad).status_code == 422


def test_rota_csv_import_with_weekly_repeats_all_or_nothing(session: Session) -> None:
    make_staff(session, Role.ENGINEER, username="zhao", telegram_chat_id="1")
    make_staff(session, Role.ENGINEER, username="qian")
    client = _client(session)
    csv_head = "layer,username,starts_at,ends_at,repeat_weeks\n"
    bad = csv_head + "1,zhao,2026-11-30 08:00,2026-11-30 20:00,1\n4,nobody,2026-11-30 08:00,2026-11-30 07:00,\n"
    r = client.post("/api/v1/rota/import", content=bad.encode(), headers={"content-type": "text/csv"})
    assert r.status_code == 422 and len(r.json()["errors"]) == 1 and r.json()["errors"][0].startswith("row 3")
    assert session.scalars(select(OnCallShift)).all() == []
    good = csv_head + "1,zhao,2026-11-30 08:00,2026-11-30 20:00,3\n2,qian,2026-11-30 08:00,2026-11-30 20:00,\n"
    r = client.post("/api/v1/rota/import", content=good.encode(), headers={"content-type": "text/csv"})
    assert r.status_code == 201 and r.json()["created"] == 5
    assert r.json()["warnings"] == ["qian cannot be paged on any enabled channel"]
    starts = sorted(s.starts_at for s in session.scalars(select(OnCallShift).where(OnCallShift.layer == 1)))
    assert [(b - a).days for a, b in zip(starts, starts[1:], strict=False)] == [7, 7, 7]
    assert starts[0].hour == 0  # 08:00 in Shanghai is 00:00 UTC
