"""Operating Anju: ``/healthz``, ``/readyz``, ``/metrics``, the access log, heartbeats and ``anju doctor``.

- ``/healthz`` is liveness: the process answers (no database call), always 200.
- ``/readyz`` checks the database, that a worker has beaten recently, the oldest unprocessed inbound
  event and the oldest due outbox row; 503 with a short JSON body when any of them fails. Dead letters
  and channel health are reported as warnings (a platform outage must not pull every instance).
- ``/metrics`` is the Prometheus exposition (:mod:`bot.metrics`), behind ``ANJU_METRICS_TOKEN`` (or the
  API token) as a bearer token.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend import heartbeat
from backend.db import transaction
from backend.inbound import UNPROCESSED
from backend.models import InboundEvent, Outbox
from bot import metrics
from bot.logs import redact
from bot.services import Services
from bot.settings import Settings

log = logging.getLogger(__name__)
access_log = logging.getLogger("anju.access")
router = APIRouter(tags=["ops"])
CHANNEL_WINDOW = timedelta(minutes=15)


def _svc(request: Request) -> Services:
    return request.app.state.services


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process is up and answering (see ``/readyz`` for the database and workers)."""
    return {"status": "ok"}


def readiness(svc: Services, now: datetime) -> tuple[bool, dict[str, Any]]:
    """``(ready, body)``: every check with its figure; never raises (a down database is a failed check)."""
    s = svc.settings
    checks: dict[str, Any] = {}
    warnings: dict[str, Any] = {}
    try:
        with svc.sessions() as session:
            session.execute(text("SELECT 1"))
            checks["database"] = "ok"
            beats = heartbeat.alive(session, now=now, within=timedelta(seconds=s.ready_max_heartbeat_age_s),
                                    role="worker")
            checks["workers"] = len(beats)
            oldest_in = session.scalar(select(func.min(InboundEvent.received_at))
                                       .where(InboundEvent.status.in_(UNPROCESSED)))
            oldest_out = session.scalar(select(func.min(Outbox.next_attempt_at))
                                        .where(Outbox.status.in_(("queued", "sending")), Outbox.next_attempt_at <= now))
            checks["oldest_inbound_s"] = round((now - oldest_in).total_seconds(), 1) if oldest_in else 0
            checks["oldest_outbox_s"] = round((now - oldest_out).total_seconds(), 1) if oldest_out else 0
            warnings["dead_letters"] = session.scalar(select(func.count()).select_from(Outbox)
                                                      .where(Outbox.status == "dead")) or 0
            warnings["channels"] = _channel_health(session, now, list(svc.channels))
    except SQLAlchemyError as exc:
        log.warning("readyz: database unavailable (%s)", type(exc).__name__)
        return False, {"status": "unavailable", "failed": ["database"], "checks": {"database": "down"}}
    failed = []
    if checks["workers"] < 1:
        failed.append("workers")
    if checks["oldest_inbound_s"] > s.ready_max_inbound_age_s:
        failed.append("inbound_backlog")
    if checks["oldest_outbox_s"] > s.ready_max_outbox_age_s:
        failed.append("outbox_backlog")
    body: dict[str, Any] = {"status": "ok" if not failed else "unavailable", "checks": checks, "warnings": warnings}
    if failed:
        body["failed"] = failed
    return not failed, body


def _channel_health(session: Any, now: datetime, channels: list[str]) -> dict[str, str]:
    """Per enabled channel: ``ok``, ``idle`` or ``failing`` (only failures in the last 15 minutes)."""
    since = now - CHANNEL_WINDOW
    rows = session.execute(select(Outbox.channel, Outbox.status, func.count())
                           .where(Outbox.channel.in_(channels), Outbox.created_at >= since)
                           .group_by(Outbox.channel, Outbox.status)).all()
    seen: dict[str, dict[str, int]] = {}
    for channel, status, n in rows:
        seen.setdefault(channel, {})[status] = n
    out = {}
    for channel in channels:
        st = seen.get(channel, {})
        good = st.get("sent", 0) + st.get("delivered", 0)
        bad = st.get("dead", 0) + st.get("failed", 0)
        out[channel] = "failing" if bad and not good else ("ok" if good else "idle")
    return out


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Readiness: 200 when the database answers, a worker is alive and nothing waits too long; else 503."""
    svc = _svc(request)
    ready, body = readiness(svc, svc.clock())
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get("/metrics", include_in_schema=False)
def metrics_endpoint(request: Request) -> Response:
    """Prometheus exposition; ``Authorization: Bearer <ANJU_METRICS_TOKEN>`` (or the API token)."""
    svc = _svc(request)
    s = svc.settings
    token = s.metrics_token or s.api_token
    expected = token.get_secret_value() if token else ""
    if not expected:
        return JSONResponse({"detail": "metrics disabled: set ANJU_METRICS_TOKEN"}, status_code=503)
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return JSONResponse({"detail": "missing or invalid bearer token"}, status_code=401,
                            headers={"WWW-Authenticate": "Bearer"})
    try:
        body = metrics.render(svc.sessions, svc.clock)
    except SQLAlchemyError as exc:
        log.warning("metrics: database unavailable (%s)", type(exc).__name__)
        return JSONResponse({"detail": "database unavailable"}, status_code=503)
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")


# --- access log ------------------------------------------------------------------------------------


class AccessLog:
    """One ``anju.access`` line per request: method, path (query secrets masked), status, duration, client."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Log after the response status is known."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = [500]

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            path = scope.get("path", "")
            query = scope.get("query_string", b"").decode("latin-1")
            target = redact(f"{path}?{query}" if query else path)
            client = scope.get("client") or ("-", 0)
            ms = (time.perf_counter() - start) * 1000
            access_log.info('%s "%s %s" %d %.1fms', client[0], scope.get("method", "-"), target, status[0], ms,
                            extra={"method": scope.get("method"), "path": target, "status": status[0],
                                   "duration_ms": round(ms, 1), "client": client[0]})


