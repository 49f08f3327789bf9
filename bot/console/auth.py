"""Console authentication: argon2 passwords, server-side sessions, CSRF, roles and lock-out.

The session cookie carries a random token; the database keeps only its HMAC (keyed with
``ANJU_SESSION_SECRET``), so a stolen database copy cannot be replayed as a cookie, and logging
out or deactivating a colleague ends their sessions at once. The CSRF token is an HMAC of the
session token: every POST must carry it (hidden ``csrf`` field, or ``X-CSRF-Token`` for scripts).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import quote

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import HTTPException, Request
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend import audit
from backend.db import rowcount, transaction
from backend.models import Role, Staff, StaffSession
from bot.console.i18n import ConsoleConfig, config
from bot.services import Services

log = logging.getLogger(__name__)
COOKIE = "anju_console"
LOGIN_CSRF_COOKIE = "anju_login_csrf"
RANK = {Role.AGENT: 1, Role.SUPERVISOR: 2, Role.ADMIN: 3}
TOUCH_EVERY = timedelta(seconds=60)
hasher = PasswordHasher()  # the same defaults as ``anju staff add`` (bot/staff_cli.py)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hasher.hash(secrets.token_hex(16))


def secret(request: Request) -> bytes:
    """The key for session hashes and CSRF tokens; generated per process (with a warning) if unset."""
    state = request.app.state
    key: bytes | None = getattr(state, "console_secret", None)
    if key is None:
        svc: Services = state.services
        configured = svc.settings.session_secret
        if configured and configured.get_secret_value():
            key = configured.get_secret_value().encode()
        else:
            key = secrets.token_bytes(32)
            level = logging.WARNING if svc.settings.env == "dev" else logging.ERROR
            log.log(level, "ANJU_SESSION_SECRET is not set: using a random key; console sessions end at restart "
                           "and do not work across several web processes")
        state.console_secret = key
    return key


def token_hash(key: bytes, token: str) -> str:
    """The stored form of a session token."""
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def csrf_token(key: bytes, token: str) -> str:
    """The CSRF token that belongs to a session token."""
    return hmac.new(key, b"csrf:" + token.encode(), hashlib.sha256).hexdigest()[:40]


def secure_cookies(svc: Services) -> bool:
    """Cookies are ``Secure`` when the console is served over https."""
    return svc.settings.public_url.lower().startswith("https://")


def client_ip(request: Request) -> str | None:
    """The peer address (put the proxy's real-IP handling in uvicorn's ``--forwarded-allow-ips``)."""
    return request.client.host if request.client else None


@dataclass
class Ctx:
    """Who is asking, in which language, with which CSRF token, at what time."""

    svc: Services
    staff_id: int
    name: str
    username: str
    role: Role
    lang: str
    csrf: str
    now: datetime
    ip: str | None

    @property
    def actor(self) -> str:
        """The label written into ticket events and messages (``staff:<id>``)."""
        return f"staff:{self.staff_id}"

    def at_least(self, role: Role) -> bool:
        """True when this staff member's role ranks at or above ``role``."""
        return RANK.get(self.role, 0) >= RANK[role]

    def staff(self, session: Session) -> Staff:
        """The staff row in ``session``."""
        staff = session.get(Staff, self.staff_id)
        assert staff is not None
        return staff


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "") and request.method == "GET"


def _login_redirect(request: Request) -> HTTPException:
    if not _wants_html(request):
        return HTTPException(401, "not logged in")
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return HTTPException(303, headers={"Location": f"/console/login?next={quote(target, safe='')}"})


