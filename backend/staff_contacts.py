"""Staff paging addresses: set and check them, bind WeChat/Telegram by a one-time code, test a channel,
and check the rota's coverage (every hour of the coming days has a reachable person on each layer).

A staff member is *reachable* on a channel when the address is stored and the channel is enabled in
this deployment (:func:`backend.dispatch.staff_channels`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import audit
from backend.dispatch import MAX_LAYER
from backend.models import OnCallShift, Role, Staff, StaffBindCode
from backend.outbox import PAGE_PRIORITY, enqueue
from backend.phones import mask_phone, normalise_phone
from backend.staff_notify import staff_channels

CONTACT_FIELDS = {"phone": "sms", "wechat_openid": "wechat", "telegram_chat_id": "telegram"}
BIND_CODE_TTL = timedelta(hours=24)
# "S" and eight digits, optionally after a word like 绑定/bind/staff: typed into WeChat or Telegram.
BIND_CODE = re.compile(r"^\s*(?:绑定|员工|bind|staff)?\s*[:：#]?\s*(S\d{8})\s*$", re.IGNORECASE)
TELEGRAM_CHAT_ID = re.compile(r"^-?\d{1,20}$")
WECHAT_OPENID = re.compile(r"^[A-Za-z0-9_-]{6,64}$")


class ContactError(ValueError):
    """A paging address that cannot be right (bad phone, malformed chat id or openid)."""


def _clean(field: str, value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if field == "phone":
        phone = normalise_phone(value)
        digits = phone.lstrip("+")
        if not digits.isdigit() or not 8 <= len(digits) <= 15:
            raise ContactError("phone: expected a mobile number such as 13912345678 or +4479...")
        return phone
    if field == "telegram_chat_id" and not TELEGRAM_CHAT_ID.match(value):
        raise ContactError("telegram_chat_id: expected the numeric chat id (the staff member can bind instead)")
    if field == "wechat_openid" and not WECHAT_OPENID.match(value):
        raise ContactError("wechat_openid: expected the account's openid (the staff member can bind instead)")
    return value


def set_contacts(session: Session, staff: Staff, *, now: datetime, actor: str, changes: dict[str, str],
                 actor_staff: Staff | None = None) -> dict[str, str | None]:
    """Set (or with ``""`` clear) paging addresses; audited. Returns the new values (phones masked).

    Raises:
        ContactError: for an unknown field or a malformed address.
    """
    changed: dict[str, str | None] = {}
    for field, raw in changes.items():
        if field not in CONTACT_FIELDS:
            raise ContactError(f"unknown contact field {field!r}")
        value = _clean(field, raw)
        if value == getattr(staff, field):
            continue
        if value is not None:
            taken = session.scalars(select(Staff).where(getattr(Staff, field) == value, Staff.id != staff.id)).first()
            if taken is not None:
                raise ContactError(f"{field}: already used by staff {taken.username}")
        setattr(staff, field, value)
        changed[field] = mask_phone(value) if field == "phone" else value
    if changed:
        audit.record(session, "contact_changed", now=now, staff=actor_staff, actor=None if actor_staff else actor,
                     target=f"staff:{staff.id}", **changed)
    return changed


def contact_view(staff: Staff, enabled: Iterable[str]) -> dict[str, object]:
    """The staff member's addresses (phone masked) and the channels they can be paged on here."""
    reachable = [ch for ch, _ in staff_channels(staff, enabled)]
    return {
        "id": staff.id, "username": staff.username, "name": staff.name, "role": staff.role.value,
        "active": staff.active, "phone": mask_phone(staff.phone), "wechat_openid": staff.wechat_openid,
        "telegram_chat_id": staff.telegram_chat_id, "reachable": reachable,
    }


def _hash(code: str) -> str:
    return hashlib.sha256(code.upper().encode()).hexdigest()


def issue_bind_code(session: Session, staff: Staff, *, now: datetime, actor: str,
                    actor_staff: Staff | None = None, ttl: timedelta = BIND_CODE_TTL) -> str:
    """A new one-time code (``S`` + 8 digits) for ``staff``; earlier unused codes stop working."""
    for old in session.scalars(select(StaffBindCode).where(StaffBindCode.staff_id == staff.id,
                                                           StaffBindCode.used_at.is_(None))):
        old.expires_at = min(old.expires_at, now)
    code = f"S{secrets.randbelow(10**8):08d}"
    session.add(StaffBindCode(staff_id=staff.id, code_hash=_hash(code), created_at=now, expires_at=now + ttl))
    audit.record(session, "bind_code_issued", now=now, staff=actor_staff, actor=None if actor_staff else actor,
                 target=f"staff:{staff.id}", expires_at=(now + ttl).isoformat())
    session.flush()
    return code


