"""Routing notices to owners, and fanning one notice out to many owners, idempotently.

Channel choice per owner (docs/protocols.md, docs/domain.md §5/§7), from what each channel declares about
itself (:class:`ChannelTraits`, handed down by the channel classes as plain data): a chat channel without a
reply window (Telegram) where the owner uses it; a channel with a window (WeChat customer-service
messages) only while the window the owner's last action opened is open and its quota not known to be
used up; a WeChat template message outside it (when a template is configured); SMS to the registered
phone as the fallback, unless that phone texted STOP; else the owner is skipped with a reason. An
identity the platform refuses (SMS STOP, a Telegram user who blocked the bot, a WeChat unsubscribe) is
never chosen. A send the platform refuses for one of these reasons is re-routed (:func:`reroute`).
Marketing goes only to owners with consent, never to a channel the owner opted out of. Rows are written
with ``ON CONFLICT DO NOTHING`` on ``outbox.dedupe_key`` and on
``notice_deliveries (kind, ref_id, owner_id)``, so a re-run (restart, second worker) never doubles a message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import yaml
from sqlalchemy import FromClause, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from backend.db import is_postgres
from backend.models import (
    ChannelIdentity,
    ConsentEvent,
    ConsoleAlert,
    Conversation,
    NoticeDelivery,
    Outbox,
    OutboxStatus,
    Owner,
)
from backend.outbox import Priority
from backend.phones import e164, normalise_phone

CONFIG = Path(__file__).resolve().parents[1] / "config"
BULK_PRIORITY = Priority.BULK
CHUNK = 2000


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, str]]:
    """The owner-facing templates of ``config/messages.yml``."""
    with (CONFIG / "messages.yml").open(encoding="utf-8") as fh:
        table: dict[str, dict[str, str]] = yaml.safe_load(fh)
    return table


@lru_cache(maxsize=1)
def proactive_config() -> dict[str, Any]:
    """``config/proactive.yml``."""
    with (CONFIG / "proactive.yml").open(encoding="utf-8") as fh:
        config: dict[str, Any] = yaml.safe_load(fh)
    return config


def render(key: str, lang: str, **params: Any) -> str:
    """Template ``key`` in ``lang`` (zh fallback) with ``params``; a missing parameter is blank."""
    entry = messages()[key]
    return (entry.get(lang) or entry["zh"]).format_map(_Blank(params))


@dataclass(frozen=True)
class ChannelTraits:
    """What routing needs to know about a channel; each channel class declares one (``traits``).

    Attributes:
        reply_window: Free-form messages are allowed only this long after the user's last message
            (WeChat customer-service messages: 48 h); None = no window.
        window_quota: Messages allowed per user message inside that window (WeChat: 5).
        event_window: The shorter window a follow, menu click or QR scan opens (WeChat: 1 min).
        event_quota: Messages allowed in it (WeChat: 3).
        templates: Outside the window the channel can still send configured template messages.
        proves_phone: The sender id *is* the phone number (SMS): routes to an owner's registered phone.
        buttons: Quick replies are real buttons (else numbered text).
        max_text: Longest text one message may carry (longer texts are split by the channel).
    """

    reply_window: timedelta | None = None
    window_quota: int | None = None
    event_window: timedelta | None = None
    event_quota: int | None = None
    templates: bool = False
    proves_phone: bool = False
    buttons: bool = False
    max_text: int | None = None


CHAT = ChannelTraits()


@dataclass(frozen=True)
class Policy:
    """What the deployment can send: enabled channels, configured WeChat templates, the channels' traits."""

    enabled: frozenset[str]
    template_ids: Mapping[str, str] = field(default_factory=dict)
    window: timedelta = timedelta(hours=48)
    traits: Mapping[str, ChannelTraits] = field(default_factory=dict)

    def traits_of(self, channel: str) -> ChannelTraits:
        """The declared traits; the ``window`` setting overrides a channel's declared reply window."""
        found = self.traits.get(channel)
        if found is None and channel == "wechat":  # callers that predate declared traits
            found = ChannelTraits(reply_window=self.window, window_quota=5, event_window=timedelta(minutes=1),
                                  event_quota=3, templates=True)
        if found is None and channel == "sms":
            found = ChannelTraits(proves_phone=True)
        found = found or CHAT
        if found.reply_window is not None and found.reply_window != self.window:
            found = ChannelTraits(**{**found.__dict__, "reply_window": self.window})
        return found

    def template_for(self, kind: str | None) -> str | None:
        """The template name to use for a notice kind (falling back to ``service_notice``), if configured."""
        for name in (kind, "service_notice"):
            if name and self.template_ids.get(name):
                return name
        return None


