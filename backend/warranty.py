"""Warranty items per handed-over unit, from the catalogue in ``config/warranty.yml`` (docs/domain.md §2).

Periods count from the unit's handover date, in months or heating seasons; the structure is covered
for its design life (no expiry). Each item carries its reminder time (expiry minus one month).
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.models import Building, Ownership, Project, Unit, WarrantyItem

CATALOGUE = Path(__file__).resolve().parents[1] / "config" / "warranty.yml"
REMIND_HOUR = time(10, 0)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CatalogueItem:
    """One row of the catalogue."""

    code: str
    zh: str
    en: str
    period: int
    period_unit: str
    season: str = "heating"  # for period_unit "seasons": heating | cooling


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
    return [CatalogueItem(r["code"], r["zh"], r["en"], int(r["period"]), r["period_unit"], r.get("season", "heating"))
            for r in rows.values()]


def season_dates(kind: str, city: str = "", cat: dict[str, Any] | None = None) -> tuple[str, str]:
    """(start, end) as ``MM-DD`` of the heating or cooling season in ``city`` (the default when not listed)."""
    cat = cat or load_catalogue()
    seasons = cat.get("seasons") or {}
    for key in (city, city.removesuffix("市")) if city else ():
        row = ((seasons.get("cities") or {}).get(key) or {}).get(kind)
        if row:
            return row["start"], row["end"]
    row = (seasons.get("default") or {}).get(kind) or (cat.get("heating_season") if kind == "heating" else None)
    if not row:
        raise ValueError(f"no {kind} season configured in the warranty catalogue")
    return row["start"], row["end"]


def expiry(handover: date, item: CatalogueItem, cat: dict[str, Any] | None = None, city: str = "") -> date | None:
    """When the item's warranty ends; None for design life. Seasons use the city's heating/cooling dates."""
    if item.period_unit == "design_life":
        return None
    if item.period_unit == "months":
        return add_months(handover, item.period)
    start, end = season_dates(item.season, city, cat)
    start_m, start_d = (int(x) for x in start.split("-"))
    end_m, end_d = (int(x) for x in end.split("-"))
    # The first season is the first one that starts on or after handover.
    year = handover.year if handover <= date(handover.year, start_m, start_d) else handover.year + 1
    crosses_new_year = (end_m, end_d) < (start_m, start_d)
    return date(year + item.period - (0 if crosses_new_year else 1), end_m, end_d)


def remind_at(expires_on: date, tz: ZoneInfo, months_before: int = 1) -> datetime:
    """10:00 local time, ``months_before`` months before expiry."""
    return datetime.combine(add_months(expires_on, -months_before), REMIND_HOUR, tzinfo=tz)


def _project_of_unit(session: Session, unit_id: int) -> tuple[str, str]:
    row = session.execute(select(Project.code, Project.city).join(Building).join(Unit)
                          .where(Unit.id == unit_id)).first()
    return (row[0] or "", row[1] or "") if row else ("", "")


def grant(session: Session, ownership: Ownership, *, tz: ZoneInfo, cat: dict[str, Any] | None = None) -> int:
    """Create the unit's warranty items at handover (idempotent); returns how many were added."""
    if ownership.handover_on is None:
        return 0
    cat = cat or load_catalogue()
    code, city = _project_of_unit(session, ownership.unit_id)
    have = set(session.scalars(select(WarrantyItem.code).where(WarrantyItem.unit_id == ownership.unit_id)))
    before = int(cat.get("remind_before_months", 1))
    added = 0
    for item in items_for(code, cat):
        if item.code in have:
            continue
        ends = expiry(ownership.handover_on, item, cat, city)
        session.add(WarrantyItem(unit_id=ownership.unit_id, code=item.code, name_zh=item.zh, name_en=item.en,
                                 starts_on=ownership.handover_on, expires_on=ends,
                                 remind_at=remind_at(ends, tz, before) if ends else None))
        added += 1
    session.flush()
    return added


def unit_handover(session: Session, unit_id: int) -> date | None:
    """The unit's handover date: the earliest handover among its ownerships (None: not handed over)."""
    return session.scalar(select(func.min(Ownership.handover_on)).where(Ownership.unit_id == unit_id))


