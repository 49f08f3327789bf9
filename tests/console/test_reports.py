"""The reports page, its audited CSV export, and PIPL export/erase from the console."""

from __future__ import annotations

import json

from sqlalchemy import select

from backend import tickets
from backend.db import transaction
from backend.models import AuditLog, Kind, Owner, Status, Survey, Ticket
from tests.bot.conftest import Estate
from tests.console.conftest import Console, post


def _closed_repair_with_score(console: Console, estate: Estate, score: int) -> None:
    bot = console.bot
    with transaction(bot.svc.sessions) as s:
        t = tickets.create_ticket(s, kind=Kind.REPAIR, now=bot.now, rules=bot.svc.rules, category="water",
                                  owner_id=estate.owner_id, unit_id=estate.unit_id)
        tickets.transition(s, t, Status.PENDING_OWNER_CONFIRM, now=bot.now)
        tickets.confirm_by_owner(s, t, satisfied=True, now=bot.now, rules=bot.svc.rules)
        survey = s.scalars(select(Survey).where(Survey.ticket_id == t.id)).one()
        bot.svc.surveys.record_answer(s, survey, score=score, comment=None, now=bot.now)


def test_reports_page_shows_every_report_and_a_chart(console: Console, estate: Estate) -> None:
    _closed_repair_with_score(console, estate, 4)
    page = console.login("sup").get("/console/reports?start=2026-01-01&end=2026-12-31")
    assert page.status_code == 200
    for title in ("满意度", "投诉处理及时率", "首次联系时效达标率", "升级", "回访覆盖率"):
        assert title in page.text
    assert "<svg" in page.text


def test_report_csv_is_an_audited_export(console: Console, estate: Estate) -> None:
    _closed_repair_with_score(console, estate, 5)
    sup = console.login("sup")
    csv = sup.get("/console/reports/survey-coverage.csv?start=2026-01-01&end=2026-12-31")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert len(csv.text.strip().splitlines()) >= 2
    with console.bot.svc.sessions() as s:
        assert s.scalars(select(AuditLog).where(AuditLog.action == "export")).first() is not None
    assert sup.get("/console/reports/nope.csv").status_code == 404


def test_agents_cannot_open_reports(console: Console, estate: Estate) -> None:
    agent = console.login("agent2")
    assert agent.get("/console/reports").status_code == 403
    assert agent.get(f"/console/privacy/export?owner_id={estate.owner_id}").status_code == 403


def test_privacy_export_and_erase(console: Console, estate: Estate) -> None:
    _closed_repair_with_score(console, estate, 3)
    sup = console.login("sup")
    data = json.loads(sup.get(f"/console/privacy/export?owner_id={estate.owner_id}").text)
    assert estate.owner_phone in json.dumps(data, ensure_ascii=False)
    assert sup.get("/console/privacy/export?owner_id=99999999999").status_code in (404, 422)
    mismatch = post(sup, "/console/privacy/erase", owner_id=str(estate.owner_id), confirm=str(estate.owner_id + 1))
    assert mismatch.status_code == 303 and "confirm_mismatch" in mismatch.headers["location"]
    with console.bot.svc.sessions() as s:
        assert s.get(Owner, estate.owner_id).deleted_at is None
    post(sup, "/console/privacy/erase", owner_id=str(estate.owner_id), confirm=str(estate.owner_id),
         reason="owner asked")
    with console.bot.svc.sessions() as s:
        owner = s.get(Owner, estate.owner_id)
        assert owner.phone != estate.owner_phone and owner.deleted_at is not None
        assert s.scalars(select(Ticket).where(Ticket.owner_id == estate.owner_id)).first() is not None
