"""Warranty items per handed-over unit, from the catalogue in ``config/warranty.yml`` (docs/domain.md §2).

Periods count from the unit's handover date, in months or heating seasons; the structure is covered
for its design life (no expiry). Each item carries its reminder time (expiry minus one month).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import Building, Ownership, Project, Unit, WarrantyItem

CATALOGUE = Path(__file__).resolve().parents[1] / "config" / "warranty.yml"
REMIND_HOUR = time(10, 0)


@dataclass(frozen=True)
class CatalogueItem:
    """One row of the catalogue."""

    code: str
    zh: str
    en: str
    period: int
    period_unit: str


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=4)
def load_catalogue(path: Path = CATALOGUE) -> dict[str, Any]:
    """The parsed catalogue file."""
    with path.open(encoding="utf-8") as fh:
        catalogue: dict[str, Any] = yaml.safe_load(fh)
    return catalogue


def items_for(project_code: str, cat: dict[str, Any] | None = None) -> list[CatalogueItem]:
    """The project's items: the defaults, overridden item by item by the project's own rows."""
    cat = cat or load_catalogue()
    rows = {r["code"]: r for r in cat["default"]}
    rows.update({r["code"]: r for r in (cat.get("projects") or {}).get(project_code, [])})
    return [CatalogueItem(r["code"], r["zh"], r["en"], int(r["period"]), r["period_unit"]) for r in rows.values()]


def expiry(handover: date, item: CatalogueItem, cat: dict[str, Any] | None = None) -> date | None:
    """When the item's warranty ends; None for design life."""
    if item.period_unit == "design_life":
        return None
    if item.period_unit == "months":
        return add_months(handover, item.period)
    cat = cat or load_catalogue()
    start_m, start_d = (int(x) for x in cat["heating_season"]["start"].split("-"))
    end_m, end_d = (int(x) for x in cat["heating_season"]["end"].split("-"))
    # The first season is the first one that starts on or after handover.
    year = handover.year if handover <= date(handover.year, start_m, start_d) else handover.year + 1
    return date(year + item.period, end_m, end_d)


def remind_at(expires_on: date, tz: ZoneInfo, months_before: int = 1) -> datetime:
    """10:00 local time, ``months_before`` months before expiry."""
    return datetime.combine(add_months(expires_on, -months_before), REMIND_HOUR, tzinfo=tz)


def grant(session: Session, ownership: Ownership, *, tz: ZoneInfo, cat: dict[str, Any] | None = None) -> int:
    """Create the unit's warranty items at handover (idempotent); returns how many were added."""
    if ownership.handover_on is None:
        return 0
    cat = cat or load_catalogue()
    stmt = select(Project.code).join(Building).join(Unit).where(Unit.id == ownership.unit_id)
    code = session.scalar(stmt) or ""
    have = set(session.scalars(select(WarrantyItem.code).where(WarrantyItem.unit_id == ownership.unit_id)))
    before = int(cat.get("remind_before_months", 1))
    added = 0
    for item in items_for(code, cat):
        if item.code in have:
            continue
        ends = expiry(ownership.handover_on, item, cat)
        session.add(WarrantyItem(unit_id=ownership.unit_id, code=item.code, name_zh=item.zh, name_en=item.en,
                                 starts_on=ownership.handover_on, expires_on=ends,
                                 remind_at=remind_at(ends, tz, before) if ends else None))
        added += 1
    session.flush()
    return added


def active_items(session: Session, unit_id: int, today: date) -> list[WarrantyItem]:
    """Items still under warranty on ``today`` (design-life items included), soonest expiry first."""
    stmt = select(WarrantyItem).where(WarrantyItem.unit_id == unit_id)
    items = [w for w in session.scalars(stmt) if w.expires_on is None or w.expires_on >= today]
    return sorted(items, key=lambda w: (w.expires_on is None, w.expires_on or date.max))