@dataclass(frozen=True)
class Identity:
    """A bound channel identity as routing sees it."""

    id: int
    channel: str
    external_id: str
    last_inbound_at: datetime | None
    opted_out: bool
    blocked: bool = False
    window_kind: str | None = None
    window_opened_at: datetime | None = None
    window_sent: int = 0


def window_open(ident: Identity | ChannelIdentity, traits: ChannelTraits, now: datetime) -> bool:
    """Whether a channel with a reply window may send a free-form message to this identity now.

    The window is the one the identity's last action opened: an owner message (``reply_window``,
    ``window_quota`` messages) or a follow/menu click/scan (``event_window``, ``event_quota``); an
    unsubscribe or block closes it. A quota the platform reported used up (45047) stays closed until the
    owner writes again. Rows from before windows were recorded fall back to ``last_inbound_at``.
    """
    if traits.reply_window is None:
        return True
    blocked = ident.blocked if isinstance(ident, Identity) else ident.blocked_at is not None
    if blocked:
        return False
    kind, opened, sent = ident.window_kind, ident.window_opened_at, ident.window_sent or 0
    if opened is None and kind is None:
        kind, opened = "message", ident.last_inbound_at
    if opened is None:
        return False
    span, quota = ((traits.event_window, traits.event_quota) if kind == "event"
                   else (traits.reply_window, traits.window_quota))
    if span is None or now - opened >= span:
        return False
    return quota is None or sent < quota


@dataclass(frozen=True)
class Reach:
    """How an owner can be reached."""

    owner_id: int
    phone: str
    language: str
    marketing_consent: bool
    deleted: bool
    identities: tuple[Identity, ...] = ()
    phone_blocked: bool = False  # the registered phone texted STOP: SMS refuses every message to it


@dataclass(frozen=True)
class Route:
    """The chosen channel (``route`` custom/template/telegram/sms), or none with the reason."""

    channel: str | None
    recipient: str | None
    route: str
    reason: str | None = None
    identity_id: int | None = None


@dataclass(frozen=True)
class Notice:
    """The content of one notice in one language."""

    text: str
    template: str | None = None  # notice kind for the WeChat template (template_ids key)
    template_data: dict[str, str] = field(default_factory=dict)
    image_url: str | None = None
    quick_replies: tuple[dict[str, str], ...] = ()


def choose(reach: Reach, *, now: datetime, policy: Policy, template: str | None = None,
           marketing: bool = False, prefer_identity: int | None = None,
           exclude: frozenset[tuple[str, str]] = frozenset()) -> Route:
    """Pick the channel for one owner (see the module docstring); ``prefer_identity`` goes first if usable.

    ``exclude`` holds ``(channel, route)`` pairs already refused for this message (see :func:`reroute`).
    """
    if reach.deleted:
        return Route(None, None, "none", "owner_deleted")
    if marketing and not reach.marketing_consent:
        return Route(None, None, "none", "no_marketing_consent")
    ids = [i for i in reach.identities if i.channel in policy.enabled and not i.blocked]
    opted_out = False
    if marketing:
        opted_out = any(i.opted_out for i in ids)
        ids = [i for i in ids if not i.opted_out]
    ids.sort(key=lambda i: (i.id != prefer_identity, -(i.last_inbound_at.timestamp() if i.last_inbound_at else 0)))
    for ident in ids:
        traits = policy.traits_of(ident.channel)
        if traits.proves_phone:
            continue
        route = "custom" if traits.reply_window is not None else ident.channel
        if (ident.channel, route) in exclude:
            continue
        if window_open(ident, traits, now):
            return Route(ident.channel, ident.external_id, route, identity_id=ident.id)
    tpl = policy.template_for(template)
    for ident in ids:
        if policy.traits_of(ident.channel).templates and tpl and (ident.channel, "template") not in exclude:
            return Route(ident.channel, ident.external_id, "template", identity_id=ident.id)
    sms_out = marketing and any(i.channel == "sms" and i.opted_out for i in reach.identities)
    sms_ok = "sms" in policy.enabled and reach.phone and not reach.phone_blocked and ("sms", "sms") not in exclude
    if sms_ok and not sms_out:
        sms_id = next((i.id for i in ids if i.channel == "sms"), None)
        return Route("sms", e164(reach.phone), "sms", identity_id=sms_id)
    blocked = reach.phone_blocked or any(i.blocked for i in reach.identities)
    reason = "opted_out" if opted_out or sms_out else ("unreachable" if blocked or exclude else "no_channel")
    return Route(None, None, "none", reason)


