"""``anju reminders preview``: what the warranty-reminder sweep will send in the coming days (nothing is sent)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from backend import reminders
from backend.db import make_engine, session_factory
from backend.models import utcnow
from backend.queries import resolve_project
from backend.reports import csv_cell


def preview_rows(session: Any, *, now: datetime, days: int, tz: ZoneInfo, project: str | None = None) -> list[dict]:
    """The preview as plain dicts (CLI, API). Raises ``LookupError`` for an unknown project."""
    project_id = None
    if project:
        found = resolve_project(session, project)
        if found is None:
            raise LookupError(f"unknown project {project!r}")
        project_id = found.id
    return [{"remind_at": r.remind_at.astimezone(tz).isoformat(timespec="minutes"), "unit": r.unit,
             "unit_id": r.unit_id, "expires_on": r.expires_on.isoformat(), "items": list(r.items_zh),
             "items_en": list(r.items_en), "owners": r.owners, "overdue": r.overdue}
            for r in reminders.preview(session, now=now, days=days, tz=tz, project_id=project_id)]


def write(rows: list[dict], fmt: str, out: TextIO) -> None:
    """Print the rows as a table, CSV or JSON."""
    if fmt == "json":
        json.dump(rows, out, ensure_ascii=False, indent=1)
        out.write("\n")
        return
    if fmt == "csv":
        w = csv.writer(out)
        w.writerow(["remind_at", "unit", "expires_on", "items", "owners", "overdue"])
        for r in rows:
            w.writerow([csv_cell(v) for v in (r["remind_at"], r["unit"], r["expires_on"], "、".join(r["items"]),
                                              r["owners"], r["overdue"])])
        return
    for r in rows:
        flag = " (overdue)" if r["overdue"] else ""
        out.write(f"{r['remind_at']}{flag}  {r['unit']}  expires {r['expires_on']}  owners {r['owners']}  "
                  f"{'、'.join(r['items'])}\n")
    out.write(f"{len(rows)} reminder(s); nothing was sent\n")


def cmd_preview(args: argparse.Namespace) -> int:
    """Print the upcoming warranty reminders."""
    from bot.settings import get_settings

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with session_factory(engine)() as session:
            try:
                rows = preview_rows(session, now=utcnow(), days=args.days, tz=ZoneInfo(settings.timezone),
                                    project=args.project)
            except LookupError as exc:
                sys.stderr.write(f"{exc}\n")
                return 2
    finally:
        engine.dispose()
    write(rows, args.format, sys.stdout)
    return 0


def add_rules_commands(sub: Any) -> None:
    """Add ``reminders preview`` to the ``anju`` command tree."""
    rem = sub.add_parser("reminders", help="warranty reminders").add_subparsers(dest="reminders_command",
                                                                                required=True)
    pv = rem.add_parser("preview", help="list the warranty reminders due in the next days (sends nothing)")
    pv.add_argument("--days", type=int, default=60, help="how far ahead (default 60)")
    pv.add_argument("--project", help="only this project (code or id)")
    pv.add_argument("--format", choices=["table", "csv", "json"], default="table")
    pv.set_defaults(func=cmd_preview)
