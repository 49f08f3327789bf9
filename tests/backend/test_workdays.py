"""The working-day calendar and first-contact deadlines (docs/domain.md §6)."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from backend import workdays
from backend.workdays import WorkCalendar

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.mark.parametrize(
    ("reported", "due"),
    [
        (at(2026, 2, 13), at(2026, 2, 14)),  # Fri -> Sat make-up working day (调休)
        (at(2026, 2, 14), at(2026, 2, 24)),  # make-up Saturday -> after Spring Festival
        (at(2026, 9, 30), at(2026, 10, 8)),  # across National Day
        (at(2026, 10, 9), at(2026, 10, 10)),  # Fri -> make-up Saturday
        (at(2026, 11, 23), at(2026, 11, 24)),  # ordinary Monday
    ],
)
def test_one_working_day_same_clock_time(reported: datetime, due: datetime) -> None:
    assert WorkCalendar().add_workdays(reported) == due


def test_report_on_day_off_is_due_at_close_of_business_next_working_day() -> None:
    # Saturday 3 October 2026, in the National Day holiday
    assert WorkCalendar().add_workdays(at(2026, 10, 3, 23, 30)) == at(2026, 10, 8, 18, 0)
    assert WorkCalendar(close_of_business="17:30").add_workdays(at(2026, 11, 28, 9)) == at(2026, 11, 30, 17, 30)


def test_utc_input_is_computed_in_shanghai_time() -> None:
    # 2026-09-30 17:00 UTC is already 1 October (a holiday) in Shanghai
    utc = datetime(2026, 9, 30, 17, 0, tzinfo=ZoneInfo("UTC"))
    due = WorkCalendar().add_workdays(utc)
    assert due.astimezone(SH) == at(2026, 10, 8, 18, 0)


def test_new_year_2027_falls_back_to_weekdays_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    workdays._warned_years.discard(2027)
    cal = WorkCalendar()
    assert not cal.covers(2027)
    with caplog.at_level(logging.WARNING, logger="backend.workdays"):
        # Thu 31 Dec 2026 -> Fri 1 Jan 2027 by Mon-Fri (no crash)
        assert cal.add_workdays(at(2026, 12, 31)) == at(2027, 1, 1)
        assert cal.add_workdays(at(2027, 1, 1)) == at(2027, 1, 4)
    assert sum("2027" in r.getMessage() for r in caplog.records) == 1


def test_override_table_marks_new_year_2027_as_holiday() -> None:
    cal = WorkCalendar(overrides={"2027-01-01": False})
    assert cal.add_workdays(at(2026, 12, 31)) == at(2027, 1, 4)


def test_override_can_open_a_weekend() -> None:
    cal = WorkCalendar(overrides={"2026-11-28": True})
    assert cal.add_workdays(at(2026, 11, 27, 15)) == at(2026, 11, 28, 15)
