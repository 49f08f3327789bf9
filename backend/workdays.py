"""The Chinese working-day calendar (statutory holidays and 调休 make-up days) and SLA deadlines.

``chinese-calendar`` covers the years the State Council has announced; for a later year this
module falls back to Monday-Friday and logs a warning once per year. An override table
(``ANJU_SLA__CALENDAR_OVERRIDES``, ``config/anju.toml``) wins over both.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)
_warned_years: set[int] = set()


class WorkCalendar:
    """Working days in one timezone, with an override table."""

    def __init__(
        self,
        tz: str = "Asia/Shanghai",
        overrides: Mapping[str | date, bool] | None = None,
        close_of_business: str = "18:00",
    ) -> None:
        """Build a calendar; ``overrides`` maps ISO dates to True (working) or False (day off)."""
        self.tz = ZoneInfo(tz)
        self.overrides = {
            (d if isinstance(d, date) else date.fromisoformat(d)): bool(v) for d, v in (overrides or {}).items()
        }
        hour, minute = (int(part) for part in close_of_business.split(":"))
        self.close_of_business = time(hour, minute)

    def is_workday(self, day: date) -> bool:
        """True on a working day: override table, then the statutory calendar, then Mon-Fri."""
        if day in self.overrides:
            return self.overrides[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year not in _warned_years:
                _warned_years.add(day.year)
                log.warning(
                    "chinese-calendar has no data for %s: using Monday-Friday; add the announced "
                    "holidays to sla.calendar_overrides or upgrade chinese-calendar",
                    day.year,
                )
            return day.weekday() < 5

    def covers(self, year: int) -> bool:
        """True when the statutory calendar has data for ``year``."""
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    def next_workday(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        day += timedelta(days=1)
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def add_workdays(self, moment: datetime, days: int = 1) -> datetime:
        """The deadline ``days`` working days after ``moment`` (docs/domain.md §6).

        Reported on a working day: the same clock time on the n-th next working day. Reported on a
        day off: close of business on the n-th next working day. Returned in UTC-aware form if the
        input is aware.
        """
        local = moment.astimezone(self.tz)
        day = local.date()
        clock = local.timetz().replace(tzinfo=None) if self.is_workday(day) else self.close_of_business
        for _ in range(days):
            day = self.next_workday(day)
        return datetime.combine(day, clock, tzinfo=self.tz).astimezone(moment.tzinfo)
