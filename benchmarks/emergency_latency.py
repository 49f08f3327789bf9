"""Emergency-page latency: from an owner's webhook to the page arriving at the on-call engineer's platform.

Starts the real app under uvicorn exactly as the end-to-end tests do (all three channels against the fake
WeChat/Twilio/Telegram servers, the real builtin NLU, the embedded worker), seeds N owners with bound
identities spread over WeChat, SMS and Telegram, sends one emergency message from each at ``--rate``
messages per second through signed webhooks, and measures for every message the time from sending the
webhook to the first page (Telegram or SMS) for that owner's ticket being received by a fake platform.

    python -m benchmarks.emergency_latency                       # SQLite in a temp dir, N=200
    python -m benchmarks.emergency_latency --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
    python -m benchmarks.emergency_latency -n 50 --rate 0         # all at once (a burst)
    python -m benchmarks.emergency_latency --rate 10 --append     # add an overload run to the results

The target is < 1 s per page. The markdown table is printed and written to
``benchmarks/results/emergency_latency.md`` (``--output``). A PostgreSQL database given with
``--database-url`` is migrated and **emptied**.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import re
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import select  # noqa: E402

from backend.db import make_engine, transaction  # noqa: E402
from backend.migrate import upgrade  # noqa: E402
from backend.models import ChannelIdentity, InboundEvent, Outbox, utcnow  # noqa: E402
from nlu import ensure_trained  # noqa: E402
from tests.db import truncate_all  # noqa: E402
from tests.e2e.live import Estate, Hooks, LiveServer, build_settings, seed_estate  # noqa: E402
from tests.factories import make_owner, make_unit  # noqa: E402
from tests.fakes.telegram import FakeTelegram  # noqa: E402
from tests.fakes.twilio import FakeTwilio  # noqa: E402
from tests.fakes.wechat import FakeWeChat  # noqa: E402

CHANNELS = ("wechat", "sms", "telegram")
MESSAGES = (
    "家里有很重的煤气味，快来人",
    "救命 厨房水管爆了 水漫出来了",
    "电梯坏了 我妈困在电梯里",
    "厨房冒烟了 着火了",
    "There is a strong gas smell in my kitchen",
)
PHONE = re.compile(r"1370\d{7}")
TARGET_S = 1.0
DEFAULT_OUTPUT = ROOT / "benchmarks" / "results" / "emergency_latency.md"
HEADER = (f"# Emergency page latency\n\nTarget: an emergency page reaches the on-call engineer's platform within "
          f"{TARGET_S:.0f} s of the owner's webhook. Produced by `python -m benchmarks.emergency_latency`.\n\n")


@dataclass
class Probe:
    """One emergency message and when things happened (Unix times)."""

    index: int
    channel: str
    user: str
    phone: str
    text: str
    sent_at: float = 0.0
    acked_at: float = 0.0
    status: int = 0
    pages: dict[str, float] = field(default_factory=dict)  # platform -> first page received

    @property
    def latency(self) -> float | None:
        """Webhook sent -> first page received, in seconds."""
        return min(self.pages.values()) - self.sent_at if self.pages else None


def seed_owners(live: LiveServer, n: int) -> list[Probe]:
    """N owners, each with one unit and a verified identity on one channel (round robin)."""
    probes = []
    with transaction(live.sessions) as s:
        for i in range(n):
            channel = CHANNELS[i % len(CHANNELS)]
            phone = f"1370{i:07d}"
            owner = make_owner(s, make_unit(s, room=f"{1000 + i}"), phone=phone)
            user = {"wechat": f"oBench{i:05d}", "sms": f"+86{phone}", "telegram": str(8_000_000 + i)}[channel]
            s.add(ChannelIdentity(channel=channel, external_id=user, owner_id=owner.id, verified_at=utcnow(),
                                  created_at=utcnow()))
            probes.append(Probe(i, channel, user, phone, MESSAGES[i % len(MESSAGES)]))
    return probes


def send(hooks: Hooks, probe: Probe) -> None:
    """Post the probe's emergency as its platform would, recording send and ack times."""
    probe.sent_at = time.time()
    sent = hooks.send(probe.channel, probe.user, probe.text)
    probe.acked_at, probe.status = time.time(), sent.response.status_code


