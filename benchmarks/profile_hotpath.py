"""Profile Anju's hot path in one process: webhook verify+parse+store, event processing, outbox delivery.

Seeds owners, then runs three phases under cProfile, each on N messages of the load mix:
  accept   bot.webhooks.accept's work (channel.verify, parse_inbound, inbound.store in a transaction)
  process  Worker.process_one, serially (identity, conversation, NLU, dialog step, effects, outbox rows;
           the worker itself runs 4 at a time on PostgreSQL, which cProfile could not see)
  deliver  Worker.deliver_due against the fake platforms (claim with lease, send, record_result; the
           record_result transactions run in threads and show up as waiting)
and prints, per phase, the time per message and the top functions by cumulative and by own time.

    .venv/bin/python -m benchmarks.profile_hotpath --db sqlite --messages 300
    .venv/bin/python -m benchmarks.profile_hotpath --db pg --messages 300 --out benchmarks/results/profile_pg.txt
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text as sql_text

from bot.channels.base import WebRequest
from bot.services import build_services
from bot.settings import Settings
from bot.webhooks import _store
from bot.worker import Worker
from nlu import ensure_trained
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio
from tests.fakes.wechat import FakeWeChat
from tests.loadgen import driver, stack

PG_URL = os.environ.get("ANJU_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def settings_for(url: str, data_dir: Path, urls: stack.PlatformUrls) -> Settings:
    """The same settings the load benchmark gives its processes."""
    env = stack.anju_env(url, data_dir, 8000, urls)
    os.environ.update({k: v for k, v in env.items() if k.startswith("ANJU_")})
    return Settings(_env_file=None)


def _requests(items: list[driver.Planned]) -> list[WebRequest]:
    from urllib.parse import parse_qsl

    out = []
    for item in items:
        form = dict(parse_qsl(item.body.decode())) if item.channel == "sms" else {}
        headers = {k.lower(): v for k, v in item.headers.items()}
        out.append(WebRequest("POST", item.url, headers, dict(item.params), item.body, form))
    return out


def profile(db: str, messages: int, top: int) -> str:
    """Run the three phases and return the report text."""
    buf = io.StringIO()
    fakes = [FakeWeChat(), FakeTwilio(), FakeTelegram()]
    for fake in fakes:
        fake.start()
    urls = stack.PlatformUrls(*(f.base_url for f in fakes))
    with tempfile.TemporaryDirectory() as tmp_name, stack.fresh_database(db, Path(tmp_name), PG_URL) as url:
        tmp = Path(tmp_name)
        ensure_trained(tmp / "data" / "nlu")
        population = stack.seed(url, max(messages, 50))
        svc = build_services(settings_for(url, tmp / "data", urls))
        svc.nlu.warm_up()
        items = driver.plan(population, messages, "http://127.0.0.1:8000")
        reqs = _requests(items)
        worker = Worker(svc)

        def accept() -> None:
            for item, req in zip(items, reqs, strict=True):
                channel = svc.channels[item.channel]
                channel.verify(req)
                _store(svc, channel.parse_inbound(req))

        def process() -> None:  # one event at a time in this thread, so cProfile sees all of it
            from backend import inbound
            from backend.db import transaction

            while True:
                with transaction(svc.sessions) as session:
                    ids = [ev.id for ev in inbound.claim_next(session, limit=50)]
                if not ids:
                    return
                for event_id in ids:
                    worker.process_one(event_id)

        def deliver() -> None:
            async def run() -> None:
                while await worker.deliver_due(200):
                    pass
                for channel in svc.channels.values():
                    close = getattr(channel, "close", None)
                    if close:
                        await close()
            asyncio.run(run())

        for name, phase in (("accept", accept), ("process", process), ("deliver", deliver)):
            prof = cProfile.Profile()
            t0 = time.perf_counter()
            prof.enable()
            phase()
            prof.disable()
            elapsed = time.perf_counter() - t0
            buf.write(f"\n=== {name} ({db}): {messages} messages in {elapsed:.2f} s = "
                      f"{elapsed / messages * 1000:.2f} ms per message ===\n")
            for order in ("cumulative", "tottime"):
                stats_buf = io.StringIO()
                pstats.Stats(prof, stream=stats_buf).strip_dirs().sort_stats(order).print_stats(top)
                text = stats_buf.getvalue()
                buf.write(f"--- by {order} ---\n" + text[text.find("   ncalls"):] + "\n")
        counts = stack.db_counts(url)
        with svc.engine.connect() as conn:
            purposes = dict(conn.execute(sql_text(
                "SELECT purpose || CASE WHEN staff_id IS NULL THEN ' to owner' ELSE ' to staff' END, count(*) "
                "FROM outbox GROUP BY 1")).all())
        requests: dict[str, int] = {}
        for name, fake in zip(("wechat", "sms", "telegram"), fakes, strict=True):
            for request in list(fake.requests):
                key = f"{name} {request.path.rsplit('/', 1)[-1]}"
                requests[key] = requests.get(key, 0) + 1
        # cProfile counts every resumption of a coroutine as a call: the ncalls of async functions above
        # (Worker._deliver, TelegramChannel.send, httpx...) are resumptions, not sends. These are the sends.
        buf.write(f"\n=== what the platforms received for {messages} messages ===\n"
                  f"HTTP requests by platform and method: {dict(sorted(requests.items()))}\n"
                  f"outbox rows by status: {counts.outbox}; sent rows: {sum(counts.sent_per_recipient.values())}\n"
                  f"outbox rows by purpose: {dict(sorted(purposes.items()))}\n")
        svc.engine.dispose()
    for fake in fakes:
        fake.stop()
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Print (and optionally save) the profile."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    report = profile(args.db, args.messages, args.top)
    print(report)
    if args.out:
        args.out.write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