def load_reach(session: Session, owner_ids: Iterable[int]) -> dict[int, Reach]:
    """Owners and their bound identities, two queries per chunk of ids."""
    ids = list(owner_ids)
    found: dict[int, Reach] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        idents: dict[int, list[Identity]] = {}
        rows = session.execute(
            select(ChannelIdentity.owner_id, ChannelIdentity.id, ChannelIdentity.channel, ChannelIdentity.external_id,
                   ChannelIdentity.last_inbound_at, ChannelIdentity.marketing_opt_out_at, ChannelIdentity.blocked_at,
                   ChannelIdentity.window_kind, ChannelIdentity.window_opened_at, ChannelIdentity.window_sent)
            .where(ChannelIdentity.owner_id.in_(chunk)))
        for owner_id, ident_id, channel, ext, last_in, opt_out, blocked, w_kind, w_at, w_sent in rows:
            if owner_id is None:  # excluded by the query; here for the type checker
                continue
            idents.setdefault(owner_id, []).append(Identity(ident_id, channel, ext, last_in, opt_out is not None,
                                                            blocked is not None, w_kind, w_at, w_sent or 0))
        owners = list(session.execute(select(Owner.id, Owner.phone, Owner.language, Owner.marketing_consent,
                                             Owner.deleted_at).where(Owner.id.in_(chunk))))
        phones = [e164(phone) for _oid, phone, *_rest in owners if phone]
        stopped = set(session.scalars(select(ChannelIdentity.external_id).where(
            ChannelIdentity.channel == "sms", ChannelIdentity.external_id.in_(phones),
            ChannelIdentity.blocked_at.is_not(None)))) if phones else set()
        for oid, phone, lang, consent, deleted in owners:
            found[oid] = Reach(oid, phone or "", lang or "zh", bool(consent), deleted is not None,
                               tuple(idents.get(oid, ())), phone_blocked=bool(phone) and e164(phone) in stopped)
    return found


def insert_ignore(session: Session, table: FromClause, rows: Sequence[dict[str, Any]]) -> None:
    """``INSERT ... ON CONFLICT DO NOTHING`` of many rows (PostgreSQL or SQLite)."""
    if not rows:
        return
    dialect = postgresql if is_postgres(session) else sqlite
    session.execute(dialect.insert(cast(Table, table)).on_conflict_do_nothing(), list(rows))


def insert_new_outbox(session: Session, rows: list[dict[str, Any]]) -> int:
    """Queue outbox rows whose ``dedupe_key`` is not there yet; returns how many were new."""
    if not rows:
        return 0
    keys = [r["dedupe_key"] for r in rows]
    have = set(session.scalars(select(Outbox.dedupe_key).where(Outbox.dedupe_key.in_(keys))))
    fresh = [r for r in rows if r["dedupe_key"] not in have]
    insert_ignore(session, Outbox.__table__, fresh)
    return len(fresh)


# WeChat category-template field types (the key without its number) -> longest value the platform takes
FIELD_LIMITS: dict[str, int] = {"thing": 20, "character_string": 32, "number": 32, "letter": 32, "phrase": 5,
                                "time": 40, "date": 40, "amount": 32, "phone_number": 17, "car_number": 8,
                                "name": 10, "const": 20}


