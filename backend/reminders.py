"""Warranty: granting items on every handover path, expiry reminders (S23), maintenance campaigns (S22).

- :func:`grant_all_missing` gives every handed-over unit without warranty items its catalogue items
  (demo load, CSV import, API, or the hourly sweep as a safety net).
- :func:`remind_due` claims items whose ``remind_at`` (expiry minus one month, 10:00 local) has come and
  sends each owner ONE message per unit and expiry date listing the items, inviting a self-check and a
  repair report (a reply goes straight into a repair intake).
- Campaigns are scheduled per project and announced to the owners of its handed-over units.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from backend import warranty
from backend.db import is_postgres
from backend.models import (
    Building,
    Kind,
    MaintenanceCampaign,
    NoticeDelivery,
    Owner,
    Ownership,
    Project,
    Ticket,
    TicketEvent,
    Unit,
    WarrantyItem,
)
from backend.notify import Job, Notice, Policy, proactive_config, queue_jobs, render, template_data
from backend.tickets import OPEN_STATUSES, RuleViolation, ServiceRules, add_event, book_visit, create_ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")


def grant_all_missing(session: Session, *, tz: ZoneInfo = SHANGHAI, limit: int | None = None) -> int:
    """Grant warranty items to every handed-over unit that has none yet; returns items added.

    The earliest handover of a unit counts. Idempotent: call it after any change of handover dates.
    """
    has_items = select(WarrantyItem.id).where(WarrantyItem.unit_id == Ownership.unit_id).exists()
    stmt = (select(Ownership).where(Ownership.handover_on.is_not(None), ~has_items)
            .order_by(Ownership.unit_id, Ownership.handover_on))
    if limit:
        stmt = stmt.limit(limit)
    added, seen = 0, set()
    cat = warranty.load_catalogue()
    for ownership in session.scalars(stmt):
        if ownership.unit_id in seen:
            continue
        seen.add(ownership.unit_id)
        added += warranty.grant(session, ownership, tz=tz, cat=cat)
    return added


def _unit_labels(session: Session, unit_ids: set[int], lang: str = "zh") -> dict[int, str]:
    rows = session.execute(
        select(Unit.id, Project.name, Project.name_en, Building.number, Unit.entrance, Unit.room)
        .join(Building, Building.id == Unit.building_id).join(Project, Project.id == Building.project_id)
        .where(Unit.id.in_(unit_ids)))
    return {uid: f"{name} {num}栋{ent}单元{room}" for uid, name, _en, num, ent, room in rows}


def remind_due(session: Session, *, now: datetime, tz: ZoneInfo, policy: Policy, limit: int | None = None) -> int:
    """Send due warranty reminders (one per unit, expiry date and owner); returns items handled.

    Items whose warranty already ended (a late start) are marked without a message. The caller commits.
    """
    limit = limit or int((proactive_config().get("warranty") or {}).get("sweep_batch", 2000))
    stmt = (select(WarrantyItem.id, WarrantyItem.unit_id, WarrantyItem.expires_on, WarrantyItem.name_zh,
                   WarrantyItem.name_en)
            .where(WarrantyItem.reminded_at.is_(None), WarrantyItem.remind_at <= now)
            .order_by(WarrantyItem.remind_at, WarrantyItem.id).limit(limit))
    if is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
    items = session.execute(stmt).all()
    if not items:
        return 0
    today = now.astimezone(tz).date()
    groups: dict[tuple[int, date], list[tuple[int, str, str]]] = defaultdict(list)
    for item_id, unit_id, expires_on, zh, en in items:
        if expires_on is not None and expires_on >= today:
            groups[(unit_id, expires_on)].append((item_id, zh, en))
    owners: dict[int, list[int]] = defaultdict(list)
    unit_ids = {u for u, _ in groups}
    for start in range(0, len(unit_ids), 2000):
        chunk = list(unit_ids)[start:start + 2000]
        for unit_id, owner_id in session.execute(
                select(Ownership.unit_id, Ownership.owner_id).join(Owner, Owner.id == Ownership.owner_id)
                .where(Ownership.unit_id.in_(chunk), Ownership.handover_on.is_not(None),
                       Owner.deleted_at.is_(None))):
            owners[unit_id].append(owner_id)
    labels = _unit_labels(session, unit_ids) if unit_ids else {}
    jobs: list[Job] = []
    refs = {min(i for i, _, _ in group) for group in groups.values()}
    sent_before = set(session.execute(  # a reminder re-armed by a corrected handover date (warranty.redate)
        select(NoticeDelivery.ref_id, NoticeDelivery.owner_id)
        .where(NoticeDelivery.kind == "warranty", NoticeDelivery.ref_id.in_(refs)))) if refs else set()
    for (unit_id, ends), group in groups.items():
        ref = min(i for i, _, _ in group)
        build = _reminder_builder(labels.get(unit_id, ""), ends, group)
        for owner_id in owners.get(unit_id, ()):
            kind = f"wfix{ends:%y%m%d}" if (ref, owner_id) in sent_before else "warranty"
            jobs.append(Job(kind, ref, owner_id, build))
    queue_jobs(session, jobs, now=now, policy=policy)
    ids = [row[0] for row in items]
    for start in range(0, len(ids), 2000):
        session.execute(update(WarrantyItem).where(WarrantyItem.id.in_(ids[start:start + 2000]))
                        .values(reminded_at=now))
    return len(items)


def _reminder_builder(unit: str, ends: date, group: list[tuple[int, str, str]]) -> Callable[[str], Notice]:
    def build(lang: str) -> Notice:
        names = [en if lang == "en" else zh for _, zh, en in group]
        lines = "\n".join(render("warranty_reminder_line", lang, name=n) for n in names)
        params = {"unit": unit, "date": ends.isoformat(), "items": "、".join(names)}
        return Notice(text=render("warranty_reminder", lang, unit=unit, date=ends.isoformat(), items=lines),
                      template="warranty_reminder", template_data=template_data("warranty_reminder", params))
    return build


def pending_reminders(session: Session, unit_id: int) -> list[WarrantyItem]:
    """A unit's items still to be reminded, soonest first (for the console and tests)."""
    stmt = (select(WarrantyItem).where(WarrantyItem.unit_id == unit_id, WarrantyItem.reminded_at.is_(None),
                                       WarrantyItem.remind_at.is_not(None)).order_by(WarrantyItem.remind_at))
    return list(session.scalars(stmt))