def redate(session: Session, unit_id: int, *, tz: ZoneInfo, now: datetime, cat: dict[str, Any] | None = None) -> int:
    """Move the unit's warranty items to its current handover date (a corrected date on re-import).

    Start, expiry and reminder time follow the new date. A reminder not yet sent simply waits for its new
    time; one already sent is sent again at the new time when that is still ahead (the owner was told the
    wrong date). Each moved item is logged. Returns the number of items moved.
    """
    handover = unit_handover(session, unit_id)
    if handover is None:
        return 0
    cat = cat or load_catalogue()
    code, city = _project_of_unit(session, unit_id)
    catalogue = {i.code: i for i in items_for(code, cat)}
    before = int(cat.get("remind_before_months", 1))
    moved = 0
    for w in session.scalars(select(WarrantyItem).where(WarrantyItem.unit_id == unit_id)):
        item = catalogue.get(w.code)
        if item is None or w.starts_on == handover:
            continue
        ends = expiry(handover, item, cat, city)
        new_remind = remind_at(ends, tz, before) if ends else None
        log.info("warranty item %s of unit %s: start %s -> %s, expiry %s -> %s", w.code, unit_id, w.starts_on,
                 handover, w.expires_on, ends)
        w.starts_on, w.expires_on, w.remind_at = handover, ends, new_remind
        if w.reminded_at is not None and new_remind is not None and new_remind > now:
            w.reminded_at = None
        moved += 1
    session.flush()
    return moved


def active_items(session: Session, unit_id: int, today: date) -> list[WarrantyItem]:
    """Items still under warranty on ``today`` (design-life items included), soonest expiry first."""
    stmt = select(WarrantyItem).where(WarrantyItem.unit_id == unit_id)
    items = [w for w in session.scalars(stmt) if w.expires_on is None or w.expires_on >= today]
    return sorted(items, key=lambda w: (w.expires_on is None, w.expires_on or date.max))


# --- "is this still under warranty?" at intake ----------------------------------------------------


@dataclass(frozen=True)
class WarrantyAnswer:
    """The answer to "is this item still under warranty?" for one unit and defect category.

    ``status``: ``in`` (at least one matching item still runs), ``out`` (all matching items expired: paid
    service is offered), ``not_handed_over`` (before handover the developer fixes it anyway), ``unknown``
    (no unit, no category, or a category the catalogue does not map, e.g. gas or lifts: staff decide).
    ``items`` are the matching items as ``(code, name_zh, name_en, expires_on)``; ``expires_on`` is the
    latest expiry among the running ones (``None`` for design life or when not ``in``).
    """

    status: str
    items: tuple[tuple[str, str, str, date | None], ...] = ()
    expires_on: date | None = None

    @property
    def paid_service(self) -> bool:
        """True when the owner should be offered paid repair (有偿维修) instead of free warranty repair."""
        return self.status == "out"


def codes_for_category(category: str | None, location: str | None = None,
                       cat: dict[str, Any] | None = None) -> list[str]:
    """The catalogue item codes a defect category (LABELS.md) falls under (``categories`` in the catalogue)."""
    if not category:
        return []
    cat = cat or load_catalogue()
    mapping = (cat.get("categories") or {}).get(category) or []
    codes = []
    for entry in mapping:
        if isinstance(entry, dict):  # {code: ..., locations: [...]}: only for those places
            if not entry.get("locations") or (location or "") in entry["locations"]:
                codes.append(entry["code"])
        else:
            codes.append(str(entry))
    return codes


def check(session: Session, unit_id: int | None, category: str | None, today: date, *, location: str | None = None,
          cat: dict[str, Any] | None = None) -> WarrantyAnswer:
    """Is the defect still under warranty? For repair intake (dialogs) and the console.

    Counts from the unit's handover date through its warranty items; see :class:`WarrantyAnswer`.
    """
    if unit_id is None or not category:
        return WarrantyAnswer("unknown")
    if unit_handover(session, unit_id) is None:
        return WarrantyAnswer("not_handed_over")
    codes = codes_for_category(category, location, cat)
    if not codes:
        return WarrantyAnswer("unknown")
    rows = list(session.scalars(select(WarrantyItem).where(WarrantyItem.unit_id == unit_id,
                                                           WarrantyItem.code.in_(codes))))
    if not rows:
        return WarrantyAnswer("unknown")
    items = tuple((w.code, w.name_zh, w.name_en, w.expires_on) for w in rows)
    running = [w for w in rows if w.expires_on is None or w.expires_on >= today]
    if not running:
        return WarrantyAnswer("out", items)
    ends = None if any(w.expires_on is None for w in running) else max(w.expires_on for w in running if w.expires_on)
    return WarrantyAnswer("in", items, ends)


def hollow_spots_acceptable(spots_cm2: list[float]) -> bool:
    """S20 (inspection rule for one room): hollow spots (空鼓) of at most 400 cm² each, and at most two of them
    in the room, are acceptable; anything more is a defect to report.
    """
    return len(spots_cm2) <= 2 and all(0 <= a <= 400 for a in spots_cm2)