def fit_field(key: str, value: str) -> str:
    """A template value cut to what its field type accepts (else the send is refused with 47003).

    ``thing`` keeps 19 characters and an ellipsis; ``character_string`` keeps printable ASCII only (no
    Chinese); a key without a known type prefix is cut to 20 characters.
    """
    kind = key.rstrip("0123456789")
    limit = FIELD_LIMITS.get(kind, 20)
    if kind in ("character_string", "letter", "number", "phone_number"):
        value = "".join(ch for ch in value if "!" <= ch <= "~")
    return value if len(value) <= limit else (value[:limit - 1] + "…" if kind == "thing" else value[:limit])


def template_data(template: str | None, params: Mapping[str, Any]) -> dict[str, str]:
    """WeChat template fields for a notice kind, laid out by ``config/proactive.yml`` only, each cut to fit.

    Args:
        template: The notice kind (``service_notice``, ``progress_update``...).
        params: Values for the ``{placeholders}`` of the configured layout; missing ones are blank.

    Returns:
        ``{field key: value}``; empty when the kind has no configured layout.
    """
    fields = (proactive_config().get("wechat_template_data") or {}).get(template or "", {}) or {}
    return {k: fit_field(k, str(v).format_map(_Blank(params))) for k, v in fields.items()}


@dataclass(frozen=True)
class Job:
    """One owner's notice: ``build(lang)`` gives the content."""

    kind: str
    ref_id: int
    owner_id: int
    build: Callable[[str], Notice]
    marketing: bool = False


@dataclass
class Queued:
    """Counts of one queueing call."""

    queued: int = 0
    skipped: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


def queue_jobs(session: Session, jobs: Sequence[Job], *, now: datetime, policy: Policy,
               reach: Mapping[int, Reach] | None = None, purpose: str = "notice",
               priority: Priority = Priority.BULK) -> Queued:
    """Route and queue ``jobs`` (one outbox row each, or a skipped delivery with its reason)."""
    reach = reach if reach is not None else load_reach(session, {j.owner_id for j in jobs})
    out_rows: list[dict[str, Any]] = []
    deliveries: list[dict[str, Any]] = []
    result = Queued()
    for job in jobs:
        who = reach.get(job.owner_id)
        lang = who.language if who else "zh"
        notice = job.build(lang)
        route = (choose(who, now=now, policy=policy, template=notice.template, marketing=job.marketing)
                 if who else Route(None, None, "none", "owner_missing"))
        key = f"{job.kind}:{job.ref_id}:{job.owner_id}" if route.channel else None
        deliveries.append({"kind": job.kind, "ref_id": job.ref_id, "owner_id": job.owner_id, "channel": route.channel,
                           "route": route.route, "dedupe_key": key, "status": "queued" if key else "skipped",
                           "reason": route.reason, "created_at": now})
        if key is None:
            result.skipped += 1
            result.reasons[route.reason or "?"] = result.reasons.get(route.reason or "?", 0) + 1
            continue
        text = notice.text + (render("marketing_footer", lang) if job.marketing else "")
        payload: dict[str, Any] = {"text": text}
        if route.route == "template":
            payload["template_id"] = policy.template_for(notice.template)
            payload["template_data"] = notice.template_data
        if notice.image_url and route.route != "template":
            payload["image_url"] = notice.image_url
        if notice.quick_replies:
            payload["quick_replies"] = list(notice.quick_replies)
        out_rows.append({"channel": route.channel, "recipient": route.recipient, "owner_id": job.owner_id,
                         "purpose": "marketing" if job.marketing else purpose, "priority": int(priority),
                         "payload": payload, "status": "queued", "attempts": 0, "next_attempt_at": now,
                         "dedupe_key": key, "created_at": now})
        result.queued += 1
    insert_ignore(session, Outbox.__table__, out_rows)
    insert_ignore(session, NoticeDelivery.__table__, deliveries)
    return result


