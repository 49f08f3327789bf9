"""Rota import: a CSV of shifts, with weekly repeats, all or nothing.

Columns (header row first, any order): ``layer`` (1-3), ``username``, ``starts_at``, ``ends_at`` (local
time of the centre, ``YYYY-MM-DD HH:MM``, or ISO with an offset), optional ``repeat_weeks`` (0-26: extra
weekly copies, e.g. a fixed weekly pattern). Every row is checked first; nothing is written if one is bad.
People who cannot be paged on any enabled channel are reported as warnings (the shifts are still added).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import audit
from backend.dispatch import MAX_LAYER
from backend.models import OnCallShift, Staff
from backend.staff_notify import staff_channels

MAX_ROWS = 5000
MAX_REPEAT_WEEKS = 26
REQUIRED = ("layer", "username", "starts_at", "ends_at")


@dataclass
class RotaReport:
    """Shifts created, row errors (then nothing was written) and warnings."""

    created: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _when(value: str, tz: ZoneInfo) -> datetime:
    moment = datetime.fromisoformat(value.strip().replace("/", "-"))
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def import_rota_csv(session: Session, text: str, *, tz: ZoneInfo, now: datetime, enabled: Iterable[str],
                    actor: str) -> RotaReport:
    """Validate every row, then add all the shifts (and their weekly copies) in the caller's transaction."""
    report = RotaReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        report.errors.append(f"row 1: missing column(s) {', '.join(missing)}")
        return report
    staff = {s.username: s for s in session.scalars(select(Staff))}
    planned: list[tuple[int, Staff, datetime, datetime, int]] = []
    for n, row in enumerate(reader, start=2):
        if n > MAX_ROWS + 1:
            report.errors.append(f"more than {MAX_ROWS} rows")
            break
        try:
            layer = int(row["layer"])
            if not 1 <= layer <= MAX_LAYER:
                raise ValueError(f"layer must be 1-{MAX_LAYER}")
            person = staff.get((row["username"] or "").strip())
            if person is None or not person.active:
                raise ValueError(f"no active staff account {row['username']!r}")
            start, end = _when(row["starts_at"], tz), _when(row["ends_at"], tz)
            if not start < end <= start + timedelta(days=7):
                raise ValueError("ends_at must be after starts_at, within 7 days")
            repeat = int(row.get("repeat_weeks") or 0)
            if not 0 <= repeat <= MAX_REPEAT_WEEKS:
                raise ValueError(f"repeat_weeks must be 0-{MAX_REPEAT_WEEKS}")
        except (ValueError, TypeError, AttributeError) as exc:
            report.errors.append(f"row {n}: {exc}")
            continue
        planned.append((layer, person, start, end, repeat))
    if report.errors:
        return report
    on = list(enabled)
    for layer, person, start, end, repeat in planned:
        for week in range(repeat + 1):
            session.add(OnCallShift(layer=layer, staff_id=person.id, starts_at=start + timedelta(weeks=week),
                                    ends_at=end + timedelta(weeks=week)))
            report.created += 1
    for person in {p.id: p for _, p, _, _, _ in planned}.values():
        if not staff_channels(person, on):
            report.warnings.append(f"{person.username} cannot be paged on any enabled channel")
    session.flush()
    audit.record(session, "shift_added", now=now, actor=actor, target="rota:import", shifts=report.created,
                 rows=len(planned))
    return report