def current(request: Request) -> Ctx:
    """Dependency: the logged-in staff member, or a redirect to the login page (401 for scripts)."""
    cached: Ctx | None = getattr(request.state, "console_ctx", None)
    if cached is not None:
        return cached
    svc: Services = request.app.state.services
    token = request.cookies.get(COOKIE)
    if not token:
        raise _login_redirect(request)
    key = secret(request)
    now = svc.clock()
    with transaction(svc.sessions) as session:
        row = session.scalars(select(StaffSession).where(StaffSession.token_hash == token_hash(key, token))).first()
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            raise _login_redirect(request)
        staff = session.get(Staff, row.staff_id)
        if staff is None or not staff.active or staff.role not in RANK:
            raise _login_redirect(request)
        if now - row.last_seen_at >= TOUCH_EVERY:
            row.last_seen_at = now
            row.expires_at = now + timedelta(hours=config().session_hours)
        ctx = Ctx(svc, staff.id, staff.name, staff.username, staff.role, staff.language, csrf_token(key, token), now,
                  client_ip(request))
    request.state.console_ctx = ctx
    return ctx


def require(role: Role) -> Callable[[Request], Ctx]:
    """Dependency factory: the logged-in staff member if their role ranks at least ``role``, else 403."""

    def dependency(request: Request) -> Ctx:
        ctx = current(request)
        if not ctx.at_least(role):
            raise HTTPException(403, "forbidden")
        return ctx

    return dependency


async def check_csrf(request: Request) -> None:
    """Dependency for every POST: the form field ``csrf`` or header ``X-CSRF-Token`` must match the session's."""
    ctx = current(request)
    given = request.headers.get("x-csrf-token")
    if not given:
        form = await request.form()
        value = form.get("csrf")
        given = value if isinstance(value, str) else ""
    if not hmac.compare_digest(given.encode(), ctx.csrf.encode()):
        raise HTTPException(403, "bad_csrf")


DEVICE_COOKIE = "anju_device"
DEVICE_DAYS = 180


def device_token(key: bytes, staff_id: int) -> str:
    """A "known device" cookie value for a browser that logged in successfully as ``staff_id``."""
    nonce = secrets.token_urlsafe(9)
    mac = hmac.new(key, f"device:{staff_id}:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{staff_id}.{nonce}.{mac}"


def known_device(key: bytes, value: str | None) -> int | None:
    """The staff id a valid known-device cookie belongs to, else None."""
    parts = (value or "").split(".")
    if len(parts) != 3 or not parts[0].isascii() or not parts[0].isdigit() or len(parts[0]) > 12:
        return None
    mac = hmac.new(key, f"device:{parts[0]}:{parts[1]}".encode(), hashlib.sha256).hexdigest()[:32]
    return int(parts[0]) if hmac.compare_digest(mac, parts[2]) else None


def authenticate(session: Session, username: str, password: str, *, now: datetime, ip: str | None,
                 cfg: ConsoleConfig | None = None, device_staff_id: int | None = None) -> tuple[Staff | None, str]:
    """Check a login; returns ``(staff, "ok")`` or ``(None, reason)`` and updates the lock-out counters.

    Reasons: ``unknown``, ``locked``, ``wrong_password``, ``no_console_access``. Failed attempts count
    towards the lock-out; the account locks for ``lockout_minutes`` after ``max_failed_logins``. A lock-out
    does not apply to a browser this staff member logged in from before (``device_staff_id``, from the
    known-device cookie): an attacker's wrong guesses cannot lock the real owner of the account out.
    """
    cfg = cfg or config()
    staff = session.scalars(select(Staff).where(Staff.username == username.strip()[:60])).first()
    if staff is None or not staff.active or not staff.password_hash:
        _verify(_dummy_hash(), password)  # same cost as a real check: no user enumeration by timing
        # never the typed text itself: it is often a password typed into the wrong field
        audit.record(session, "login_failed", now=now, actor=f"unknown:{typed_fingerprint(username)}", ip=ip,
                     reason="unknown")
        return None, "unknown"
    trusted = device_staff_id is not None and device_staff_id == staff.id
    if staff.locked_until is not None and staff.locked_until > now and not trusted:
        audit.record(session, "login_failed", now=now, staff=staff, ip=ip, reason="locked")
        return None, "locked"
    if not _verify(staff.password_hash, password):
        staff.failed_logins += 1
        if staff.failed_logins >= cfg.max_failed_logins and not trusted:
            staff.locked_until = now + timedelta(minutes=cfg.lockout_minutes)
            staff.failed_logins = 0
            audit.record(session, "lockout", now=now, staff=staff, ip=ip, until=staff.locked_until.isoformat())
        else:
            audit.record(session, "login_failed", now=now, staff=staff, ip=ip, reason="wrong_password")
        return None, "wrong_password"
    staff.failed_logins, staff.locked_until = 0, None
    if hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = hasher.hash(password)
    if staff.role not in RANK:
        audit.record(session, "login_failed", now=now, staff=staff, ip=ip, reason="no_console_access")
        return None, "no_console_access"
    return staff, "ok"


def _verify(hashed: str, password: str) -> bool:
    try:
        return hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def start_session(session: Session, staff: Staff, key: bytes, *, now: datetime, ip: str | None,
                  user_agent: str | None) -> str:
    """Create a session row and return the cookie token."""
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(token_hash=token_hash(key, token), staff_id=staff.id, created_at=now, last_seen_at=now,
                             expires_at=now + timedelta(hours=config().session_hours), ip=ip,
                             user_agent=(user_agent or "")[:200] or None))
    audit.record(session, "login", now=now, staff=staff, ip=ip)
    return token