def send_one(session: Session, owner_id: int, notice: Notice, *, kind: str, ref_id: int, now: datetime,
             policy: Policy, purpose: str = "notice", marketing: bool = False) -> Route:
    """Route and queue a single notice to one owner (idempotent per ``kind``/``ref_id``/owner)."""
    reach = load_reach(session, [owner_id])
    job = Job(kind, ref_id, owner_id, lambda _lang: notice, marketing)
    queue_jobs(session, [job], now=now, policy=policy, reach=reach, purpose=purpose, priority=Priority.REPLY)
    who = reach.get(owner_id)
    if who is None:
        return Route(None, None, "none", "owner_missing")
    return choose(who, now=now, policy=policy, template=notice.template, marketing=marketing)


# ------------------------------------------------------------------- platform state of identities
WINDOW_MESSAGE_KINDS = frozenset({"text", "image", "voice", "video", "location", "link", "file", "contact",
                                  "unsupported"})
WINDOW_EVENTS = frozenset({"subscribe", "scan"})


def _identity(session: Session, channel: str, external_id: str, now: datetime) -> ChannelIdentity:
    dialect = postgresql if is_postgres(session) else sqlite
    session.execute(dialect.insert(ChannelIdentity).values(channel=channel, external_id=external_id, created_at=now,
                                                           window_sent=0).on_conflict_do_nothing())
    return session.scalars(select(ChannelIdentity).where(ChannelIdentity.channel == channel,
                                                         ChannelIdentity.external_id == external_id)).one()


def note_inbound(session: Session, *, channel: str, external_id: str, kind: str, event: str | None,
                 now: datetime, traits: ChannelTraits) -> None:
    """Record what one accepted inbound message means for reaching its sender later.

    An owner message opens the full reply window (and resets its quota); a follow, QR scan or menu
    click the short one (never shortening an open full window); ``unsubscribe``/``blocked`` mark the
    identity unreachable and ``subscribe``/``unblocked`` reachable again.
    """
    ident = _identity(session, channel, external_id, now)
    if event in ("unsubscribe", "blocked"):
        ident.blocked_at, ident.blocked_reason = now, f"{channel}_{event}"[:32]
        ident.window_kind, ident.window_opened_at = None, None
        return
    if event in ("subscribe", "unblocked"):
        ident.blocked_at, ident.blocked_reason = None, None
    if traits.reply_window is None:
        return
    if kind in WINDOW_MESSAGE_KINDS:
        ident.window_kind, ident.window_opened_at, ident.window_sent = "message", now, 0
    elif kind == "button" or (kind == "event" and event in WINDOW_EVENTS):
        if not (ident.window_kind == "message" and window_open(ident, traits, now)):
            ident.window_kind, ident.window_opened_at, ident.window_sent = "event", now, 0


def platform_consent(session: Session, *, channel: str, external_id: str, action: str, keyword: str,
                     now: datetime, proves_phone: bool) -> int | None:
    """A platform-level opt-out/in (SMS STOP/START): block or unblock the identity, record it for its owner.

    Twilio refuses every later message to a number that texted STOP (21610) until START, so the SMS
    identity is marked blocked and routing stops choosing SMS for the owner whose registered phone it
    is (service notices, codes and pages go to their other channels).

    Args:
        session: The webhook's transaction.
        channel: The channel (``sms``).
        external_id: The sender (E.164 phone for SMS).
        action: ``"stop"`` or ``"start"``.
        keyword: The word the owner sent (kept as the consent's source).
        now: The current time.
        proves_phone: The sender id is a phone: find the owner by registered phone too.

    Returns:
        The owner it is recorded against, if known.
    """
    ident = _identity(session, channel, external_id, now)
    owner_id = ident.owner_id
    if owner_id is None and proves_phone:
        phones = {normalise_phone(external_id), external_id}
        owner_id = session.scalar(select(Owner.id).where(Owner.phone.in_(phones), Owner.deleted_at.is_(None))
                                  .limit(1))
    if action == "stop":
        ident.blocked_at, ident.blocked_reason = now, "sms_stop"
    else:
        ident.blocked_at, ident.blocked_reason = None, None
    session.add(ConsentEvent(owner_id=owner_id, channel=channel, action="opt_out" if action == "stop" else "opt_in",
                             source=f"{channel}_keyword:{keyword[:40]}", actor="owner",
                             detail={"scope": f"all_{channel}"}, at=now))
    return owner_id