# --- maintenance campaigns ------------------------------------------------------------------------


def create_campaign(session: Session, *, project_id: int, kind: str, starts_on: date, ends_on: date,
                    notify_at: datetime, now: datetime, title: str = "", title_en: str = "", body: str = "",
                    body_en: str = "", created_by_id: int | None = None) -> MaintenanceCampaign:
    """Schedule a campaign; the title defaults to the kind's name in ``config/proactive.yml``."""
    kinds = proactive_config().get("campaigns") or {}
    if kind not in kinds:
        raise ValueError(f"unknown campaign kind {kind!r}; one of {sorted(kinds)}")
    if ends_on < starts_on:
        raise ValueError("ends_on before starts_on")
    campaign = MaintenanceCampaign(project_id=project_id, kind=kind, title=title or kinds[kind]["zh"],
                                   title_en=title_en or kinds[kind]["en"], body=body, body_en=body_en,
                                   starts_on=starts_on, ends_on=ends_on, notify_at=notify_at,
                                   created_by_id=created_by_id, created_at=now)
    session.add(campaign)
    session.flush()
    return campaign


def campaign_audience(session: Session, campaign: MaintenanceCampaign, today: date) -> list[int]:
    """Owners of the project's handed-over units (with the campaign's warranty item still running)."""
    code = ((proactive_config().get("campaigns") or {}).get(campaign.kind) or {}).get("warranty_code")
    stmt = (select(Ownership.owner_id).join(Unit, Unit.id == Ownership.unit_id)
            .join(Building, Building.id == Unit.building_id).join(Owner, Owner.id == Ownership.owner_id)
            .where(Building.project_id == campaign.project_id, Ownership.handover_on <= today,
                   Owner.deleted_at.is_(None)).distinct().order_by(Ownership.owner_id))
    if code:
        running = select(WarrantyItem.id).where(
            WarrantyItem.unit_id == Ownership.unit_id, WarrantyItem.code == code,
            (WarrantyItem.expires_on.is_(None)) | (WarrantyItem.expires_on >= campaign.starts_on)).exists()
        stmt = stmt.where(running)
    return list(session.scalars(stmt))