def end_sessions(session: Session, *, now: datetime, key: bytes | None = None, token: str | None = None,
                 staff_id: int | None = None) -> int:
    """Revoke one session (by token) or every session of a staff member; returns how many."""
    stmt = update(StaffSession).where(StaffSession.revoked_at.is_(None)).values(revoked_at=now)
    if token is not None and key is not None:
        stmt = stmt.where(StaffSession.token_hash == token_hash(key, token))
    elif staff_id is not None:
        stmt = stmt.where(StaffSession.staff_id == staff_id)
    else:
        raise ValueError("give a token or a staff id")
    return rowcount(session.execute(stmt))


def typed_fingerprint(username: str) -> str:
    """A short digest of an unknown username, to correlate attempts without storing what was typed."""
    return hashlib.sha256(username.strip().encode("utf-8", "replace")).hexdigest()[:12]


class LoginThrottle:
    """Limits login attempts before any argon2 work: per client address and per typed account name in a
    sliding window, and how many password checks run at once (per process).

    Counting happens before the hash, known account or not, so the answer does not reveal which names exist.
    """

    MAX_KEYS = 10_000

    def __init__(self, per_ip: int, per_account: int, concurrency: int, window_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """Set the limits (attempts per ``window_s``) and the number of concurrent hashes."""
        self.per_ip, self.per_account, self.window_s, self.clock = per_ip, per_account, window_s, clock
        self.hashing = threading.BoundedSemaphore(max(concurrency, 1))
        self._lock = threading.Lock()
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def _over(self, key: str, limit: int, now: float) -> float | None:
        hits = self._hits.get(key)
        if hits is None:
            return None
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        return hits[0] + self.window_s - now if len(hits) >= limit else None

    def _add(self, key: str, now: float) -> None:
        self._hits.setdefault(key, deque()).append(now)
        self._hits.move_to_end(key)
        while len(self._hits) > self.MAX_KEYS:
            self._hits.popitem(last=False)

    def check(self, ip: str | None, username: str) -> float | None:
        """Seconds to wait if this attempt is over a limit (nothing recorded), else None (attempt recorded)."""
        now = self.clock()
        keys = [(f"ip:{ip or '-'}", self.per_ip), (f"user:{username.strip().lower()[:60]}", self.per_account)]
        with self._lock:
            waits = [w for w in (self._over(k, limit, now) for k, limit in keys) if w is not None]
            if waits:
                return max(max(waits), 1.0)
            for key, _ in keys:
                self._add(key, now)
        return None


def throttle(request: Request) -> LoginThrottle:
    """The application's login throttle (created on first use from the console settings)."""
    state = request.app.state
    found: LoginThrottle | None = getattr(state, "login_throttle", None)
    if found is None:
        cfg = config()
        svc: Services = state.services
        found = LoginThrottle(cfg.login_per_ip_per_minute, cfg.login_per_account_per_minute,
                              cfg.login_hash_concurrency, clock=lambda: svc.clock().timestamp())
        state.login_throttle = found
    return found
