"""Construction-progress updates (楼盘进度通报, S17): write, preview, publish now or later, fan out, report.

An update goes to every buyer of the project who has signed and not yet taken handover. Publishing
only sets ``publish_at``; the sweep :func:`publish_due` claims due updates (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL) and fans each out in one transaction, in batches of owner ids, through
:func:`backend.notify.queue_jobs` (``ON CONFLICT DO NOTHING``): a crash rolls the whole fan-out back,
and a re-run cannot double it. Delivery (rate limits) is the worker's; quiet hours apply at claim.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from backend.db import is_postgres
from backend.models import (
    Building,
    Kind,
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


PAST_TOLERANCE = timedelta(minutes=5)
EDITABLE = ("title", "body", "title_en", "body_en", "photo_url", "stage", "percent")


def schedule(update: ProgressUpdate, at: datetime, *, now: datetime | None = None) -> ProgressUpdate:
    """Publish at ``at`` (pass now to publish at the next sweep); refused once published.

    With ``now``, a time more than a few minutes in the past is refused (a typo would otherwise send at once).
    """
    if update.published_at is not None:
        raise ValueError("already published")
    if now is not None and at < now - PAST_TOLERANCE:
        raise ValueError("the publish time is in the past: give a future time, or publish now")
    update.publish_at = at
    return update


def edit_update(update: ProgressUpdate, **fields: Any) -> ProgressUpdate:
    """Change a draft or scheduled update (title, body, photo, stage, percent); refused once published."""
    if update.published_at is not None:
        raise ValueError("already published: publish a correction instead")
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"cannot edit {sorted(unknown)}")
    if "percent" in fields and not 0 <= int(fields["percent"]) <= 100:
        raise ValueError("percent must be 0-100")
    for name, value in fields.items():
        setattr(update, name, value)
    return update


def cancel_update(update: ProgressUpdate) -> ProgressUpdate:
    """Take a scheduled update back to draft (nothing is sent); refused once published."""
    if update.published_at is not None:
        raise ValueError("already published")
    update.publish_at = None
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


# --- S24: prompt buyers who have not taken handover (对未收房的及时通知业主收房) ------------------------

HANDOVER_STAGES = ("handing_over", "handed_over")


def remind_handover(session: Session, *, now: datetime, tz: ZoneInfo, policy: Policy, every_days: int = 14,
                    max_reminders: int = 3, stages: tuple[str, ...] = HANDOVER_STAGES) -> int:
    """Remind each buyer of a project in handover whose unit is not yet taken over, every ``every_days`` days,
    at most ``max_reminders`` times (dedupe ``handover<n>:<ownership>:<owner>``). Returns messages queued.
    """
    today = now.astimezone(tz).date()
    rows = session.execute(
        select(Ownership.id, Ownership.owner_id, Project.name, Project.name_en, Building.number, Unit.entrance,
               Unit.room)
        .join(Unit, Unit.id == Ownership.unit_id).join(Building, Building.id == Unit.building_id)
        .join(Project, Project.id == Building.project_id).join(Owner, Owner.id == Ownership.owner_id)
        .where(Project.stage.in_(stages), Ownership.handover_on.is_(None), Ownership.signed_on <= today,
               Owner.deleted_at.is_(None))
        .order_by(Ownership.id)).all()
    if not rows:
        return 0
    history: dict[tuple[int, int], tuple[int, datetime | None]] = {}
    for ref, owner_id, n, last_at in session.execute(
            select(NoticeDelivery.ref_id, NoticeDelivery.owner_id, func.count(), func.max(NoticeDelivery.created_at))
            .where(NoticeDelivery.kind.like("handover%"), NoticeDelivery.ref_id.in_([r[0] for r in rows]))
            .group_by(NoticeDelivery.ref_id, NoticeDelivery.owner_id)):
        history[(ref, owner_id)] = (n, last_at)
    jobs = []
    for ownership_id, owner_id, name, name_en, building, entrance, room in rows:
        n, last = history.get((ownership_id, owner_id), (0, None))
        if n >= max_reminders or (last is not None and last > now - timedelta(days=every_days)):
            continue

        label = f"{building}栋{entrance}单元{room}"

        def build(lang: str, p: str = name, pe: str = name_en, unit: str = label) -> Notice:
            project = pe if lang == "en" and pe else p
            return Notice(render("handover_reminder", lang, project=project, unit=unit), template="service_notice",
                          template_data=template_data("service_notice", {"title": project, "date": today.isoformat()}))

        jobs.append(Job(f"handover{n + 1}", ownership_id, owner_id, build))
    return queue_jobs(session, jobs, now=now, policy=policy).queued if jobs else 0


# --- S19: the open day (业主开放日) before handover, its rectification list and follow-up --------------

OPEN_DAY_EVENT = "open_day_issue"


def invite_open_day(session: Session, *, project_id: int, open_day: date, now: datetime, tz: ZoneInfo,
                    policy: Policy) -> int:
    """Invite the project's buyers who have not taken handover to the open day (once per open day)."""
    project = session.get(Project, project_id)
    if project is None:
        raise ValueError(f"no project {project_id}")
    owner_ids = list(session.scalars(audience(project_id, now.astimezone(tz).date())))

    def build(lang: str) -> Notice:
        name = project.name_en if lang == "en" and project.name_en else project.name
        return Notice(render("open_day_invite", lang, project=name, date=open_day.isoformat()),
                      template="service_notice",
                      template_data=template_data("service_notice", {"title": name, "date": open_day.isoformat()}))

    jobs = [Job(f"odi{open_day:%y%m%d}", project_id, oid, build) for oid in owner_ids]
    return queue_jobs(session, jobs, now=now, policy=policy).queued if jobs else 0


