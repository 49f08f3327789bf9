"""Run Anju as real processes (``anju serve`` / ``anju worker``) against fake platforms, for load and fault tests.

Everything here talks to Anju the way production does: over HTTP on 127.0.0.1, through its CLI, with
``ANJU_*`` environment variables. The fake platforms (``tests/fakes``) run either in the calling process
(tests) or in a child process (:class:`FakesProcess`, benchmarks, so they do not compete for the GIL).
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any, TypeVar

import httpx
from sqlalchemy import NullPool, func, select, text

from backend.db import make_engine, session_factory, transaction
from backend.migrate import upgrade
from backend.models import (
    Building,
    ChannelIdentity,
    InboundEvent,
    OnCallShift,
    Outbox,
    Owner,
    Ownership,
    Project,
    Role,
    Staff,
    Unit,
    utcnow,
)

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
ANJU = str(Path(sys.executable).with_name("anju"))

WECHAT_TOKEN = "anju-load-token"
TELEGRAM_SECRET = "load_Secret-token-42"
API_TOKEN = "load-api-token-0123456789"
# outbound rate limits high enough that the fakes, not the limiter, are the platform (see load.md)
UNLIMITED_RATES = {"wechat": 100000.0, "sms": 100000.0, "telegram": 100000.0}

from tests.e2e.live import (  # noqa: E402  (the fakes' credentials and one polling helper, as in the tests)
    TELEGRAM_TOKEN,
    TWILIO_NUMBER,
    TWILIO_SID,
    TWILIO_TOKEN,
    WECHAT_AES_KEY,
    WECHAT_APP_ID,
    WECHAT_SECRET,
    wait_for,
)

_schemas = itertools.count(1)


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ------------------------------------------------------------------------------------------ database
@contextmanager
def fresh_database(kind: str, tmp_dir: Path, pg_url: str | None = None) -> Iterator[str]:
    """A new, migrated database: a SQLite file in ``tmp_dir`` or a fresh schema on ``pg_url``.

    The PostgreSQL schema is dropped on exit.
    """
    if kind == "sqlite":
        url = f"sqlite:///{tmp_dir / 'anju-load.db'}"
        upgrade(url)
        yield url
        return
    if not pg_url:
        raise ValueError("a PostgreSQL URL is needed")
    schema = f"anju_load_{os.getpid()}_{next(_schemas)}"
    admin = make_engine(pg_url, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in pg_url else "?"
    url = f"{pg_url}{sep}options=-csearch_path%3D{schema}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@dataclass(frozen=True)
class Population:
    """The seeded owners: for each, the channel and external id they write from."""

    users: list[tuple[str, str]]  # (channel, external id)
    owner_phones: list[str]
    engineer_chats: list[str]


def identity_for(index: int, channel: str) -> str:
    """The external id owner ``index`` writes from on ``channel``."""
    if channel == "wechat":
        return f"oLoad{index:08d}"
    if channel == "sms":
        return f"+86139{index:08d}"
    return str(700_000_000 + index)


def seed(database_url: str, owners: int, mix: tuple[float, float, float] = (0.5, 0.2, 0.3)) -> Population:
    """Seed ``owners`` owners with verified identities (channels split by ``mix``: wechat, sms, telegram).

    Also an agent and a three-layer on-call rota of engineers reachable on Telegram, so emergencies page.
    """
    engine = make_engine(database_url, poolclass=NullPool)
    sessions = session_factory(engine)
    now = utcnow()
    users: list[tuple[str, str]] = []
    phones: list[str] = []
    cut_wechat = mix[0]
    cut_sms = mix[0] + mix[1]
    with transaction(sessions) as s:
        project = Project(code="LOAD", name="安居花园", name_en="Anju Garden", stage="handed_over")
        s.add(project)
        buildings = [Building(project=project, number=str(b)) for b in range(1, 21)]
        s.add_all(buildings)
        s.flush()
        advisor = Staff(name="顾问", username="load-agent", role=Role.AGENT)
        engineers = [
            Staff(name=f"工程师{i}", username=f"load-eng{i}", role=Role.ENGINEER if i < 3 else Role.SUPERVISOR,
                  telegram_chat_id=str(9100 + i))
            for i in range(1, 4)
        ]
        s.add_all([advisor, *engineers])
        s.flush()
        for layer, staff in enumerate(engineers, start=1):
            s.add(OnCallShift(layer=layer, staff_id=staff.id, starts_at=now - timedelta(hours=12),
                              ends_at=now + timedelta(days=2)))
        units = []
        for i in range(owners):
            building = buildings[i % len(buildings)]
            # building (20) x floor (30) x entrance: unique for any number of owners
            floor = 1 + i // 20 % 30
            units.append(Unit(building=building, entrance=str(1 + i // 600), room=f"{floor}01", floor=floor))
        s.add_all(units)
        s.flush()
        owner_rows = [Owner(name=f"业主{i}", phone=f"139{i:08d}", language="zh", advisor_id=advisor.id)
                      for i in range(owners)]
        s.add_all(owner_rows)
        s.flush()
        for i, (unit, owner) in enumerate(zip(units, owner_rows, strict=True)):
            s.add(Ownership(owner_id=owner.id, unit_id=unit.id, signed_on=date(2024, 3, 1),
                            handover_on=date(2025, 6, 30)))
            share = (i * 0.6180339887) % 1.0  # spread channels evenly over the index range
            channel = "wechat" if share < cut_wechat else "sms" if share < cut_sms else "telegram"
            external = identity_for(i, channel)
            s.add(ChannelIdentity(channel=channel, external_id=external, owner_id=owner.id, verified_at=now,
                                  created_at=now))
            users.append((channel, external))
            phones.append(owner.phone)
    engine.dispose()
    return Population(users, phones, [e.telegram_chat_id or "" for e in engineers])


@dataclass
class DbCounts:
    """What the database holds after a run."""

    inbound: dict[str, int]
    outbox: dict[str, int]
    sent_per_recipient: dict[tuple[str, str], int]
    accepted_ids: set[tuple[str, str]]


def db_counts(database_url: str) -> DbCounts:
    """Inbound events and outbox rows by status, sent rows per recipient, the stored provider ids."""
    engine = make_engine(database_url, poolclass=NullPool)
    with engine.connect() as conn:
        inbound = dict(conn.execute(select(InboundEvent.status, func.count()).group_by(InboundEvent.status)).all())
        out = dict(conn.execute(select(Outbox.status, func.count()).group_by(Outbox.status)).all())
        per = conn.execute(
            select(Outbox.channel, Outbox.recipient, func.count())
            .where(Outbox.status.in_(("sent", "delivered")))
            .group_by(Outbox.channel, Outbox.recipient)
        ).all()
        ids = set(conn.execute(select(InboundEvent.channel, InboundEvent.provider_message_id)).all())
    engine.dispose()
    return DbCounts(inbound, out, {(c, r): n for c, r, n in per}, {(c, p) for c, p in ids})


def unfinished(database_url: str) -> int:
    """Inbound events still to process plus outbox rows queued or leased and due within a second."""
    engine = make_engine(database_url, poolclass=NullPool)
    with engine.connect() as conn:
        soon = utcnow() + timedelta(seconds=1)
        pending = conn.scalar(select(func.count()).select_from(InboundEvent)
                              .where(InboundEvent.status.in_(("pending", "throttled")))) or 0
        leased = conn.scalar(select(func.count()).select_from(Outbox).where(
            Outbox.status.in_(("queued", "sending")), Outbox.next_attempt_at <= soon)) or 0
        # a leased row whose lease is further away is still unfinished work
        leased += conn.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == "sending",
                                                                             Outbox.next_attempt_at > soon)) or 0
    engine.dispose()
    return int(pending + leased)


# ------------------------------------------------------------------------------------------- process
@dataclass
class PlatformUrls:
    """Where the three fake platforms listen."""

    wechat: str
    twilio: str
    telegram: str


def anju_env(database_url: str, data_dir: Path, port: int, platforms: PlatformUrls,
             extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of an Anju process: every setting as an ``ANJU_*`` variable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANJU_")}
    env.update({
        "ANJU_ENV": "dev",
        "ANJU_DATABASE_URL": database_url,
        "ANJU_DATA_DIR": str(data_dir),
        "ANJU_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "ANJU_HOST": "127.0.0.1",
        "ANJU_PORT": str(port),
        "ANJU_LOG_LEVEL": "WARNING",
        "ANJU_API_TOKEN": API_TOKEN,
        "ANJU_WECHAT__APP_ID": WECHAT_APP_ID,
        "ANJU_WECHAT__APP_SECRET": WECHAT_SECRET,
        "ANJU_WECHAT__TOKEN": WECHAT_TOKEN,
        "ANJU_WECHAT__ENCODING_AES_KEY": WECHAT_AES_KEY,
        "ANJU_WECHAT__API_BASE": platforms.wechat,
        "ANJU_TWILIO__ACCOUNT_SID": TWILIO_SID,
        "ANJU_TWILIO__AUTH_TOKEN": TWILIO_TOKEN,
        "ANJU_TWILIO__FROM_NUMBER": TWILIO_NUMBER,
        "ANJU_TWILIO__API_BASE": platforms.twilio,
        "ANJU_TELEGRAM__BOT_TOKEN": TELEGRAM_TOKEN,
        "ANJU_TELEGRAM__SECRET_TOKEN": TELEGRAM_SECRET,
        "ANJU_TELEGRAM__API_BASE": platforms.telegram,
        "ANJU_NLU__ENGINE": "builtin",
        "ANJU_OUTBOX__RATE_LIMITS": json.dumps(UNLIMITED_RATES),
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra or {})
    return env


@dataclass
class AnjuProcess:
    """One ``anju`` child process (``serve`` or ``worker``) with its log file."""

    args: list[str]
    env: dict[str, str]
    log_path: Path
    port: int | None = None
    proc: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = field(default=None, repr=False)

    def start(self, timeout: float = 90.0) -> AnjuProcess:
        """Start it; for ``serve`` wait until ``/healthz`` answers (migrations and NLU warm-up done)."""
        self._log = self.log_path.open("ab")
        self.proc = subprocess.Popen([ANJU, *self.args], env=self.env, cwd=ROOT, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        if self.port is not None:
            wait_for(self._healthy, f"anju {' '.join(self.args)} to answer /healthz (log: {self.log_path})",
                     timeout, 0.1)
        return self

    def _healthy(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"anju {' '.join(self.args)} exited with {self.proc.returncode}: {self.log_tail()}")
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_ready_log(self, marker: str, timeout: float = 90.0) -> None:
        """Wait until ``marker`` appears in the log (workers have no HTTP port)."""
        wait_for(lambda: marker in self.log_text() or self._check_alive(), f"{marker!r} in {self.log_path}",
                 timeout, 0.1)

    def _check_alive(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"anju {' '.join(self.args)} exited with {self.proc.returncode}: {self.log_tail()}")
        return False

    def log_text(self) -> str:
        """The whole log so far."""
        return self.log_path.read_text("utf-8", "replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the log."""
        return "\n".join(self.log_text().splitlines()[-lines:])

    @property
    def pid(self) -> int:
        """The child's pid."""
        assert self.proc is not None
        return self.proc.pid

    def kill9(self) -> None:
        """``kill -9``: no shutdown hooks, no flushing, open transactions abandoned."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self._close_log()

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM (graceful), then SIGKILL if it does not exit."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


def serve_process(env: dict[str, str], log_dir: Path, port: int, *, worker: bool = True,
                  name: str = "web") -> AnjuProcess:
    """An ``anju serve`` process (with or without its embedded worker), not yet started."""
    args = ["serve", "--port", str(port)] + ([] if worker else ["--no-worker"])
    return AnjuProcess(args, env, log_dir / f"{name}.log", port=port)


def worker_process(env: dict[str, str], log_dir: Path, name: str, *, sweeps: bool = True) -> AnjuProcess:
    """An ``anju worker`` process, not yet started."""
    # Workers yield the CPU to the web process, whose answers are the latency-critical path.
    args = ["worker", "--nice", "10"] + ([] if sweeps else ["--no-sweeps"])
    return AnjuProcess(args, env, log_dir / f"{name}.log")


# ----------------------------------------------------------------------------------------- fakes
class FakesProcess:
    """The three fake platforms in a child process (``python -m tests.loadgen.fakes``)."""

    def __init__(self) -> None:
        """Start the child and read the platforms' URLs from its first output line."""
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.loadgen.fakes"], cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        urls = json.loads(self.proc.stdout.readline())
        self.urls = PlatformUrls(**urls)

    def _ask(self, command: str) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def deliveries(self) -> list[tuple[str, str, float]]:
        """Every accepted message: (channel, recipient, unix time received)."""
        return [tuple(x) for x in self._ask("dump")]  # type: ignore[misc]

    def request_counts(self) -> dict[str, int]:
        """Every HTTP request the fakes received, by platform and last path segment (``"telegram sendMessage"``)."""
        return dict(self._ask("requests"))

    def reset(self) -> None:
        """Forget everything recorded."""
        self._ask("reset")

    def stop(self) -> None:
        """Stop the child."""
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def deliveries_of(wechat: Any, twilio: Any, telegram: Any) -> list[tuple[str, str, float]]:
    """Accepted messages recorded by in-process fakes: (channel, recipient, unix time received).

    The time is the fake's receive time when every recorded send request was accepted (no injected
    faults), else 0.0 (counts stay exact: they come from the fakes' lists of accepted messages).
    """
    out: list[tuple[str, str, float]] = []
    sources = (
        ("wechat", [m for m in list(wechat.sent)], "touser",
         lambda r: r.path in ("/cgi-bin/message/custom/send", "/cgi-bin/message/template/send")),
        ("sms", list(twilio.sent), "To", lambda r: r.path.endswith("/Messages.json")),
        ("telegram", [c for c in list(telegram.sent) if c["method"] in ("sendMessage", "sendPhoto")], "chat_id",
         lambda r: r.path.endswith(("/sendMessage", "/sendPhoto"))),
    )
    fakes = {"wechat": wechat, "sms": twilio, "telegram": telegram}
    for channel, accepted, key, is_send in sources:
        requests = [r for r in list(fakes[channel].requests) if is_send(r)]
        times = [r.received_at for r in requests] if len(requests) == len(accepted) else [0.0] * len(accepted)
        # recipients always come from the accepted list: a refused or half-read request never counts
        out.extend((channel, str(m.get(key)), t) for m, t in zip(accepted, times, strict=True))
    return out
