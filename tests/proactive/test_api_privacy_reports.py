"""API endpoints (progress, campaigns, surveys, reports, PIPL), routing rules for consent, reports."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import pipl, reports
from backend.models import ChannelIdentity, ConsentEvent, Kind, Owner, Status, Survey, Ticket, Urgency
from backend.notify import Identity, Policy, Reach, choose
from backend.tickets import ServiceRules, confirm_by_owner, create_ticket, transition
from tests.api.conftest import AUTH, build_app
from tests.factories import make_owner, make_unit
from tests.proactive.conftest import SH

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=SH)
POLICY = Policy(frozenset({"wechat", "sms", "telegram"}), {"service_notice": "TPL"})


def _client(session: Session) -> TestClient:
    return TestClient(build_app(session, now=NOW), headers=AUTH)


def test_routing_window_template_sms_and_marketing_consent() -> None:
    fresh = Identity(1, "wechat", "o1", NOW - timedelta(hours=47), False)
    stale = Identity(2, "wechat", "o2", NOW - timedelta(hours=49), False)
    reach = Reach(7, "13900000000", "zh", False, False, (stale,))
    assert choose(Reach(7, "13900000000", "zh", False, False, (fresh,)), now=NOW, policy=POLICY).route == "custom"
    assert choose(reach, now=NOW, policy=POLICY).route == "template"
    assert choose(reach, now=NOW, policy=Policy(frozenset({"wechat", "sms"}))).route == "sms"
    assert choose(Reach(7, "", "zh", False, False), now=NOW, policy=POLICY).reason == "no_channel"
    assert choose(reach, now=NOW, policy=POLICY, marketing=True).reason == "no_marketing_consent"
    opted = Reach(7, "13900000000", "zh", True, False, (Identity(3, "sms", "+8613900000000", None, True),))
    assert choose(opted, now=NOW, policy=POLICY, marketing=True).reason == "opted_out"
    assert choose(opted, now=NOW, policy=POLICY).route == "sms"  # service notices continue after 退订


def test_progress_update_api_preview_publish_and_report(session: Session) -> None:
    unit = make_unit(session, stage="under_construction")
    buyer = make_owner(session, unit, handover_on=None, language="en")
    code = unit.building.project.code
    client = _client(session)
    created = client.post("/api/v1/progress-updates", json={
        "project": code, "title": "主体封顶", "title_en": "Topped out", "body": "进展顺利", "stage": "主体",
        "percent": 60, "photo_url": "https://img.example/1.jpg"})
    assert created.status_code == 201, created.text
    out = created.json()
    assert "主体封顶" in out["preview"]["zh"] and "Topped out" in out["preview"]["en"] and out["publish_at"] is None
    assert "https://img.example/1.jpg" in out["preview"]["zh"]
    published = client.post(f"/api/v1/progress-updates/{out['id']}/publish", json={})
    assert published.json()["publish_at"] is not None
    from backend import progress

    assert progress.publish_due(session, now=NOW, tz=SH, policy=POLICY) == [out["id"]]
    report = client.get(f"/api/v1/progress-updates/{out['id']}/deliveries").json()
    assert report["total"] == 1 and report["queued"] == 1 and report["by_route"] == {"sms": 1}
    assert client.post(f"/api/v1/progress-updates/{out['id']}/publish", json={}).status_code == 409
    assert buyer.id
    assert client.post("/api/v1/campaigns", json={"project": code, "kind": "nope", "starts_on": "2026-12-01",
                                                  "ends_on": "2026-12-02"}).status_code == 422
    assert client.post("/api/v1/campaigns", json={"project": code, "kind": "fire_doors", "starts_on": "2026-12-01",
                                                  "ends_on": "2026-12-02"}).status_code == 201
    assert client.post("/api/v1/warranty/grant").json() == {"items_added": 0}


def _closed_with_score(session: Session, score: int | None) -> Survey:
    rules = ServiceRules()
    owner = make_owner(session, handover_on=date(2026, 1, 1))
    t = create_ticket(session, kind=Kind.REPAIR, urgency=Urgency.NORMAL, now=NOW - timedelta(days=3), rules=rules,
                      owner_id=owner.id, unit_id=owner.ownerships[0].unit_id, description="门锁坏了 13911112222")
    transition(session, t, Status.PENDING_OWNER_CONFIRM, now=NOW - timedelta(days=2))
    confirm_by_owner(session, t, satisfied=True, now=NOW - timedelta(days=2), rules=rules)
    survey = session.scalars(select(Survey).where(Survey.ticket_id == t.id)).one()
    if score is not None:
        from backend.surveys import record_answer

        record_answer(session, survey, score=score, comment="一般", now=NOW - timedelta(days=1), rules=rules)
    return survey


def test_reports_api_csv_chart_and_manual_call(session: Session) -> None:
    _closed_with_score(session, 5)
    _closed_with_score(session, 2)
    pending = _closed_with_score(session, None)
    pending.status = "manual"
    session.flush()
    client = _client(session)
    assert client.get("/api/v1/surveys", params={"status": "manual"}).json()[0]["id"] == pending.id
    done = client.post(f"/api/v1/surveys/{pending.id}/manual", json={"comment": "电话回访，业主满意"})
    assert done.json()["status"] == "manual_done"
    sat = client.get("/api/v1/reports/satisfaction").json()["rows"]
    assert sum(r["answered"] for r in sat) == 2 and sum(r["low_scores"] for r in sat) == 1
    cov = client.get("/api/v1/reports/survey-coverage").json()["rows"]
    assert cov[-1]["repairs_closed"] == 3 and cov[-1]["coverage"] == 1.0
    timely = client.get("/api/v1/reports/complaint-timeliness").json()["rows"]
    assert timely and timely[0]["kind"] == "complaint"  # the low score's follow-up complaint
    csv = client.get("/api/v1/reports/first-contact-sla/csv")
    assert csv.headers["content-type"].startswith("text/csv") and "month,kind,total" in csv.text
    assert client.get("/api/v1/reports/escalations").status_code == 200
    svg = client.get("/api/v1/reports/satisfaction/chart.svg")
    assert svg.text.startswith("<svg") and "<rect" in svg.text
    assert reports.to_csv([]) == "\ufeff"


def test_pipl_export_and_erase(session: Session) -> None:
    survey = _closed_with_score(session, 4)
    owner_id = survey.owner_id
    session.add(ChannelIdentity(channel="wechat", external_id="o_secret", owner_id=owner_id))
    session.flush()
    client = _client(session)
    data = client.get(f"/api/v1/privacy/owners/{owner_id}/export").json()
    assert data["owner"]["id"] == owner_id and data["tickets"][0]["events"] and data["surveys"][0]["score"] == 4
    assert data["channel_identities"][0]["external_id"] == "o_secret"
    consent = client.post(f"/api/v1/privacy/owners/{owner_id}/consent",
                          json={"granted": True, "source": "console", "text_version": "v1"})
    assert consent.json()["marketing_consent"] is True
    erased = client.post(f"/api/v1/privacy/owners/{owner_id}/erase", params={"reason": "owner request"})
    assert erased.status_code == 200, erased.text
    session.expire_all()
    owner = session.get(Owner, owner_id)
    assert owner.deleted_at is not None and "1391" not in owner.phone and owner.marketing_consent is False
    assert session.scalars(select(ChannelIdentity.external_id)).all() != ["o_secret"]
    ticket = session.scalars(select(Ticket).where(Ticket.owner_id == owner_id)).one()
    assert "13911112222" not in ticket.description and ticket.status is Status.CALLBACK_DONE
    assert session.get(Survey, survey.id).comment is None and session.get(Survey, survey.id).score == 4
    actions = session.scalars(select(ConsentEvent.action).where(ConsentEvent.owner_id == owner_id)).all()
    assert actions == ["export", "grant", "delete"]
    assert client.get("/api/v1/privacy/owners/999999/export").status_code == 404
    assert pipl.export_owner(session, owner_id)["owner"]["deleted_at"]