def record_open_day_issue(session: Session, *, owner_id: int, unit_id: int, open_day: date, description: str,
                          now: datetime, rules: Any, category: str | None = None, location: str | None = None,
                          actor: str = "staff") -> Any:
    """An issue the owner found at the open day: a repair ticket on the unit's rectification list (整改).

    Refused (:class:`~backend.tickets.RuleViolation`) once the unit is handed over: from then on it is a
    normal warranty repair.
    """
    from backend import tickets

    ownership = session.scalars(select(Ownership).where(Ownership.owner_id == owner_id,
                                                        Ownership.unit_id == unit_id)).first()
    if ownership is None:
        raise tickets.RuleViolation("the owner has not bought this unit")
    if ownership.handover_on is not None and ownership.handover_on <= now.astimezone(rules.calendar.tz).date():
        raise tickets.RuleViolation("the unit is handed over: report a warranty repair instead")
    ticket = tickets.create_ticket(session, kind=Kind.REPAIR, now=now, rules=rules, owner_id=owner_id,
                                   unit_id=unit_id, category=category, location=location,
                                   description=f"开放日整改 / open day: {description}", actor=actor)
    tickets.add_event(session, ticket, OPEN_DAY_EVENT, at=now, actor=actor, open_day=open_day.isoformat())
    return ticket


def rectification_list(session: Session, unit_id: int, open_day: date | None = None) -> list[dict[str, Any]]:
    """The unit's open-day issues with their state: ``rectified`` once the owner confirmed (closed)."""
    from backend.models import Status, Ticket, TicketEvent

    stmt = (select(Ticket, TicketEvent.data).join(TicketEvent, TicketEvent.ticket_id == Ticket.id)
            .where(Ticket.unit_id == unit_id, TicketEvent.kind == OPEN_DAY_EVENT).order_by(Ticket.id))
    out = []
    for ticket, data in session.execute(stmt):
        if open_day is not None and data.get("open_day") != open_day.isoformat():
            continue
        out.append({"ticket": ticket.number, "ticket_id": ticket.id, "description": ticket.description,
                    "status": ticket.status.value, "open_day": data.get("open_day"),
                    "rectified": ticket.status in (Status.CLOSED, Status.CALLBACK_DONE)})
    return out


def open_day_follow_up(session: Session, *, project_id: int, open_day: date, now: datetime, policy: Policy) -> int:
    """Tell each owner where their open-day rectification list stands (once per open day and unit)."""
    from backend.models import Ticket, TicketEvent

    units = session.execute(
        select(Ticket.unit_id, Ticket.owner_id).join(TicketEvent, TicketEvent.ticket_id == Ticket.id)
        .where(Ticket.project_id == project_id, TicketEvent.kind == OPEN_DAY_EVENT,
               Ticket.unit_id.is_not(None), Ticket.owner_id.is_not(None)).distinct()).all()
    jobs = []
    for unit_id, owner_id in units:
        if unit_id is None or owner_id is None:
            continue
        items = rectification_list(session, unit_id, open_day)
        if not items:
            continue
        done = sum(1 for i in items if i["rectified"])

        def build(lang: str, total: int = len(items), done: int = done,
                  numbers: str = "、".join(i["ticket"] for i in items if not i["rectified"])) -> Notice:
            return Notice(render("open_day_follow_up", lang, total=total, done=done, open=numbers or "-",
                                 date=open_day.isoformat()), template="service_notice",
                          template_data=template_data("service_notice", {"title": "open day",
                                                                          "date": open_day.isoformat()}))

        jobs.append(Job(f"odf{open_day:%y%m%d}", unit_id, owner_id, build))
    return queue_jobs(session, jobs, now=now, policy=policy).queued if jobs else 0