def notify_campaigns(session: Session, *, now: datetime, tz: ZoneInfo, policy: Policy, limit: int = 5) -> int:
    """Announce campaigns whose ``notify_at`` has come (claimed like progress updates); returns owners queued."""
    stmt = (select(MaintenanceCampaign).where(MaintenanceCampaign.notify_at <= now,
                                              MaintenanceCampaign.notified_at.is_(None))
            .order_by(MaintenanceCampaign.notify_at).limit(limit))
    if is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
    total = 0
    for campaign in session.scalars(stmt).all():
        project = session.get(Project, campaign.project_id)
        assert project is not None

        def build(lang: str, c: MaintenanceCampaign = campaign, p: Project = project) -> Notice:
            en = lang == "en"
            params = {"project": p.name_en if en and p.name_en else p.name,
                      "title": c.title_en if en and c.title_en else c.title,
                      "text": c.body_en if en and c.body_en else c.body,
                      "start": c.starts_on.isoformat(), "end": c.ends_on.isoformat(), "date": c.starts_on.isoformat()}
            return Notice(render("campaign_notice", lang, **params), template="maintenance_campaign",
                          template_data=template_data("maintenance_campaign", params))

        owner_ids = campaign_audience(session, campaign, now.astimezone(tz).date())
        jobs = [Job("campaign", campaign.id, oid, build) for oid in owner_ids]
        total += queue_jobs(session, jobs, now=now, policy=policy).queued
        campaign.notified_at = now
    session.flush()
    return total


def items_count(session: Session) -> int:
    """All warranty items (benchmarks)."""
    return session.scalar(select(func.count()).select_from(WarrantyItem)) or 0


# --- preview (operators see what will go out, nothing is sent) -------------------------------------


@dataclass(frozen=True)
class PreviewRow:
    """One warranty reminder that will go out: a unit, an expiry date, its items and owners."""

    remind_at: datetime
    unit_id: int
    unit: str
    expires_on: date
    items_zh: tuple[str, ...]
    items_en: tuple[str, ...]
    owners: int
    overdue: bool  # its time has passed but no sweep has sent it yet


def preview(session: Session, *, now: datetime, days: int, tz: ZoneInfo = SHANGHAI,
            project_id: int | None = None) -> list[PreviewRow]:
    """Warranty reminders due within ``days`` (and any overdue ones), grouped as :func:`remind_due` sends them.

    Read-only: nothing is claimed, marked or queued. Items already expired (which the sweep marks silently)
    are left out.
    """
    until = now + timedelta(days=days)
    today = now.astimezone(tz).date()
    stmt = (select(WarrantyItem).where(WarrantyItem.reminded_at.is_(None), WarrantyItem.remind_at.is_not(None),
                                       WarrantyItem.remind_at <= until, WarrantyItem.expires_on >= today)
            .order_by(WarrantyItem.remind_at, WarrantyItem.unit_id, WarrantyItem.id))
    if project_id is not None:
        stmt = stmt.join(Unit, Unit.id == WarrantyItem.unit_id).join(Building, Building.id == Unit.building_id) \
            .where(Building.project_id == project_id)
    groups: dict[tuple[int, date], list[WarrantyItem]] = defaultdict(list)
    for item in session.scalars(stmt):
        assert item.expires_on is not None
        groups[(item.unit_id, item.expires_on)].append(item)
    unit_ids = {u for u, _ in groups}
    labels = _unit_labels(session, unit_ids) if unit_ids else {}
    owners: dict[int, int] = defaultdict(int)
    if unit_ids:
        for unit_id, n in session.execute(
                select(Ownership.unit_id, func.count()).join(Owner, Owner.id == Ownership.owner_id)
                .where(Ownership.unit_id.in_(unit_ids), Ownership.handover_on.is_not(None),
                       Owner.deleted_at.is_(None)).group_by(Ownership.unit_id)):
            owners[unit_id] = n
    rows = []
    for (unit_id, ends), items in groups.items():
        at = min(i.remind_at for i in items if i.remind_at is not None)
        rows.append(PreviewRow(at, unit_id, labels.get(unit_id, ""), ends, tuple(i.name_zh for i in items),
                               tuple(i.name_en for i in items), owners.get(unit_id, 0), at <= now))
    return sorted(rows, key=lambda r: (r.remind_at, r.unit_id, r.expires_on))