def collect_pages(twilio: FakeTwilio, telegram: FakeTelegram, estate: Estate, by_phone: dict[str, Probe]) -> int:
    """Record the first page per platform for every probe; returns how many probes have a page."""
    seen = [(r, "telegram", str(r.data.get("chat_id")) == estate.engineer1_chat, r.data.get("text", ""))
            for r in list(telegram.requests) if r.path.endswith("/sendMessage")]
    seen += [(r, "sms", r.data.get("To", "").endswith(estate.engineer1_phone), r.data.get("Body", ""))
             for r in list(twilio.requests) if r.path.endswith("/Messages.json")]
    for request, name, to_engineer, text in seen:
        if not to_engineer or "紧急派单" not in text:
            continue
        match = PHONE.search(text)
        probe = by_phone.get(match.group(0)) if match else None
        if probe is not None and (name not in probe.pages or request.received_at < probe.pages[name]):
            probe.pages[name] = request.received_at
    return sum(bool(p.pages) for p in by_phone.values())


def stages(live: LiveServer) -> list[str]:
    """Where the time goes, from the rows' own timestamps (the app's clock, milliseconds)."""

    def describe(label: str, values: list[float]) -> str:
        if not values:
            return f"| {label} | 0 | – | – | – |"
        return (f"| {label} | {len(values)} | {statistics.median(values) * 1000:.0f} | "
                f"{percentile(values, 99) * 1000:.0f} | {max(values) * 1000:.0f} |")

    with live.sessions() as s:
        events = list(s.scalars(select(InboundEvent).where(InboundEvent.processed_at.is_not(None))))
        rows = list(s.scalars(select(Outbox).where(Outbox.sent_at.is_not(None))))
    lines = ["| stage | rows | median ms | p99 ms | max ms |", "|---|---:|---:|---:|---:|",
             describe("inbound stored → processed (ticket + page rows written)",
                      [(e.processed_at - e.received_at).total_seconds() for e in events])]
    for purpose in ("page", "reply"):
        for channel in ("telegram", "sms", "wechat"):
            waits = [(r.sent_at - r.created_at).total_seconds() for r in rows
                     if r.purpose == purpose and r.channel == channel]
            if waits:
                lines.append(describe(f"{purpose} row written → sent via {channel}", waits))
    return lines


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def row(label: str, latencies: list[float], total: int) -> str:
    """One markdown table row of latency statistics (milliseconds)."""
    if not latencies:
        return f"| {label} | {total} | 0 | – | – | – | – | – |"
    under = sum(x < TARGET_S for x in latencies) / total
    return (f"| {label} | {total} | {len(latencies)} | {statistics.median(latencies) * 1000:.0f} | "
            f"{percentile(latencies, 90) * 1000:.0f} | {percentile(latencies, 99) * 1000:.0f} | "
            f"{max(latencies) * 1000:.0f} | {under:.1%} |")


