"""Warranty rules of issue 16: corrected handover dates, per-city seasons, in/out-of-warranty answers,
reminder preview (nothing sent)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import importer, reminders, warranty
from backend.models import Outbox, WarrantyItem
from backend.notify import Policy
from bot.rules_cli import preview_rows, write
from tests.factories import make_owner, make_unit
from tests.proactive.conftest import SH

POLICY = Policy(frozenset({"sms", "wechat"}))


def item(session: Session, unit_id: int, code: str) -> WarrantyItem:
    return session.scalars(select(WarrantyItem).where(WarrantyItem.unit_id == unit_id,
                                                      WarrantyItem.code == code)).one()


def test_corrected_handover_moves_expiry_and_pending_reminder(session: Session) -> None:
    owner = make_owner(session, handover_on=date(2026, 1, 10))
    reminders.grant_all_missing(session, tz=SH)
    unit_id = owner.ownerships[0].unit_id
    owner.ownerships[0].handover_on = date(2026, 3, 20)
    moved = warranty.redate(session, unit_id, tz=SH, now=datetime(2026, 4, 1, tzinfo=SH))
    assert moved == len(warranty.items_for(""))
    leaks = item(session, unit_id, "leaks")
    assert (leaks.starts_on, leaks.expires_on) == (date(2026, 3, 20), date(2027, 3, 20))
    assert leaks.remind_at == datetime(2027, 2, 20, 10, 0, tzinfo=SH)
    assert warranty.redate(session, unit_id, tz=SH, now=datetime(2026, 4, 1, tzinfo=SH)) == 0  # idempotent


def test_reminder_sent_for_the_wrong_date_is_sent_again_at_the_new_one(session: Session) -> None:
    owner = make_owner(session, make_unit(session), handover_on=date(2026, 1, 10), phone="13911112222")
    reminders.grant_all_missing(session, tz=SH)
    unit_id = owner.ownerships[0].unit_id
    first = datetime(2026, 2, 10, 10, 0, tzinfo=SH)  # pipe blockage reminder (expires 03-10)
    reminders.remind_due(session, now=first, tz=SH, policy=POLICY)
    assert item(session, unit_id, "pipe_blockage").reminded_at == first
    owner.ownerships[0].handover_on = date(2026, 2, 1)  # corrected: pipe blockage now expires 04-01
    warranty.redate(session, unit_id, tz=SH, now=first + timedelta(hours=1))
    pipe = item(session, unit_id, "pipe_blockage")
    assert pipe.reminded_at is None and pipe.remind_at == datetime(2026, 3, 1, 10, 0, tzinfo=SH)
    reminders.remind_due(session, now=datetime(2026, 3, 1, 10, 0, tzinfo=SH), tz=SH, policy=POLICY)
    rows = list(session.scalars(select(Outbox).where(Outbox.owner_id == owner.id).order_by(Outbox.id)))
    assert len(rows) == 2 and "2026-03-10" in rows[0].payload["text"] and "2026-04-01" in rows[1].payload["text"]
    # the same corrected date is never sent twice
    pipe.reminded_at = None
    reminders.remind_due(session, now=datetime(2026, 3, 1, 11, 0, tzinfo=SH), tz=SH, policy=POLICY)
    assert len(list(session.scalars(select(Outbox).where(Outbox.owner_id == owner.id)))) == 2


def test_reimport_with_corrected_handover_redates(session: Session) -> None:
    header = ",".join(importer.COLUMNS)
    row = "RDT,改期苑,3,2,1502,,王芳,13911110001,zh,2024-03-01,{},,"
    now = datetime(2026, 11, 24, 10, tzinfo=SH)
    first = importer.import_owners_csv(session, f"{header}\n{row.format('2025-06-30')}\n", now=now, tz=SH)
    assert first.ok
    report = importer.import_owners_csv(session, f"{header}\n{row.format('2025-09-30')}\n", now=now, tz=SH)
    assert report.updated["warranty_items"] == len(warranty.items_for("RDT"))
    unit_id = session.scalars(select(WarrantyItem.unit_id).where(WarrantyItem.starts_on == date(2025, 9, 30))).first()
    assert unit_id is not None
    assert item(session, unit_id, "leaks").expires_on == date(2026, 9, 30)


def test_heating_season_follows_the_city() -> None:
    heating = next(i for i in warranty.items_for("") if i.code == "heating")
    cooling = next(i for i in warranty.items_for("") if i.code == "cooling")
    handover = date(2026, 10, 30)
    assert warranty.expiry(handover, heating, city="北京") == date(2027, 3, 15)
    assert warranty.expiry(handover, heating, city="哈尔滨市") == date(2028, 4, 20)  # 2026 season already began
    assert warranty.expiry(handover, heating, city="") == date(2027, 3, 15)
    assert warranty.expiry(handover, cooling, city="") == date(2027, 9, 30)
    assert warranty.expiry(date(2026, 5, 1), cooling, city="厦门") == date(2026, 10, 15)


def test_grant_uses_the_project_city(session: Session) -> None:
    unit = make_unit(session)
    unit.building.project.city = "哈尔滨"
    owner = make_owner(session, unit, handover_on=date(2026, 10, 1))
    reminders.grant_all_missing(session, tz=SH)
    assert item(session, owner.ownerships[0].unit_id, "heating").expires_on == date(2027, 4, 20)


def test_in_and_out_of_warranty_answers(session: Session) -> None:
    owner = make_owner(session, handover_on=date(2025, 6, 30))
    reminders.grant_all_missing(session, tz=SH)
    unit_id = owner.ownerships[0].unit_id
    ans = warranty.check(session, unit_id, "door_window", date(2026, 6, 29))
    assert (ans.status, ans.expires_on, ans.paid_service) == ("in", date(2026, 6, 30), False)
    out = warranty.check(session, unit_id, "door_window", date(2026, 7, 1))
    assert (out.status, out.paid_service) == ("out", True)
    assert [c for c, *_ in out.items] == ["doors_windows"]
    # leaks run 1 year, pipe blockage 2 months: water is still "in" at 11 months because of leaks
    assert warranty.check(session, unit_id, "water", date(2026, 5, 30)).status == "in"
    # roof waterproofing (3 years) only for the roof
    assert warranty.check(session, unit_id, "waterproofing", date(2027, 1, 1), location="bathroom").status == "out"
    assert warranty.check(session, unit_id, "waterproofing", date(2027, 1, 1), location="roof").status == "in"
    assert warranty.check(session, unit_id, "gas", date(2026, 1, 1)).status == "unknown"
    assert warranty.check(session, None, "water", date(2026, 1, 1)).status == "unknown"
    pre = make_owner(session, handover_on=None)
    assert warranty.check(session, pre.ownerships[0].unit_id, "water", date(2026, 1, 1)).status == "not_handed_over"


def test_preview_lists_what_will_go_out_and_sends_nothing(session: Session) -> None:
    owner = make_owner(session, make_unit(session), handover_on=date(2026, 1, 10))
    reminders.grant_all_missing(session, tz=SH)
    now = datetime(2026, 2, 20, 9, 0, tzinfo=SH)
    rows = reminders.preview(session, now=now, days=120, tz=SH)
    mine = [r for r in rows if r.unit_id == owner.ownerships[0].unit_id]
    # pipe blockage (reminder 02-10, expires 03-10) is overdue, lights and switches (06-10) is within 120 days
    assert [(r.remind_at.date(), r.overdue, r.owners) for r in mine] == [
        (date(2026, 2, 10), True, 1), (date(2026, 6, 10), False, 1)]
    assert session.scalars(select(Outbox)).first() is None
    assert all(w.reminded_at is None for w in session.scalars(select(WarrantyItem)))
    assert reminders.preview(session, now=now, days=30, tz=SH)[-1].remind_at.date() == date(2026, 2, 10)
    # later, pipe blockage has expired unsent: the sweep marks it silently, so it is not previewed
    later = [r for r in reminders.preview(session, now=datetime(2026, 5, 1, tzinfo=SH), days=60, tz=SH)
             if r.unit_id == owner.ownerships[0].unit_id]
    assert [r.remind_at.date() for r in later] == [date(2026, 6, 10)]


def test_preview_rows_and_printing(session: Session) -> None:
    owner = make_owner(session, make_unit(session), handover_on=date(2026, 1, 10))
    reminders.grant_all_missing(session, tz=SH)
    code = owner.ownerships[0].unit.building.project.code
    rows = preview_rows(session, now=datetime(2026, 1, 11, tzinfo=SH), days=60, tz=SH, project=code)
    assert [r["expires_on"] for r in rows] == ["2026-03-10"]
    import io

    out = io.StringIO()
    write(rows, "table", out)
    assert "管道堵塞" in out.getvalue() and "nothing was sent" in out.getvalue()
    out = io.StringIO()
    write(rows, "csv", out)
    assert out.getvalue().splitlines()[0].startswith("remind_at,unit")