# --- heartbeats ------------------------------------------------------------------------------------


class Heartbeat:
    """Writes this process's heartbeat row every ``settings.heartbeat_s``; removes it on a clean stop.

    A worker also reaps dead processes at start and on every beat (:func:`backend.heartbeat.reap_dead`).
    """

    def __init__(self, svc: Services, role: str, name: str | None = None, info: Any = None) -> None:
        """``role`` is ``web`` or ``worker``; ``info`` is a callable returning the JSON to store."""
        self.svc = svc
        self.role = role
        self.name = name or heartbeat.process_name()
        self.info: Callable[[], dict[str, Any]] = info or (lambda: {})
        self._task: asyncio.Task[None] | None = None

    def beat_once(self) -> None:
        """Write the row now (blocking)."""
        with transaction(self.svc.sessions) as session:
            heartbeat.beat(session, self.name, role=self.role, now=self.svc.clock(), info=self.info())

    def reap(self) -> tuple[list[str], int]:
        """Release the leases of dead processes (blocking); logs what it did."""
        s = self.svc.settings
        stale = timedelta(seconds=max(3 * s.heartbeat_s, s.ready_max_heartbeat_age_s))
        with transaction(self.svc.sessions) as session:
            dead, released = heartbeat.reap_dead(session, now=self.svc.clock(), stale_after=stale,
                                                 self_name=self.name,
                                                 missed_after=timedelta(seconds=1.5 * s.heartbeat_s))
        if dead:
            log.warning("released %d outbox lease(s) held by stopped process(es) %s", released, ", ".join(dead))
        return dead, released

    async def _run(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self.beat_once)
                if self.role == "worker":  # any live worker frees a dead one's leases within a beat or two
                    await asyncio.to_thread(self.reap)
            except SQLAlchemyError as exc:
                log.warning("heartbeat: database unavailable (%s)", type(exc).__name__)
            await asyncio.sleep(self.svc.settings.heartbeat_s)

    async def start(self) -> None:
        """Reap dead processes, beat once, then keep beating in the background."""
        try:
            await asyncio.to_thread(self.reap)
            await asyncio.to_thread(self.beat_once)
        except SQLAlchemyError as exc:
            log.warning("heartbeat: database unavailable at start (%s)", type(exc).__name__)
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop beating and delete the row."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        try:
            def forget() -> None:
                with transaction(self.svc.sessions) as session:
                    heartbeat.forget(session, self.name)
            await asyncio.to_thread(forget)
        except SQLAlchemyError:
            pass


# --- anju doctor -----------------------------------------------------------------------------------


