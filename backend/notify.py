"""Routing notices to owners, and fanning one notice out to many owners, idempotently.

Channel choice per owner (docs/protocols.md, docs/domain.md §5/§7): a WeChat customer-service message inside the
48 h window after the owner's last message; Telegram where the owner uses it; a WeChat template message
outside the window (when a template is configured); SMS to the registered phone as the fallback; else
the owner is skipped with a reason. Marketing goes only to owners with consent, never to a channel the
owner opted out of. Rows are written with ``ON CONFLICT DO NOTHING`` on ``outbox.dedupe_key`` and on
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
from backend.models import ChannelIdentity, NoticeDelivery, Outbox, Owner
from backend.outbox import Priority
from backend.phones import e164

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
class Policy:
    """What the deployment can send: enabled channels, configured WeChat templates, the 48 h window."""

    enabled: frozenset[str]
    template_ids: Mapping[str, str] = field(default_factory=dict)
    window: timedelta = timedelta(hours=48)

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


@dataclass(frozen=True)
class Reach:
    """How an owner can be reached."""

    owner_id: int
    phone: str
    language: str
    marketing_consent: bool
    deleted: bool
    identities: tuple[Identity, ...] = ()


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
           marketing: bool = False, prefer_identity: int | None = None) -> Route:
    """Pick the channel for one owner (see the module docstring); ``prefer_identity`` goes first if usable."""
    if reach.deleted:
        return Route(None, None, "none", "owner_deleted")
    if marketing and not reach.marketing_consent:
        return Route(None, None, "none", "no_marketing_consent")
    ids = [i for i in reach.identities if i.channel in policy.enabled]
    opted_out = False
    if marketing:
        opted_out = any(i.opted_out for i in ids)
        ids = [i for i in ids if not i.opted_out]
    ids.sort(key=lambda i: (i.id != prefer_identity, -(i.last_inbound_at.timestamp() if i.last_inbound_at else 0)))
    for ident in ids:
        if ident.channel == "wechat" and ident.last_inbound_at and now - ident.last_inbound_at < policy.window:
            return Route("wechat", ident.external_id, "custom", identity_id=ident.id)
        if ident.channel in ("telegram", "terminal"):
            return Route(ident.channel, ident.external_id, ident.channel, identity_id=ident.id)
    tpl = policy.template_for(template)
    for ident in ids:
        if ident.channel == "wechat" and tpl:
            return Route("wechat", ident.external_id, "template", identity_id=ident.id)
    sms_out = marketing and any(i.channel == "sms" and i.opted_out for i in reach.identities)
    if "sms" in policy.enabled and reach.phone and not sms_out:
        sms_id = next((i.id for i in ids if i.channel == "sms"), None)
        return Route("sms", e164(reach.phone), "sms", identity_id=sms_id)
    return Route(None, None, "none", "opted_out" if opted_out or sms_out else "no_channel")


def load_reach(session: Session, owner_ids: Iterable[int]) -> dict[int, Reach]:
    """Owners and their bound identities, two queries per chunk of ids."""
    ids = list(owner_ids)
    found: dict[int, Reach] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        idents: dict[int, list[Identity]] = {}
        rows = session.execute(
            select(ChannelIdentity.owner_id, ChannelIdentity.id, ChannelIdentity.channel, ChannelIdentity.external_id,
                   ChannelIdentity.last_inbound_at, ChannelIdentity.marketing_opt_out_at)
            .where(ChannelIdentity.owner_id.in_(chunk)))
        for owner_id, ident_id, channel, ext, last_in, opt_out in rows:
            if owner_id is None:  # excluded by the query; here for the type checker
                continue
            idents.setdefault(owner_id, []).append(Identity(ident_id, channel, ext, last_in, opt_out is not None))
        owners = session.execute(select(Owner.id, Owner.phone, Owner.language, Owner.marketing_consent,
                                        Owner.deleted_at).where(Owner.id.in_(chunk)))
        for oid, phone, lang, consent, deleted in owners:
            found[oid] = Reach(oid, phone or "", lang or "zh", bool(consent), deleted is not None,
                               tuple(idents.get(oid, ())))
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


def template_data(template: str | None, params: Mapping[str, Any]) -> dict[str, str]:
    """WeChat template fields for a notice kind from ``config/proactive.yml`` (values cut to 20 chars)."""
    fields = (proactive_config().get("wechat_template_data") or {}).get(template or "", {}) or {}
    return {k: str(v).format_map(_Blank(params))[:20] for k, v in fields.items()}


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
