"""Warranty grants on every handover path, and ONE reminder a month before each expiry."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import reminders
from backend.models import NoticeDelivery, Outbox, WarrantyItem
from backend.notify import Policy
from tests.factories import make_owner, make_unit
from tests.proactive.conftest import SH

POLICY = Policy(frozenset({"sms", "wechat"}))


def _reminders(session: Session) -> list[Outbox]:
    return list(session.scalars(select(Outbox).where(Outbox.dedupe_key.like("warranty:%")).order_by(Outbox.id)))


def test_grant_all_missing_is_idempotent_and_skips_units_not_handed_over(session: Session) -> None:
    handed = make_owner(session, handover_on=date(2026, 1, 10))
    make_owner(session, handover_on=None)
    added = reminders.grant_all_missing(session, tz=SH)
    assert added == 11  # the default catalogue
    assert reminders.grant_all_missing(session, tz=SH) == 0
    unit_id = handed.ownerships[0].unit_id
    codes = set(session.scalars(select(WarrantyItem.code).where(WarrantyItem.unit_id == unit_id)))
    assert {"structure", "leaks", "heating", "lights_switches"} <= codes


def test_reminder_exactly_one_month_before_each_expiry(session: Session) -> None:
    handover = date(2026, 1, 10)
    owner = make_owner(session, make_unit(session), handover_on=handover, phone="13911112222")
    reminders.grant_all_missing(session, tz=SH)
    unit_id = owner.ownerships[0].unit_id
    expected = {  # remind date -> item codes expiring a month later
        date(2026, 2, 10): {"pipe_blockage"},
        date(2026, 6, 10): {"lights_switches"},
        date(2026, 8, 30): {"cooling"},  # first cooling season ends 2026-09-30
        date(2026, 12, 10): {"leaks", "plaster", "floors", "doors_windows", "sanitary"},
        date(2027, 2, 15): {"heating"},  # first heating season ends 2027-03-15
        date(2028, 12, 10): {"roof_waterproofing"},
    }
    seen: dict[date, int] = {}
    day = handover
    while day <= date(2029, 2, 1):
        for clock in (time(9, 59), time(10, 0)):
            now = datetime.combine(day, clock, tzinfo=SH)
            before = len(_reminders(session))
            reminders.remind_due(session, now=now, tz=SH, policy=POLICY)
            new = _reminders(session)[before:]
            if new:
                assert clock == time(10, 0), f"reminder before 10:00 on {day}"
                assert len(new) == 1, "ONE message per unit and expiry date"
                seen[day] = len(new)
                msg = new[0].payload["text"]
                for code in expected[day]:
                    name = session.scalars(select(WarrantyItem.name_zh).where(
                        WarrantyItem.unit_id == unit_id, WarrantyItem.code == code)).one()
                    assert name in msg
                assert "回复" in msg and "报修" in msg
                assert new[0].recipient == "+8613911112222" and new[0].purpose == "notice"
        day += timedelta(days=1)
    assert set(seen) == set(expected)
    pending = reminders.pending_reminders(session, unit_id)
    assert pending == []  # design life has no reminder


def test_late_start_marks_expired_items_without_messages(session: Session) -> None:
    make_owner(session, handover_on=date(2024, 1, 10))
    reminders.grant_all_missing(session, tz=SH)
    now = datetime(2026, 11, 24, 10, 0, tzinfo=SH)
    handled = reminders.remind_due(session, now=now, tz=SH, policy=POLICY)
    assert handled >= 8
    # only roof waterproofing (expires 2027-01-10, reminder 2026-12-10) is still ahead
    assert _reminders(session) == []
    assert reminders.remind_due(session, now=now, tz=SH, policy=POLICY) == 0


def test_maintenance_campaign_reaches_handed_over_owners_once(session: Session) -> None:
    unit = make_unit(session)
    owner = make_owner(session, unit, handover_on=date(2026, 6, 1))
    project_id = unit.building.project_id
    waiting = make_owner(session, make_unit(session), handover_on=None)
    reminders.grant_all_missing(session, tz=SH)
    now = datetime(2026, 11, 24, 10, 0, tzinfo=SH)
    campaign = reminders.create_campaign(session, project_id=project_id, kind="windows", starts_on=date(2026, 12, 1),
                                         ends_on=date(2026, 12, 15), notify_at=now, now=now)
    assert reminders.notify_campaigns(session, now=now, tz=SH, policy=POLICY) == 1
    assert reminders.notify_campaigns(session, now=now, tz=SH, policy=POLICY) == 0
    rows = list(session.scalars(select(Outbox).where(Outbox.dedupe_key.like("campaign:%"))))
    assert [r.owner_id for r in rows] == [owner.id]
    assert "铝合金门窗" in rows[0].payload["text"] and waiting.id not in {r.owner_id for r in rows}
    assert session.scalars(select(NoticeDelivery.kind).where(NoticeDelivery.ref_id == campaign.id)).all() == \
        ["campaign"]