def report(probes: list[Probe], args: argparse.Namespace, db_label: str, wall_s: float,
           breakdown: list[str]) -> str:
    """The markdown report."""
    rate = "all at once" if not args.rate else f"{args.rate:g}/s"
    lines = [
        f"## {db_label}, {len(probes)} emergencies, {rate}",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; host: {platform.node()} ({os.cpu_count()} CPUs), "
        f"Python {platform.python_version()}",
        f"- database: {db_label}; NLU: builtin; embedded worker (one process)",
        f"- messages: {len(probes)} from {len(probes)} bound owners over {', '.join(CHANNELS)}; "
        f"rate: {rate}; run took {wall_s:.1f} s",
        "",
        "Webhook sent → first page (Telegram or SMS) received by the fake platform:",
        "",
        "| inbound channel | sent | paged | median ms | p90 ms | p99 ms | max ms | share < 1 s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for channel in CHANNELS:
        subset = [p for p in probes if p.channel == channel]
        lines.append(row(channel, [p.latency for p in subset if p.latency is not None], len(subset)))
    lines.append(row("**all**", [p.latency for p in probes if p.latency is not None], len(probes)))
    for name in ("telegram", "sms"):
        latencies = [p.pages[name] - p.sent_at for p in probes if name in p.pages]
        lines.append(row(f"page via {name} only", latencies, len(probes)))
    acks = [p.acked_at - p.sent_at for p in probes]
    lines += [
        "",
        f"Webhook acknowledgement (HTTP 200 back to the platform): median {statistics.median(acks) * 1000:.0f} ms, "
        f"p99 {percentile(acks, 99) * 1000:.0f} ms; non-200 answers: {sum(p.status != 200 for p in probes)}.",
        f"Messages without any page within {args.timeout:g} s: {sum(p.latency is None for p in probes)}.",
        "",
        "Stages, from the database rows (``sent`` is recorded after the platform answered):",
        "",
        *breakdown,
        "",
    ]
    return "\n".join(lines)


def prepare_database(url: str | None, tmp: Path) -> tuple[str, str]:
    """Migrate (and empty) the database; returns (url, label)."""
    url = url or f"sqlite:///{tmp / 'bench.db'}"
    upgrade(url)
    engine = make_engine(url)
    truncate_all(engine)
    label = engine.dialect.name
    engine.dispose()
    return url, label


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns 0 when every page arrived and the p99 is under the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="number of emergency messages (default 200)")
    parser.add_argument("--rate", type=float, default=4.0, help="messages per second (default 4); 0: all at once")
    parser.add_argument("--database-url", help="e.g. postgresql+psycopg://... (migrated and emptied)")
    parser.add_argument("--data-dir", type=Path, help="reuse a data dir with a trained nlu/ model")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the last page")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="markdown file to write")
    parser.add_argument("--append", action="store_true", help="add this run to --output instead of replacing it")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    tmp = Path(tempfile.mkdtemp(prefix="anju-bench-"))
    data_dir = args.data_dir or tmp / "data"
    print(f"training/loading the builtin NLU model in {data_dir / 'nlu'} ...")
    ensure_trained(data_dir / "nlu")
    url, db_label = prepare_database(args.database_url, tmp)

    fakes = (FakeWeChat().start(), FakeTwilio().start(), FakeTelegram().start())
    wechat, twilio, telegram = fakes
    live = LiveServer(lambda port: build_settings(database_url=url, data_dir=data_dir, port=port,
                                                  wechat_api=wechat.base_url, twilio_api=twilio.base_url,
                                                  telegram_api=telegram.base_url)).start()
    try:
        estate = seed_estate(live.sessions)
        probes = seed_owners(live, args.n)
        by_phone = {p.phone: p for p in probes}
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        with httpx.Client(timeout=30.0, limits=limits) as client, ThreadPoolExecutor(max_workers=32) as pool:
            hooks = Hooks(live, client)
            hooks.send("telegram", "7999999", "你好")  # warm the HTTP paths once (not measured)
            live.settle()
            print(f"sending {args.n} emergencies ({'burst' if not args.rate else f'{args.rate:g}/s'}) ...")
            started = time.time()
            for k, probe in enumerate(probes):
                if args.rate:
                    delay = started + k / args.rate - time.time()
                    if delay > 0:
                        threading.Event().wait(delay)
                pool.submit(send, hooks, probe)
            pool.shutdown(wait=True)
            deadline = time.time() + args.timeout
            while collect_pages(twilio, telegram, estate, by_phone) < len(probes) and time.time() < deadline:
                time.sleep(0.1)
            wall = time.time() - started
            live.settle(timeout=args.timeout)
            breakdown = stages(live)
    finally:
        live.stop()
        live.services.engine.dispose()
        for fake in fakes:
            fake.stop()

    text = report(probes, args, db_label, wall, breakdown)
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    if args.append and args.output.exists():
        args.output.write_text(args.output.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text, encoding="utf-8")
    else:
        args.output.write_text(HEADER + text, encoding="utf-8")
    print(f"written to {args.output}")
    latencies = [p.latency for p in probes if p.latency is not None]
    ok = bool(latencies) and len(latencies) == len(probes) and percentile(latencies, 99) < TARGET_S
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