def looks_like_bind_code(text: str) -> str | None:
    """The code in a message that is only a staff bind code, else None."""
    m = BIND_CODE.match(text or "")
    return m.group(1).upper() if m else None


def redeem_bind_code(session: Session, code: str, *, channel: str, external_id: str, now: datetime) -> Staff | None:
    """Bind the sender's ``channel`` address to the code's staff member; None for a wrong/used/expired code."""
    field = {v: k for k, v in CONTACT_FIELDS.items()}.get(channel)
    if field is None:
        return None
    row = session.scalars(select(StaffBindCode).where(StaffBindCode.code_hash == _hash(code))).first()
    if row is None or row.used_at is not None or row.expires_at <= now or not row.staff.active:
        return None
    value = normalise_phone(external_id) if field == "phone" else external_id
    for other in session.scalars(select(Staff).where(getattr(Staff, field) == value, Staff.id != row.staff_id)):
        setattr(other, field, None)  # the account moved to this staff member
    setattr(row.staff, field, value)
    row.used_at, row.used_channel = now, channel
    audit.record(session, "contact_bound", now=now, actor=f"bind:{channel}", target=f"staff:{row.staff_id}",
                 channel=channel)
    return row.staff


def send_test(session: Session, staff: Staff, *, now: datetime, enabled: Iterable[str], text: str, actor: str,
              actor_staff: Staff | None = None, channel: str | None = None) -> list[str]:
    """Queue a test message on each (or one) reachable channel, ahead of ordinary traffic; returns the channels."""
    pairs = [(ch, rcpt) for ch, rcpt in staff_channels(staff, enabled) if channel in (None, ch)]
    stamp = now.strftime("%Y%m%d%H%M%S%f")
    for ch, rcpt in pairs:
        enqueue(session, channel=ch, recipient=rcpt, text=text, now=now, purpose="page", priority=PAGE_PRIORITY,
                staff_id=staff.id, dedupe_key=f"test:{staff.id}:{ch}:{stamp}")
    audit.record(session, "contact_tested", now=now, staff=actor_staff, actor=None if actor_staff else actor,
                 target=f"staff:{staff.id}", channels=[ch for ch, _ in pairs])
    return [ch for ch, _ in pairs]


# --- rota coverage ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """A stretch of time when a layer has nobody reachable on call."""

    layer: int
    starts_at: datetime
    ends_at: datetime
    reason: str  # "nobody" | "unreachable:<username>"

    def as_dict(self) -> dict[str, object]:
        """JSON form."""
        return {"layer": self.layer, "starts_at": self.starts_at.isoformat(), "ends_at": self.ends_at.isoformat(),
                "reason": self.reason}


def _who(shifts: list[OnCallShift], at: datetime) -> OnCallShift | None:
    """The shift :func:`backend.dispatch.on_call` would pick at ``at`` (latest started wins)."""
    covering = [s for s in shifts if s.starts_at <= at < s.ends_at]
    return max(covering, key=lambda s: s.starts_at) if covering else None


def coverage_gaps(session: Session, *, start: datetime, end: datetime, enabled: Iterable[str],
                  layers: Iterable[int] = range(1, MAX_LAYER + 1)) -> list[Gap]:
    """Every stretch of [start, end) where a layer has nobody on call, or someone who cannot be paged."""
    on = list(enabled)
    gaps: list[Gap] = []
    for layer in layers:
        shifts = list(session.scalars(select(OnCallShift).where(
            OnCallShift.layer == layer, OnCallShift.ends_at > start, OnCallShift.starts_at < end)))
        cuts = sorted({start, end} | {t for s in shifts for t in (s.starts_at, s.ends_at) if start < t < end})
        open_gap: tuple[datetime, str] | None = None
        for a, b in zip(cuts, cuts[1:], strict=False):
            shift = _who(shifts, a)
            if shift is None:
                reason = "nobody"
            elif not shift.staff.active or not staff_channels(shift.staff, on):
                reason = f"unreachable:{shift.staff.username}"
            else:
                reason = ""
            if open_gap and open_gap[1] != reason:
                gaps.append(Gap(layer, open_gap[0], a, open_gap[1]))
                open_gap = None
            if reason and open_gap is None:
                open_gap = (a, reason)
            del b
        if open_gap:
            gaps.append(Gap(layer, open_gap[0], end, open_gap[1]))
    return gaps


def supervisors(session: Session) -> list[Staff]:
    """Active supervisors and admins (who hear about alarms)."""
    return list(session.scalars(select(Staff).where(Staff.role.in_((Role.SUPERVISOR, Role.ADMIN)),
                                                    Staff.active.is_(True)).order_by(Staff.id)))
