"""Service reports: satisfaction by project and month, complaint timeliness (投诉处理及时率), first-contact
SLA compliance, escalations by level, survey coverage; each as rows of plain dicts, with a CSV export.

Months are calendar months in the centre's timezone. Rows are grouped in Python so the same code runs
on SQLite and PostgreSQL; the queries select only the columns they need.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.models import Building, Kind, Project, Survey, Ticket, TicketEvent, Unit

Rows = list[dict[str, Any]]


def _bounds(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime.combine(start, time(0), tzinfo=tz), datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz)


def _month(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.year}-{local.month:02d}"


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _project_of() -> Any:
    """Project code of a ticket: its own project, else its unit's."""
    unit_project = (select(Project.code).join(Building, Building.project_id == Project.id)
                    .join(Unit, Unit.building_id == Building.id).where(Unit.id == Ticket.unit_id)
                    .correlate(Ticket).scalar_subquery())
    own = select(Project.code).where(Project.id == Ticket.project_id).correlate(Ticket).scalar_subquery()
    return func.coalesce(own, unit_project, "-")


def satisfaction(session: Session, *, start: date, end: date, tz: ZoneInfo) -> Rows:
    """Per project and month: surveys answered, average score, share scoring 4-5, low scores (1-2)."""
    lo, hi = _bounds(start, end, tz)
    rows = session.execute(
        select(_project_of(), Survey.answered_at, Survey.score).join(Ticket, Ticket.id == Survey.ticket_id)
        .where(Survey.score.is_not(None), Survey.answered_at >= lo, Survey.answered_at < hi))
    acc: dict[tuple[str, str], list[int]] = defaultdict(list)
    for project, answered_at, score in rows:
        acc[(project, _month(answered_at, tz))].append(score)
    return [{"project": p, "month": m, "answered": len(s), "avg_score": round(sum(s) / len(s), 2),
             "satisfied_rate": _rate(sum(x >= 4 for x in s), len(s)), "low_scores": sum(x <= 2 for x in s)}
            for (p, m), s in sorted(acc.items())]


def _timeliness(session: Session, kinds: Sequence[Kind], *, start: date, end: date, tz: ZoneInfo,
                now: datetime) -> Rows:
    lo, hi = _bounds(start, end, tz)
    rows = session.execute(
        select(Ticket.kind, Ticket.created_at, Ticket.contact_due_at, Ticket.first_contacted_at)
        .where(Ticket.kind.in_(list(kinds)), Ticket.created_at >= lo, Ticket.created_at < hi,
               Ticket.contact_due_at.is_not(None)))
    acc: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"on_time": 0, "late": 0, "pending": 0})
    for kind, created, due, contacted in rows:
        bucket = acc[(_month(created, tz), kind.value)]
        if due is None:  # excluded by the query; here for the type checker
            continue
        if contacted is not None:
            bucket["on_time" if contacted <= due else "late"] += 1
        elif due < now:
            bucket["late"] += 1
        else:
            bucket["pending"] += 1
    return [{"month": m, "kind": k, "total": sum(b.values()), **b,
             "rate": _rate(b["on_time"], b["on_time"] + b["late"])}
            for (m, k), b in sorted(acc.items())]


def complaint_timeliness(session: Session, *, start: date, end: date, tz: ZoneInfo, now: datetime) -> Rows:
    """投诉处理及时率 per month: complaints answered by their deadline ÷ complaints due (pending excluded)."""
    return _timeliness(session, [Kind.COMPLAINT], start=start, end=end, tz=tz, now=now)


def first_contact_sla(session: Session, *, start: date, end: date, tz: ZoneInfo, now: datetime) -> Rows:
    """First-contact SLA compliance per month and kind (repairs: 1 working day; S3)."""
    return _timeliness(session, [Kind.REPAIR, Kind.COMPLAINT], start=start, end=end, tz=tz, now=now)


def escalations(session: Session, *, start: date, end: date, tz: ZoneInfo) -> Rows:
    """Escalations (投诉上移制) per month and level reached, from the ticket timelines."""
    lo, hi = _bounds(start, end, tz)
    rows = session.execute(select(TicketEvent.at, TicketEvent.data)
                           .where(TicketEvent.kind == "escalated", TicketEvent.at >= lo, TicketEvent.at < hi))
    acc: dict[tuple[str, str], int] = defaultdict(int)
    for at, data in rows:
        acc[(_month(at, tz), str((data or {}).get("to", "?")))] += 1
    return [{"month": m, "level": lvl, "escalations": n} for (m, lvl), n in sorted(acc.items())]


