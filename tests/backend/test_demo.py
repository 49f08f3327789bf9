"""The demo estate: counts, realism, determinism, refusal on a non-empty database."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend import warranty
from backend.demo import DEMO_OWNER_PHONE, demo_owner_external_id, load_demo
from backend.models import (
    ChannelIdentity,
    Kind,
    OnCallShift,
    Owner,
    Ownership,
    Project,
    Role,
    Staff,
    Status,
    Survey,
    Ticket,
    TicketEvent,
    Unit,
    WarrantyItem,
)
from tests.factories import make_unit

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=SH)


def snapshot(session: Session) -> dict[str, list[tuple[object, ...]]]:
    """Everything that matters, by natural keys (ids differ between runs on PostgreSQL)."""
    owners = session.execute(
        select(Owner.name, Owner.phone, Owner.language, Owner.tier, Owner.marketing_consent, Staff.username,
               Unit.room, Unit.entrance, Ownership.signed_on, Ownership.handover_on)
        .join(Ownership, Ownership.owner_id == Owner.id).join(Unit, Unit.id == Ownership.unit_id)
        .join(Staff, Staff.id == Owner.advisor_id).order_by(Owner.phone)
    ).all()
    shifts = session.execute(select(OnCallShift.layer, Staff.username, OnCallShift.starts_at)
                             .join(Staff).order_by(OnCallShift.starts_at, OnCallShift.layer)).all()
    tickets = session.execute(select(Ticket.number, Ticket.kind, Ticket.status, Ticket.level, Owner.phone)
                              .join(Owner).order_by(Ticket.number)).all()
    return {"owners": [tuple(r) for r in owners], "shifts": [tuple(r) for r in shifts],
            "tickets": [tuple(r) for r in tickets]}


def test_load_counts_and_summary(session: Session) -> None:
    summary = load_demo(session, now=NOW)
    assert summary.loaded and summary.message == "demo estate loaded"
    c = summary.counts
    assert (c["projects"], c["buildings"], c["staff"], c["identities"]) == (2, 7, 12, 1)
    assert c["units"] == 400 and 300 <= c["owners"] == c["ownerships"] < 400
    assert c["tickets"] == session.scalar(select(func.count()).select_from(Ticket)) == 11
    handed_over = session.scalar(select(func.count()).select_from(Ownership).where(Ownership.handover_on.is_not(None)))
    assert c["warranty_items"] == handed_over * len(warranty.items_for("CHW"))
    assert (summary.demo_owner_phone, summary.demo_unit) == (DEMO_OWNER_PHONE, "2栋1单元1502")
    assert str(summary).startswith("demo estate loaded: 2 projects, 400 units,")
    assert str(summary).endswith("owner 170****0001 (2栋1单元1502)")  # never a full phone


def test_projects_owners_and_staff_look_real(session: Session) -> None:
    load_demo(session, now=NOW)
    projects = {p.code: p for p in session.scalars(select(Project))}
    assert (projects["BJY"].name, projects["BJY"].stage) == ("安居·滨江苑", "under_construction")
    assert (projects["CHW"].name, projects["CHW"].stage) == ("安居·翠湖湾", "handed_over")
    rows = session.execute(select(Project.code, Ownership.handover_on, Ownership.signed_on)
                           .join(Unit, Unit.id == Ownership.unit_id).join(Unit.building).join(Project)).all()
    assert all(h is None for code, h, _ in rows if code == "BJY")
    chw = [h for code, h, _ in rows if code == "CHW" and h]
    assert min(chw).year == 2024 and max(chw).year == 2026 and all(h < NOW.date() for h in chw)
    assert any(NOW.date() - h < timedelta(days=365) < NOW.date() - h + timedelta(days=31) for h in chw)
    assert all(s <= NOW.date() and (h is None or s <= h) for _, h, s in rows)
    owners = list(session.scalars(select(Owner)))
    assert all(o.phone.startswith("1700000") and len(o.phone) == 11 for o in owners)
    assert len({o.phone for o in owners}) == len(owners)
    langs = Counter(o.language for o in owners)
    assert 0.05 < langs["en"] / len(owners) < 0.16
    consenting = [o for o in owners if o.marketing_consent]
    assert consenting and all(o.marketing_consent_source == "sales_contract" and o.marketing_consent_at
                              for o in consenting)
    staff = list(session.scalars(select(Staff)))
    assert Counter(s.role for s in staff) == {Role.ADMIN: 1, Role.SUPERVISOR: 2, Role.AGENT: 5, Role.ENGINEER: 4}
    assert all(s.password_hash == "" for s in staff)
    assert any(s.username == "admin" and s.role is Role.ADMIN for s in staff)
    engineers = [s for s in staff if s.role is Role.ENGINEER]
    assert all(e.phone for e in engineers)
    assert sum(bool(e.telegram_chat_id) for e in engineers) == sum(bool(e.wechat_openid) for e in engineers) == 1
    advisors = Counter(o.advisor_id for o in owners)
    assert set(advisors) == {s.id for s in staff if s.role is Role.AGENT}


def test_warranty_items_are_running_expired_and_about_to_expire(session: Session) -> None:
    load_demo(session, now=NOW)
    today = NOW.date()
    ends = [e for e in session.scalars(select(WarrantyItem.expires_on)) if e is not None]
    assert any(e < today for e in ends)
    assert any(today <= e <= today + timedelta(days=31) for e in ends)
    assert any(e > today + timedelta(days=365) for e in ends)


def test_rota_covers_fourteen_days_on_three_layers(session: Session) -> None:
    load_demo(session, now=NOW)
    for layer in (1, 2, 3):
        shifts = session.scalars(select(OnCallShift).where(OnCallShift.layer == layer)
                                 .order_by(OnCallShift.starts_at)).all()
        assert shifts[0].starts_at <= NOW and shifts[-1].ends_at >= NOW + timedelta(days=14)
        assert all(a.ends_at == b.starts_at for a, b in zip(shifts, shifts[1:], strict=False))
        assert {s.starts_at.astimezone(SH).hour for s in shifts} == {8, 20}
        roles = {s.staff.role for s in shifts}
        assert roles == ({Role.SUPERVISOR} if layer == 3 else {Role.ENGINEER})
    firsts = session.scalars(select(OnCallShift).where(OnCallShift.layer == 1)).all()
    backups = {s.starts_at: s.staff_id for s in session.scalars(select(OnCallShift).where(OnCallShift.layer == 2))}
    assert all(backups[s.starts_at] != s.staff_id for s in firsts)


def test_rota_starts_with_the_shift_running_at_night(session: Session) -> None:
    load_demo(session, now=datetime(2026, 11, 27, 3, 0, tzinfo=SH))
    first = session.scalars(select(OnCallShift).order_by(OnCallShift.starts_at)).first()
    assert first is not None and first.starts_at == datetime(2026, 11, 26, 20, 0, tzinfo=SH)


def test_tickets_went_through_the_rules(session: Session) -> None:
    load_demo(session, now=NOW)
    tickets = list(session.scalars(select(Ticket)))
    statuses = Counter(t.status for t in tickets)
    assert {Status.RECEIVED, Status.SCHEDULED, Status.IN_PROGRESS, Status.PENDING_OWNER_CONFIRM, Status.CLOSED,
            Status.CANCELLED, Status.TRIAGED, Status.CONTACTED} <= set(statuses)
    assert {t.kind for t in tickets} == {Kind.REPAIR, Kind.COMPLAINT, Kind.ENQUIRY}
    escalated = [t for t in tickets if t.level.value == "dev_dept"]
    assert len(escalated) == 1 and escalated[0].repair_attempts == 3 and escalated[0].kind is Kind.COMPLAINT
    for t in tickets:
        kinds = session.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == t.id)
                                .order_by(TicketEvent.id)).all()
        assert kinds[0] == "created"
        times = session.scalars(select(TicketEvent.at).where(TicketEvent.ticket_id == t.id)
                                .order_by(TicketEvent.id)).all()
        assert times == sorted(times) and times[-1] <= NOW
    assert session.scalar(select(func.count()).select_from(Survey)) == 1
    survey = session.scalars(select(Survey)).one()
    assert survey.due_at > NOW  # nothing owed in the past on first start


def test_demo_owner_is_bound_on_the_terminal(session: Session) -> None:
    summary = load_demo(session, now=NOW)
    identity = session.scalars(select(ChannelIdentity).where(ChannelIdentity.channel == "terminal",
                                                             ChannelIdentity.external_id == demo_owner_external_id)
                               ).one()
    assert identity.owner_id == summary.demo_owner_id and identity.verified_at == NOW
    owner = session.get(Owner, identity.owner_id)
    assert owner is not None and owner.ownerships[0].handover_on is not None
    assert any(t.status is Status.PENDING_OWNER_CONFIRM
               for t in session.scalars(select(Ticket).where(Ticket.owner_id == owner.id)))


def test_same_seed_same_estate_other_seed_other_owners(session: Session) -> None:
    runs = []
    for seed in (7, 7, 8):
        savepoint = session.begin_nested()
        load_demo(session, now=NOW, seed=seed)
        runs.append(snapshot(session))
        savepoint.rollback()
    assert runs[0] == runs[1]
    assert runs[0]["owners"] != runs[2]["owners"]
    assert runs[0]["shifts"] == runs[2]["shifts"]


def test_refuses_a_database_with_projects(session: Session) -> None:
    make_unit(session)
    summary = load_demo(session, now=NOW)
    assert not summary.loaded and str(summary) == "the database already has projects: demo not loaded"
    assert session.scalar(select(func.count()).select_from(Staff)) == 0
    assert session.scalar(select(func.count()).select_from(Project)) == 1


def test_existing_admin_and_unbound_terminal_identity_are_reused(session: Session) -> None:
    admin = Staff(username="admin", name="Ops", role=Role.ADMIN, password_hash="argon2-hash")
    identity = ChannelIdentity(channel="terminal", external_id=demo_owner_external_id)
    session.add_all([admin, identity])
    session.flush()
    summary = load_demo(session, now=NOW)
    assert summary.loaded and summary.counts["staff"] == 12 and summary.counts["identities"] == 1
    assert (admin.name, admin.password_hash) == ("Ops", "argon2-hash")
    assert identity.owner_id == summary.demo_owner_id and identity.verified_at == NOW


def test_naive_now_is_refused(session: Session) -> None:
    with pytest.raises(ValueError):
        load_demo(session, now=datetime(2026, 11, 27, 10, 0))
