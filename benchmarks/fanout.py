"""Benchmark: fan-out of one progress update to N buyers, and a warranty-reminder sweep over M items.

Usage::

    .venv/bin/python benchmarks/fanout.py --db sqlite            # 100,000 buyers, 1,000,000 items
    .venv/bin/python benchmarks/fanout.py --db postgresql+psycopg://postgres@127.0.0.1:5432/anju_bench
    .venv/bin/python benchmarks/fanout.py --buyers 10000 --items 100000   # quicker

The schema is built by the Alembic migrations in a scratch database (SQLite file in a temp dir, or the
given PostgreSQL database, dropped and recreated). Data is loaded with bulk inserts (not timed); the
timed parts are exactly what the sweeps run: ``progress.publish_due`` and repeated ``reminders.remind_due``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, func, insert, select, text

from backend.db import make_engine, session_factory, transaction
from backend.migrate import upgrade
from backend.models import Building, ChannelIdentity, Outbox, Owner, Ownership, Project, Unit, WarrantyItem
from backend.notify import Policy
from backend.progress import create_update, publish_due
from backend.reminders import remind_due

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)
POLICY = Policy(frozenset({"wechat", "sms", "telegram"}), {"progress_update": "TPL", "warranty_reminder": "TPL"})
CHUNK = 10_000


def scratch_url(db: str, tmp: Path) -> str:
    """A fresh database: SQLite in ``tmp``, or the PostgreSQL database dropped and recreated."""
    if db == "sqlite":
        return f"sqlite:///{tmp / 'bench.db'}"
    base, name = db.rsplit("/", 1)
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return db


def _bulk(conn, table, rows: list[dict]) -> None:  # noqa: ANN001
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(table), rows[start:start + CHUNK])


def load(engine, buyers: int, items: int) -> tuple[int, int]:  # noqa: ANN001
    """Project BJY (under construction, ``buyers`` owners) and CHW (handed over, ``items`` warranty items)."""
    per_unit = 10
    handed_units = max(1, items // per_unit)
    with engine.begin() as conn:
        bjy = conn.execute(insert(Project).values(code="BJY", name="滨江苑", stage="under_construction")
                           .returning(Project.id)).scalar_one()
        chw = conn.execute(insert(Project).values(code="CHW", name="翠湖湾", stage="handed_over")
                           .returning(Project.id)).scalar_one()
        b1 = conn.execute(insert(Building).values(project_id=bjy, number="1").returning(Building.id)).scalar_one()
        b2 = conn.execute(insert(Building).values(project_id=chw, number="1").returning(Building.id)).scalar_one()
        total = buyers + handed_units
        _bulk(conn, Unit.__table__, [{"building_id": b1 if i < buyers else b2, "entrance": "1", "room": str(i),
                                      "floor": 1} for i in range(total)])
        _bulk(conn, Owner.__table__, [{"name": f"o{i}", "phone": f"1{i:010d}", "language": "zh", "tier": "standard",
                                       "marketing_consent": False, "created_at": NOW} for i in range(total)])
        unit_ids = list(conn.scalars(select(Unit.id).order_by(Unit.id)))
        owner_ids = list(conn.scalars(select(Owner.id).order_by(Owner.id)))
        _bulk(conn, Ownership.__table__, [
            {"owner_id": o, "unit_id": u, "signed_on": date(2024, 1, 1),
             "handover_on": None if i < buyers else date(2026, 1, 10)}
            for i, (o, u) in enumerate(zip(owner_ids, unit_ids, strict=True))])
        _bulk(conn, ChannelIdentity.__table__, [  # 40% WeChat (half inside the 48 h window), 10% Telegram
            {"channel": "wechat" if i % 10 < 4 else "telegram", "external_id": f"x{i}", "owner_id": o,
             "last_inbound_at": NOW - timedelta(hours=1 if i % 10 < 2 else 100), "created_at": NOW}
            for i, o in enumerate(owner_ids) if i % 10 < 5])
        rows = []
        for k, unit in enumerate(unit_ids[buyers:]):
            for j in range(per_unit):  # five expiry dates a unit, two items each, all reminders due
                expires = date(2026, 12, 10) + timedelta(days=j // 2)
                rows.append({"unit_id": unit, "code": f"c{j}", "name_zh": f"项目{j}", "name_en": f"item {j}",
                             "starts_on": date(2026, 1, 10), "expires_on": expires,
                             "remind_at": NOW - timedelta(minutes=k % 600)})
            if len(rows) >= CHUNK * 5:
                _bulk(conn, WarrantyItem.__table__, rows)
                rows = []
        _bulk(conn, WarrantyItem.__table__, rows)
    return bjy, handed_units * per_unit


def run(db: str, buyers: int, items: int) -> dict[str, float]:
    """Load, then time the fan-out and the warranty sweep."""
    with tempfile.TemporaryDirectory() as tmp:
        url = scratch_url(db, Path(tmp))
        upgrade(url)
        engine = make_engine(url)
        t0 = time.perf_counter()
        project_id, n_items = load(engine, buyers, items)
        load_s = time.perf_counter() - t0
        sessions = session_factory(engine)
        with transaction(sessions) as s:
            create_update(s, project_id=project_id, title="主体结构封顶", body="进展", percent=60, now=NOW,
                          publish_at=NOW)
        t0 = time.perf_counter()
        with transaction(sessions) as s:
            assert len(publish_due(s, now=NOW, tz=TZ, policy=POLICY)) == 1
        fan_s = time.perf_counter() - t0
        with sessions() as s:
            queued = s.scalar(select(func.count()).select_from(Outbox))
        t0, handled, runs = time.perf_counter(), 0, 0
        while True:
            with transaction(sessions) as s:
                n = remind_due(s, now=NOW, tz=TZ, policy=POLICY, limit=5000)
            if not n:
                break
            handled, runs = handled + n, runs + 1
        sweep_s = time.perf_counter() - t0
        with sessions() as s:
            reminders = s.scalar(select(func.count()).select_from(Outbox)) - queued
        engine.dispose()
    return {"db": engine.dialect.name, "buyers": buyers, "queued": queued, "fanout_s": fan_s,
            "fanout_rows_per_s": queued / fan_s, "items": n_items, "items_handled": handled, "sweep_runs": runs,
            "reminders_queued": reminders, "sweep_s": sweep_s, "items_per_s": handled / sweep_s, "load_s": load_s}


def main() -> None:
    """Parse arguments, run, print a Markdown table row."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="sqlite", help="sqlite, or a PostgreSQL URL (its database is recreated)")
    parser.add_argument("--buyers", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=1_000_000)
    args = parser.parse_args()
    r = run(args.db, args.buyers, args.items)
    print("| db | buyers | outbox rows queued | fan-out s | rows/s | warranty items | reminders queued "
          "| sweep s | items/s |")
    print(f"| {r['db']} | {r['buyers']:,} | {r['queued']:,} | {r['fanout_s']:.1f} | {r['fanout_rows_per_s']:,.0f} "
          f"| {r['items_handled']:,} | {r['reminders_queued']:,} | {r['sweep_s']:.1f} | {r['items_per_s']:,.0f} |")
    print(f"(data load, untimed above: {r['load_s']:.1f} s; sweep runs of 5,000 items: {r['sweep_runs']})")


if __name__ == "__main__":
    main()