def survey_coverage(session: Session, *, start: date, end: date, tz: ZoneInfo) -> Rows:
    """Per month of closure: repairs closed (one survey each), answered, manually called, coverage (target 100%)."""
    lo, hi = _bounds(start, end, tz)
    rows = session.execute(select(Survey.created_at, Survey.status, Survey.method)
                           .where(Survey.created_at >= lo, Survey.created_at < hi))
    acc: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for created, status, method in rows:
        b = acc[_month(created, tz)]
        b["repairs_closed"] += 1
        b["answered"] += status == "answered"
        b["manual_only"] += status == "manual_done"
        b["manually_called"] += status == "manual_done" or (status == "answered" and method == "manual")
        b["awaiting_manual"] += status == "manual"
        b["in_progress"] += status in ("due", "sent")
    return [{"month": m, "repairs_closed": b["repairs_closed"], "answered": b["answered"],
             "manually_called": b["manually_called"], "awaiting_manual_call": b["awaiting_manual"],
             "in_progress": b["in_progress"],
             "coverage": _rate(b["answered"] + b["manual_only"], b["repairs_closed"])}
            for m, b in sorted(acc.items())]


def open_manual_calls(session: Session, limit: int = 200) -> list[Survey]:
    """Surveys waiting for a manual call, oldest first."""
    stmt = (select(Survey).where(Survey.status == "manual").order_by(Survey.due_at, Survey.id).limit(limit))
    return list(session.scalars(stmt))


def engineer_contact(session: Session, *, start: date, end: date, tz: ZoneInfo, now: datetime) -> Rows:
    """S3/S4 per project and month: first contact on time, engineer called within 24 h, late, missing."""
    from backend.tickets import contact_timeliness

    lo, hi = _bounds(start, end, tz)
    codes: dict[int | None, str] = dict(session.execute(select(Project.id, Project.code)).all())
    return [{"month": r.month, "project": codes.get(r.project_id, "-"), "repairs": r.tickets,
             "first_contact_on_time": r.first_contact_on_time, "engineer_on_time": r.engineer_contact_on_time,
             "engineer_late": r.engineer_contact_late, "engineer_missing": r.engineer_contact_missing,
             "engineer_rate": _rate(r.engineer_contact_on_time, r.engineer_contact_on_time + r.engineer_contact_late
                                    + r.engineer_contact_missing)}
            for r in contact_timeliness(session, start=lo, end=hi, now=now, tz=tz)]


def survey_gap(session: Session, *, start: date, end: date, tz: ZoneInfo) -> Rows:
    """S16 per month: expectation, experience (five dimensions) and the gap."""
    from backend.surveys import gap_report

    lo, hi = _bounds(start, end, tz)
    return gap_report(session, start=lo, end=hi, tz=tz)


REPORTS: dict[str, Callable[..., Rows]] = {
    "satisfaction": satisfaction,
    "complaint-timeliness": complaint_timeliness,
    "first-contact-sla": first_contact_sla,
    "escalations": escalations,
    "survey-coverage": survey_coverage,
    "engineer-contact": engineer_contact,
    "survey-gap": survey_gap,
}
NEEDS_NOW = frozenset({"complaint-timeliness", "first-contact-sla", "engineer-contact"})


def run(session: Session, name: str, *, start: date, end: date, tz: ZoneInfo, now: datetime) -> Rows:
    """Run report ``name`` (a key of :data:`REPORTS`) over ``start``..``end`` inclusive."""
    fn = REPORTS[name]
    kwargs: dict[str, Any] = {"start": start, "end": end, "tz": tz}
    if name in NEEDS_NOW:
        kwargs["now"] = now
    return fn(session, **kwargs)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text that would start a formula gets a leading apostrophe."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def to_csv(rows: Rows) -> str:
    """Rows as CSV (UTF-8 with BOM so Excel opens Chinese correctly), header from the first row."""
    buf = io.StringIO()
    buf.write("\ufeff")
    if rows:
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
    return buf.getvalue()


def bar_chart_svg(rows: Rows, *, label: str, value: str, title: str, max_value: float | None = None) -> str:
    """A small self-contained SVG bar chart (no JavaScript), e.g. average satisfaction by month."""
    from xml.sax.saxutils import escape

    vals = [float(r.get(value) or 0) for r in rows]
    top = max_value or max(vals, default=1.0) or 1.0
    bar_w, gap, height = 36, 12, 160
    width = max(240, len(rows) * (bar_w + gap) + gap)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 60}" role="img" '
             f'aria-label="{escape(title)}"><text x="{gap}" y="16" font-size="13">{escape(title)}</text>']
    for i, (row, v) in enumerate(zip(rows, vals, strict=True)):
        h = int(height * v / top)
        x = gap + i * (bar_w + gap)
        parts.append(f'<rect x="{x}" y="{24 + height - h}" width="{bar_w}" height="{h}" fill="#3b7dd8"/>'
                     f'<text x="{x}" y="{24 + height - h - 3}" font-size="10">{v:g}</text>'
                     f'<text x="{x}" y="{height + 38}" font-size="9">{escape(str(row.get(label, "")))}</text>')
    parts.append("</svg>")
    return "".join(parts)
