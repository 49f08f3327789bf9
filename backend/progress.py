"""Construction-progress updates (楼盘进度通报, S17): write, preview, publish now or later, fan out, report.

An update goes to every buyer of the project who has signed and not yet taken handover. Publishing
only sets ``publish_at``; the sweep :func:`publish_due` claims due updates (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL) and fans each out in one transaction, in batches of owner ids, through
:func:`backend.notify.queue_jobs` (``ON CONFLICT DO NOTHING``): a crash rolls the whole fan-out back,
and a re-run cannot double it. Delivery (rate limits) is the worker's; quiet hours apply at claim.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from backend.db import is_postgres
from backend.models import (
    Building,
    NoticeDelivery,
    Outbox,
    Owner,
    Ownership,
    ProgressUpdate,
    Project,
    Staff,
    Unit,
)
from backend.notify import (
    Job,
    Notice,
    Policy,
    proactive_config,
    queue_jobs,
    render,
    template_data,
)
from backend.outbox import Priority
from backend.staff_notify import notify_staff

KIND = "progress"
REPORT_STATUSES = ("queued", "sent", "delivered", "failed", "skipped")


def create_update(session: Session, *, project_id: int, title: str, now: datetime, body: str = "",
                  title_en: str = "", body_en: str = "", photo_url: str | None = None, stage: str = "",
                  percent: int = 0, publish_at: datetime | None = None,
                  created_by_id: int | None = None) -> ProgressUpdate:
    """Store a draft (``publish_at`` None) or a scheduled update."""
    if not 0 <= percent <= 100:
        raise ValueError("percent must be 0-100")
    update = ProgressUpdate(project_id=project_id, title=title, body=body, title_en=title_en, body_en=body_en,
                            photo_url=photo_url, stage=stage, percent=percent, publish_at=publish_at,
                            created_by_id=created_by_id, created_at=now)
    session.add(update)
    session.flush()
    return update


def schedule(update: ProgressUpdate, at: datetime) -> ProgressUpdate:
    """Publish at ``at`` (pass now to publish at the next sweep); refused once published."""
    if update.published_at is not None:
        raise ValueError("already published")
    update.publish_at = at
    return update


def notice_for(update: ProgressUpdate, project: Project, lang: str, tz: ZoneInfo) -> Notice:
    """The owner-facing text of ``update`` in ``lang`` (English falls back to the Chinese text)."""
    en = lang == "en"
    title = (update.title_en if en and update.title_en else update.title)
    body = (update.body_en if en and update.body_en else update.body)
    name = project.name_en if en and project.name_en else project.name
    when = (update.publish_at or update.created_at).astimezone(tz).date().isoformat()
    photo = render("progress_photo", lang, url=update.photo_url) if update.photo_url else ""
    params = {"project": name, "title": title, "stage": update.stage or "-", "percent": update.percent,
              "text": body, "photo": photo, "date": when}
    return Notice(text=render("progress_notice", lang, **params), template="progress_update",
                  template_data=template_data("progress_update", params), image_url=update.photo_url)


def preview(session: Session, update: ProgressUpdate, tz: ZoneInfo) -> dict[str, str]:
    """The message as zh and en owners will read it."""
    project = session.get(Project, update.project_id)
    assert project is not None
    return {lang: notice_for(update, project, lang, tz).text for lang in ("zh", "en")}


def audience(project_id: int, today: date) -> Select[int]:
    """Owner ids of the project's buyers who have signed and not yet taken handover."""
    return (
        select(Ownership.owner_id)
        .join(Unit, Unit.id == Ownership.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .join(Owner, Owner.id == Ownership.owner_id)
        .where(Building.project_id == project_id, Owner.deleted_at.is_(None), Ownership.signed_on <= today,
               (Ownership.handover_on.is_(None)) | (Ownership.handover_on > today))
        .distinct()
        .order_by(Ownership.owner_id)
    )


def fan_out(session: Session, update: ProgressUpdate, *, now: datetime, tz: ZoneInfo, policy: Policy,
            batch: int | None = None) -> dict[str, int]:
    """Queue ``update`` for its audience (idempotent); returns queued/skipped counts."""
    batch = batch or int(proactive_config().get("fanout_batch", 2000))
    project = session.get(Project, update.project_id)
    assert project is not None
    cache: dict[str, Notice] = {}

    def build(lang: str) -> Notice:
        if lang not in cache:
            cache[lang] = notice_for(update, project, lang, tz)
        return cache[lang]

    owner_ids = list(session.scalars(audience(update.project_id, now.astimezone(tz).date())))
    totals = {"queued": 0, "skipped": 0}
    for start in range(0, len(owner_ids), batch):
        jobs = [Job(KIND, update.id, oid, build) for oid in owner_ids[start:start + batch]]
        result = queue_jobs(session, jobs, now=now, policy=policy)
        totals["queued"] += result.queued
        totals["skipped"] += result.skipped
    return totals


def publish_due(session: Session, *, now: datetime, tz: ZoneInfo, policy: Policy, limit: int = 5) -> list[int]:
    """Fan out every update whose ``publish_at`` has come; the caller commits. Returns their ids."""
    stmt = (select(ProgressUpdate).where(ProgressUpdate.publish_at <= now, ProgressUpdate.published_at.is_(None))
            .order_by(ProgressUpdate.publish_at, ProgressUpdate.id).limit(limit))
    if is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
    done = []
    for update in session.scalars(stmt).all():
        fan_out(session, update, now=now, tz=tz, policy=policy)
        update.published_at = now
        done.append(update.id)
    session.flush()
    return done


def delivery_report(session: Session, update_id: int, kind: str = KIND) -> dict[str, Any]:
    """Per-update counts: queued, sent, delivered, failed, skipped; skip reasons and channels."""
    status = case(
        (NoticeDelivery.status == "skipped", "skipped"),
        (Outbox.status.in_(("sent", "delivered")), Outbox.status),
        (Outbox.status.in_(("failed", "dead")), "failed"),
        else_="queued",
    )
    rows = session.execute(
        select(status, NoticeDelivery.route, NoticeDelivery.reason, func.count())
        .select_from(NoticeDelivery)
        .outerjoin(Outbox, Outbox.dedupe_key == NoticeDelivery.dedupe_key)
        .where(NoticeDelivery.kind == kind, NoticeDelivery.ref_id == update_id)
        .group_by(status, NoticeDelivery.route, NoticeDelivery.reason)
    ).all()
    report: dict[str, Any] = {"update_id": update_id, "total": 0, **dict.fromkeys(REPORT_STATUSES, 0),
                              "by_route": {}, "skipped_reasons": {}}
    for st, route, reason, n in rows:
        report[st] += n
        report["total"] += n
        report["by_route"][route] = report["by_route"].get(route, 0) + n
        if st == "skipped":
            report["skipped_reasons"][reason or "?"] = report["skipped_reasons"].get(reason or "?", 0) + n
    return report


def projects_missing_update(session: Session, *, now: datetime, tz: ZoneInfo) -> list[Project]:
    """Projects under construction, with buyers awaiting handover, and no update published this month."""
    cfg = proactive_config().get("progress") or {}
    local = now.astimezone(tz)
    month_start = datetime(local.year, local.month, 1, tzinfo=tz)
    published = (select(ProgressUpdate.id).where(ProgressUpdate.project_id == Project.id,
                                                 ProgressUpdate.published_at >= month_start).exists())
    stmt = select(Project).where(Project.stage.in_(cfg.get("project_stages") or ["under_construction"]), ~published)
    return [p for p in session.scalars(stmt.order_by(Project.id))
            if session.scalar(audience(p.id, local.date()).limit(1)) is not None]


def _missing_text(member: Staff, *, project: str, month: str) -> str:
    return render("staff_progress_missing", member.language, project=project, month=month)


def remind_staff_missing(session: Session, *, now: datetime, tz: ZoneInfo, enabled: frozenset[str]) -> int:
    """From the configured day of the month, remind staff once per project and month; returns rows queued."""
    cfg = proactive_config().get("progress") or {}
    local = now.astimezone(tz)
    if local.day < int(cfg.get("reminder_day", 20)):
        return 0
    roles = cfg.get("remind_roles") or ["supervisor", "admin"]
    staff = list(session.scalars(select(Staff).where(Staff.active.is_(True), Staff.role.in_(roles))))
    month = f"{local.year}-{local.month:02d}"
    queued = 0
    for project in projects_missing_update(session, now=now, tz=tz):
        queued += len(notify_staff(
            session, staff, now=now, enabled=enabled, priority=Priority.FOLLOW_UP,
            text=partial(_missing_text, project=project.name, month=month),
            dedupe=f"progress_missing:{project.id}:{month}:{{staff}}"))
    return queued