# ------------------------------------------------------------------------------ refused sends
REFUSAL_ROUTE = {"window_closed": "custom", "quota_used": "custom", "unsubscribed": None, "opted_out": None,
                 "blocked": None}


def reroute(session: Session, row_id: int, reason: str, *, now: datetime, policy: Policy) -> Outbox | None:
    """A platform refused a send for a reason about the recipient: try the owner's next route.

    ``window_closed``/``quota_used`` (WeChat 45015/45047) close the window until the owner writes
    again; ``unsubscribed``/``opted_out``/``blocked`` mark the identity unreachable. The refused row
    becomes ``rerouted`` (kept, with the reason) and a copy goes out on the next route, a template, SMS
    or another channel. With none left the row is dead and a console alert asks staff to reach the owner.

    Returns:
        The new outbox row, or None when nothing else can reach the recipient.
    """
    row = session.get(Outbox, row_id)
    if row is None:
        return None
    ident = session.scalars(select(ChannelIdentity).where(ChannelIdentity.channel == row.channel,
                                                          ChannelIdentity.external_id == row.recipient)).first()
    if row.channel == "sms" and ident is None:
        ident = _identity(session, "sms", row.recipient, now)
    if ident is not None:
        if reason in ("window_closed", "quota_used"):
            ident.window_sent = 10**6 if reason == "quota_used" else ident.window_sent
            if reason == "window_closed":
                ident.window_kind, ident.window_opened_at = None, None
        else:
            ident.blocked_at, ident.blocked_reason = now, f"{row.channel}_{reason}"[:32]
    payload: dict[str, Any] = dict(row.payload or {})
    tried = {tuple(pair) for pair in payload.get("_refused", [])}
    tried.add((row.channel, "template" if payload.get("template_id") else
               ("custom" if policy.traits_of(row.channel).reply_window else row.channel)))
    new: Outbox | None = None
    if row.owner_id is not None:
        session.flush()
        reach = load_reach(session, [row.owner_id]).get(row.owner_id)
        template = payload.get("template_kind") or "service_notice"
        route = (choose(reach, now=now, policy=policy, template=template, exclude=frozenset(tried))
                 if reach else Route(None, None, "none", "owner_missing"))
        if route.channel is not None and route.recipient is not None:
            fresh = {k: v for k, v in payload.items() if k not in ("template_id", "template_data")}
            fresh["_refused"] = sorted(tried)
            if route.route == "template":
                fresh["template_id"] = policy.template_for(template)
                fresh["template_data"] = template_data(template, {"title": payload.get("text", ""),
                                                                  "date": now.strftime("%Y-%m-%d %H:%M")})
            new = Outbox(channel=route.channel, recipient=route.recipient, owner_id=row.owner_id,
                         staff_id=row.staff_id, ticket_id=row.ticket_id, purpose=row.purpose, priority=row.priority,
                         payload=fresh, status=OutboxStatus.QUEUED, attempts=0, next_attempt_at=now,
                         dedupe_key=f"{row.dedupe_key}:r{len(tried)}"[:160] if row.dedupe_key else None,
                         created_at=now)
            session.add(new)
    row.status = OutboxStatus.REROUTED if new is not None else OutboxStatus.DEAD
    row.last_error = f"{reason}: {row.last_error or ''}"[:2000]
    if new is None and row.owner_id is not None:
        conv = _conversation_of(session, ident)
        alert = {"kind": "unreachable", "conversation_id": conv, "ticket_id": row.ticket_id, "since": now,
                 "created_at": now}
        insert_ignore(session, ConsoleAlert.__table__, [alert])
    session.flush()
    return new


def _conversation_of(session: Session, ident: ChannelIdentity | None) -> int | None:
    if ident is None:
        return None
    return session.scalar(select(Conversation.id).where(Conversation.identity_id == ident.id))