# --- campaign bookings (S22: the owner replies to book the free maintenance visit) ------------------

CAMPAIGN_CATEGORY = {"windows": "door_window", "entrance_doors": "door_window", "fire_doors": "door_window"}


def campaign_ticket(session: Session, campaign: MaintenanceCampaign, owner_id: int) -> Ticket | None:
    """The owner's booking ticket for this campaign, if they already have one."""
    stmt = (select(Ticket).join(TicketEvent, TicketEvent.ticket_id == Ticket.id)
            .where(Ticket.owner_id == owner_id, TicketEvent.kind == "campaign_booking")
            .order_by(Ticket.id.desc()))
    for ticket in session.scalars(stmt):
        if any(e.kind == "campaign_booking" and e.data.get("campaign_id") == campaign.id for e in ticket.events):
            return ticket
    return None


def book_campaign_visit(session: Session, campaign_id: int, owner_id: int, *, now: datetime, rules: ServiceRules,
                        tz: ZoneInfo = SHANGHAI, start: datetime | None = None, end: datetime | None = None,
                        text: str = "", conversation_id: int | None = None) -> Ticket:
    """An owner answered a campaign notice to book the free visit: a repair ticket for the unit (one per
    owner and campaign), and, when a window is given, the booked visit (``actor`` owner, source campaign).

    Raises :class:`~backend.tickets.RuleViolation` when the campaign is over, or the owner has no
    handed-over unit in the campaign's project; a window outside the campaign dates is refused too.
    """
    campaign = session.get(MaintenanceCampaign, campaign_id)
    if campaign is None:
        raise RuleViolation(f"no campaign {campaign_id}")
    today = now.astimezone(tz).date()
    if today > campaign.ends_on:
        raise RuleViolation("the campaign is over")
    if start is not None and end is not None:
        days = (start.astimezone(tz).date(), end.astimezone(tz).date())
        if days[0] < campaign.starts_on or days[1] > campaign.ends_on:
            raise RuleViolation("the visit must fall within the campaign dates")
    unit_id = session.scalar(
        select(Ownership.unit_id).join(Unit, Unit.id == Ownership.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .where(Ownership.owner_id == owner_id, Building.project_id == campaign.project_id,
               Ownership.handover_on.is_not(None), Ownership.handover_on <= today).order_by(Ownership.unit_id).limit(1))
    if unit_id is None:
        raise RuleViolation("the owner has no handed-over unit in the campaign's project")
    ticket = campaign_ticket(session, campaign, owner_id)
    if ticket is None or ticket.status not in OPEN_STATUSES:
        # No category: planned maintenance is not a repeat of an earlier repair and never escalates.
        ticket = create_ticket(session, kind=Kind.REPAIR, now=now, rules=rules, owner_id=owner_id, unit_id=unit_id,
                               description=f"{campaign.title}（保养预约 / campaign booking）{text}".strip(),
                               conversation_id=conversation_id, actor="owner")
        add_event(session, ticket, "campaign_booking", at=now, actor="owner", campaign_id=campaign.id,
                  campaign=campaign.title, campaign_kind=campaign.kind,
                  category=CAMPAIGN_CATEGORY.get(campaign.kind, "other"), text=text)
    if start is not None and end is not None:
        book_visit(session, ticket, start, end, now=now, actor="owner", source=f"campaign:{campaign.id}")
        # The planned visit is the arrangement S4 asks for: no engineer call is owed any more.
        ticket.engineer_contact_due_at = None
    return ticket