def _platform_checks(settings: Settings) -> list[tuple[str, bool, str]]:
    """A real, read-only API call per enabled platform: Telegram getMe, WeChat access token, Twilio account."""
    import httpx

    out: list[tuple[str, bool, str]] = []
    with httpx.Client(timeout=10.0) as client:
        tg = settings.telegram
        if tg.enabled and tg.bot_token:
            try:
                r = client.get(f"{tg.api_base.rstrip('/')}/bot{tg.bot_token.get_secret_value()}/getMe")
                ok = r.status_code == 200 and r.json().get("ok") is True
                who = r.json().get("result", {}).get("username", "?") if ok else f"HTTP {r.status_code}"
                out.append(("telegram: getMe", ok, f"bot @{who}" if ok else who))
            except (httpx.HTTPError, ValueError) as exc:
                out.append(("telegram: getMe", False, type(exc).__name__))
        wx = settings.wechat
        if wx.enabled:
            try:
                secret = wx.app_secret.get_secret_value() if wx.app_secret else ""
                r = client.get(f"{wx.api_base.rstrip('/')}/cgi-bin/token",
                               params={"grant_type": "client_credential", "appid": wx.app_id, "secret": secret})
                data = r.json()
                ok = bool(data.get("access_token"))
                out.append(("wechat: access token", ok, "ok" if ok else f"errcode {data.get('errcode')}"))
            except (httpx.HTTPError, ValueError) as exc:
                out.append(("wechat: access token", False, type(exc).__name__))
        tw = settings.twilio
        if tw.enabled and tw.auth_token:
            try:
                r = client.get(f"{tw.api_base.rstrip('/')}/2010-04-01/Accounts/{tw.account_sid}.json",
                               auth=(tw.account_sid, tw.auth_token.get_secret_value()))
                ok = r.status_code == 200
                out.append(("twilio: account", ok, "ok" if ok else f"HTTP {r.status_code}"))
            except httpx.HTTPError as exc:
                out.append(("twilio: account", False, type(exc).__name__))
    return out


def doctor(settings: Settings, *, online: bool = True, out: Any = print) -> int:
    """Print one line per check (``ok``/``FAIL``/``warn``); 0 when nothing failed, else 1."""
    from datetime import UTC

    from backend import staff_contacts
    from backend.db import make_engine, session_factory
    from backend.migrate import describe, head_revision, state
    from bot.settings import channel_problems

    failures = 0

    def line(ok: bool | None, what: str, detail: str = "") -> None:
        nonlocal failures
        failures += ok is False
        mark = {True: "ok  ", False: "FAIL", None: "warn"}[ok]
        out(f"{mark} {what}{': ' + detail if detail else ''}")

    line(True, "settings", f"ANJU_ENV={settings.env}")
    for problem in channel_problems(settings):
        line(False, problem)
    enabled = [n for n, sec in (("wechat", settings.wechat), ("sms", settings.twilio),
                                ("telegram", settings.telegram)) if sec.enabled]
    line(True if enabled else None, "channels enabled", ", ".join(enabled) or "none (only the terminal)")
    try:
        st, rev = state(settings.database_url)
    except SQLAlchemyError as exc:
        line(False, "database", f"{describe(settings.database_url)} unreachable ({type(exc).__name__})")
        return 1
    line(st == "current", "database", f"{describe(settings.database_url)} {st} (revision {rev or '-'}, "
                                      f"release {head_revision()})")
    if online:
        for what, ok, detail in _platform_checks(settings):
            line(ok, what, detail)
    if st != "current":
        return 1
    engine = make_engine(settings.database_url)
    try:
        with session_factory(engine)() as session:
            now = datetime.now(UTC)
            gaps = staff_contacts.coverage_gaps(session, start=now, end=now + timedelta(days=settings.coverage_days),
                                                enabled=enabled)
            line(not gaps, f"rota coverage, next {settings.coverage_days} days",
                 "every hour covered by a reachable person on each layer" if not gaps else f"{len(gaps)} gap(s)")
            for gap in gaps[:20]:
                out(f"     layer {gap.layer}: {gap.starts_at:%Y-%m-%d %H:%M} → {gap.ends_at:%Y-%m-%d %H:%M} UTC "
                    f"({gap.reason})")
            beats = heartbeat.alive(session, now=now, within=timedelta(seconds=settings.ready_max_heartbeat_age_s),
                                    role="worker")
            line(True if beats else None, "workers", f"{len(beats)} alive" if beats else "none running right now")
    finally:
        engine.dispose()
    return 1 if failures else 0


# --- request limits and an unavailable database -----------------------------------------------------

MAX_REQUEST_BYTES = 16 * 1024 * 1024  # the largest CSV import; webhooks have their own, smaller limit
RETRY_AFTER_S = 5


class BodyLimit:
    """413 before anything reads a body whose declared length is over ``limit`` (or not a number)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_REQUEST_BYTES) -> None:
        """Wrap ``app``."""
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse an oversized request at once; pass the others through."""
        if scope["type"] == "http":
            length = dict(scope.get("headers") or []).get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > self.limit):
                response = JSONResponse({"detail": "request body too large"}, status_code=413)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def database_unavailable(request: Request, exc: Exception) -> Response:
    """503 with ``Retry-After`` (not a 500 and a traceback) while the database is down or locked."""
    log.error("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return JSONResponse({"detail": "temporarily unavailable, retry later"}, status_code=503,
                        headers={"Retry-After": str(RETRY_AFTER_S)})
