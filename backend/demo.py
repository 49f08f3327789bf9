"""A deterministic demo estate (``anju demo load``, ``anju serve --demo``).

Two projects: 安居·滨江苑 (BJY, under construction: buyers have signed, nobody has moved in) and
安居·翠湖湾 (CHW, handed over in batches, so warranty items of each length are running and some are
about to expire). Staff, a 14-day on-call rota, tickets in varied states (made through the service
rules, so their timelines are real) and a verified ``terminal`` identity, so ``anju chat`` talks as
a bound owner.

All phone numbers are fake: owners ``170-0000-xxxx``, staff ``170-0001-xxxx``. Staff have no
password (empty ``password_hash``): nobody can log in until one is set, e.g. for ``admin``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend import warranty
from backend.models import (
    Building,
    ChannelIdentity,
    Kind,
    OnCallShift,
    Owner,
    Ownership,
    Project,
    Role,
    Staff,
    Status,
    Ticket,
    Unit,
    Urgency,
)
from backend.phones import mask_phone
from backend.tickets import ServiceRules, assign, confirm_by_owner, create_ticket, transition

demo_owner_external_id = "demo"
DEMO_CHANNEL = "terminal"
DEMO_ADMIN_USERNAME = "admin"
DEMO_OWNER_PHONE = "17000000001"
DEMO_OWNER_NAME = "陈思远"
DEMO_OWNER_UNIT = ("CHW", "2", "1", "1502")  # project, building, entrance, room
TZ = ZoneInfo("Asia/Shanghai")

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史黎贺顾毛郝龚邵万钱严覃武戴孔汤")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华玉萍红建文辉力鹏飞宇浩婷雪琳晨欣怡子涵梓轩俊博思雨佳嘉睿"
         "一诺颖斌波峰凯鑫海燕丹立志国春慧晓新庆亮东云珊瑶")
EN_FIRST = ("David", "Emily", "Michael", "Sarah", "James", "Olivia", "Daniel", "Sophie", "Kevin", "Grace")
EN_LAST = ("Chen", "Wong", "Lee", "Lin", "Liu", "Smith", "Brown", "Tan", "Ng", "Müller")

# (username, name, role, extra fields); phones are added in order from 170-0001-0001.
STAFF: tuple[tuple[str, str, Role, dict[str, Any]], ...] = (
    (DEMO_ADMIN_USERNAME, "系统管理员", Role.ADMIN, {}),
    ("zhou.jing", "周静", Role.SUPERVISOR, {}),
    ("wu.haifeng", "吴海峰", Role.SUPERVISOR, {}),
    ("lin.xiaoyu", "林晓雨", Role.AGENT, {}),
    ("chen.jie", "陈洁", Role.AGENT, {}),
    ("zhang.min", "张敏", Role.AGENT, {}),
    ("liu.yang", "刘洋", Role.AGENT, {}),
    ("huang.ting", "黄婷", Role.AGENT, {"language": "en"}),
    ("wang.qiang", "王强", Role.ENGINEER, {"telegram_chat_id": "7000000001"}),
    ("li.jun", "李军", Role.ENGINEER, {"wechat_openid": "oDEMO-li-jun-000000000000000"}),
    ("zhao.lei", "赵磊", Role.ENGINEER, {}),
    ("sun.peng", "孙鹏", Role.ENGINEER, {}),
)

# code, name, English name, stage, buildings, floors; CHW: days before ``now`` each building was handed over.
PROJECTS = (
    ("BJY", "安居·滨江苑", "Anju Riverside Garden", "under_construction", ("1", "2", "3"), 12),
    ("CHW", "安居·翠湖湾", "Anju Emerald Lake Bay", "handed_over", ("1", "2", "3", "5"), 16),
)
HANDOVER_DAYS_AGO = {"1": 715, "2": 350, "3": 520, "5": 170}  # 2-year, 1-year, -, 6-month items near expiry
ENTRANCES, ROOMS_PER_FLOOR = ("1", "2"), 2


@dataclass
class DemoSummary:
    """What :func:`load_demo` did."""

    loaded: bool
    message: str
    counts: dict[str, int] = field(default_factory=dict)
    demo_owner_id: int | None = None
    demo_owner_phone: str | None = None
    demo_unit: str | None = None

    def __str__(self) -> str:
        """One line for the CLI."""
        if not self.loaded:
            return self.message
        c = self.counts
        return (f"{self.message}: {c['projects']} projects, {c['units']} units, {c['owners']} owners, "
                f"{c['staff']} staff, {c['shifts']} on-call shifts, {c['tickets']} tickets; "
                f"`anju chat` talks as owner {mask_phone(self.demo_owner_phone)} ({self.demo_unit})")


def load_demo(session: Session, *, now: datetime, seed: int = 7) -> DemoSummary:
    """Fill an empty database with the demo estate; the same ``now`` and ``seed`` give the same data.

    Args:
        session: An open session; the caller commits.
        now: An aware "current time"; dates and the rota are laid out around it.
        seed: Seed for the random choices (names, sales, consent, languages).

    Returns:
        A summary; ``loaded`` is False, with nothing changed, if the database already has projects.

    Raises:
        ValueError: If ``now`` is naive.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if session.scalar(select(func.count()).select_from(Project)):
        return DemoSummary(False, "the database already has projects: demo not loaded")
    rng = random.Random(seed)
    staff = _staff(session)
    agents = _with_role(staff, Role.AGENT)
    owners = _estate(session, rng, now, agents)
    catalogue = warranty.load_catalogue()
    items = sum(warranty.grant(session, o.ownerships[0], tz=TZ, cat=catalogue) for o in owners)
    shifts = _rota(session, now, staff)
    demo_owner = owners[0]
    _bind_demo_identity(session, demo_owner, now)
    tickets = _tickets(session, now, owners, staff)
    session.flush()
    counts = {name: session.scalar(select(func.count()).select_from(model)) or 0 for name, model in (
        ("projects", Project), ("buildings", Building), ("units", Unit), ("owners", Owner),
        ("ownerships", Ownership), ("staff", Staff), ("identities", ChannelIdentity))}
    counts |= {"shifts": shifts, "tickets": tickets, "warranty_items": items}
    unit = demo_owner.ownerships[0].unit
    return DemoSummary(True, "demo estate loaded", counts, demo_owner.id, demo_owner.phone, unit.label)


def _staff(session: Session) -> dict[str, Staff]:
    """The demo staff; an account that already exists (e.g. an ``admin`` made first) is kept as it is."""
    existing = {s.username: s for s in session.scalars(select(Staff).where(Staff.username.in_(
        [username for username, *_ in STAFF])))}
    staff = {}
    for n, (username, name, role, extra) in enumerate(STAFF, start=1):
        phone = None if role is Role.ADMIN else f"1700001{n:04d}"
        staff[username] = existing.get(username) or Staff(username=username, name=name, role=role, phone=phone,
                                                          **extra)
        session.add(staff[username])
    session.flush()
    return staff


def _with_role(staff: dict[str, Staff], role: Role) -> list[Staff]:
    """The demo staff declared with ``role`` (whatever role a pre-existing account has)."""
    return [staff[username] for username, _, declared, _ in STAFF if declared is role]


def _bind_demo_identity(session: Session, owner: Owner, now: datetime) -> None:
    """Bind ``terminal``/``demo`` to the demo owner (reusing it if ``anju chat`` already made it)."""
    identity = session.scalars(select(ChannelIdentity).where(
        ChannelIdentity.channel == DEMO_CHANNEL, ChannelIdentity.external_id == demo_owner_external_id)).first()
    if identity is None:
        identity = ChannelIdentity(channel=DEMO_CHANNEL, external_id=demo_owner_external_id, created_at=now)
        session.add(identity)
    identity.owner_id, identity.display_name = owner.id, owner.name
    identity.language, identity.verified_at = owner.language, now


def _name(rng: random.Random, english: bool) -> str:
    if english and rng.random() < 0.5:
        return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES[:30] if rng.random() < 0.7 else SURNAMES) + given


def _estate(session: Session, rng: random.Random, now: datetime, agents: list[Staff]) -> list[Owner]:
    """Projects, buildings, units, and owners of sold units; the demo owner comes first."""
    today = now.astimezone(TZ).date()
    phones = [f"1700000{k:04d}" for k in rng.sample(range(2, 10_000), 9_000)]
    owners: list[Owner] = []
    zone = 0
    for code, name, name_en, stage, buildings, floors in PROJECTS:
        project = Project(code=code, name=name, name_en=name_en, city="杭州", stage=stage)
        session.add(project)
        for number in buildings:
            building = Building(project=project, number=number)
            for entrance in ENTRANCES:
                advisor = agents[zone % len(agents)]  # 定区: one advisor per entrance
                zone += 1
                for floor in range(1, floors + 1):
                    for k in range(1, ROOMS_PER_FLOOR + 1):
                        unit = Unit(building=building, entrance=entrance, room=f"{floor}{k:02d}", floor=floor)
                        session.add(unit)
                        is_demo = (code, number, entrance, unit.room) == DEMO_OWNER_UNIT
                        if not is_demo and rng.random() > (0.8 if stage == "under_construction" else 0.92):
                            continue  # unsold
                        owner = _owner(rng, now, phones, advisor, is_demo)
                        signed, handover = _dates(rng, today, code, number, is_demo)
                        session.add(Ownership(owner=owner, unit=unit, signed_on=signed, handover_on=handover))
                        session.add(owner)
                        if is_demo:
                            owners.insert(0, owner)
                        else:
                            owners.append(owner)
    session.flush()
    return owners


def _owner(rng: random.Random, now: datetime, phones: list[str], advisor: Staff, is_demo: bool) -> Owner:
    english = rng.random() < 0.1
    consent = rng.random() < 0.35
    owner = Owner(name=_name(rng, english), phone=phones.pop(), language="en" if english else "zh",
                  tier="vip" if rng.random() < 0.05 else "standard", advisor=advisor, created_at=now)
    if is_demo:
        owner.name, owner.phone, owner.language, consent = DEMO_OWNER_NAME, DEMO_OWNER_PHONE, "zh", False
    if consent:
        owner.marketing_consent = True
        owner.marketing_consent_source = "sales_contract"
        owner.marketing_consent_at = now - timedelta(days=rng.randint(60, 700))
    return owner


def _dates(
    rng: random.Random, today: date, code: str, building: str, is_demo: bool
) -> tuple[date, date | None]:
    """Signing and handover dates: BJY signed over the last 14 months; CHW handed over per building."""
    if code == "BJY":
        return today - timedelta(days=rng.randint(7, 420)), None
    handover = today - timedelta(days=HANDOVER_DAYS_AGO[building] - rng.randint(0, 14))
    signed = handover - timedelta(days=rng.randint(300, 700))
    taken = is_demo or rng.random() >= 0.03  # a few have not taken handover yet (S24)
    return signed, handover if taken else None


def _rota(session: Session, now: datetime, staff: dict[str, Staff]) -> int:
    """Day (08-20) and night (20-08) shifts from the one running at ``now`` for 14 days, three layers."""
    engineers, supervisors = _with_role(staff, Role.ENGINEER), _with_role(staff, Role.SUPERVISOR)
    local = now.astimezone(TZ)
    day = local.date() - timedelta(days=1 if local.hour < 8 else 0)
    start = datetime.combine(day, time(20 if local.hour < 8 or local.hour >= 20 else 8), tzinfo=TZ)
    end, i, rows = now + timedelta(days=14), 0, 0
    while start < end:
        stop = start + timedelta(hours=12)
        layers = (engineers[i % 4], engineers[(i + 2) % 4], supervisors[(i // 2) % 2])
        for layer, member in enumerate(layers, start=1):
            session.add(OnCallShift(layer=layer, staff_id=member.id, starts_at=start, ends_at=stop))
            rows += 1
        start, i = stop, i + 1
    return rows


Step = tuple[float, Callable[[Session, Ticket, datetime], object]]


def _to(status: Status, actor: str, note: str = "") -> Callable[[Session, Ticket, datetime], object]:
    return lambda s, t, at: transition(s, t, status, now=at, actor=actor, note=note)


def _tickets(session: Session, now: datetime, owners: list[Owner], staff: dict[str, Staff]) -> int:
    """A handful of tickets, walked through the service rules; hours are before ``now``."""
    rules = ServiceRules()
    agent, engineer = staff["lin.xiaoyu"], staff["wang.qiang"]
    cs = f"staff:{agent.id}"
    def project(o: Owner) -> str:
        return o.ownerships[0].unit.building.project.code

    chw = [o for o in owners[1:] if project(o) == "CHW" and o.ownerships[0].handover_on]
    bjy = [o for o in owners if project(o) == "BJY"]
    fwd = [Status.TRIAGED, Status.CONTACTED, Status.SCHEDULED, Status.PLAN_AGREED, Status.IN_PROGRESS,
           Status.PENDING_OWNER_CONFIRM]

    def walk(upto: int, start: float, gap: float, skip: int = 0) -> list[Step]:
        return [(start - gap * n, _to(st, cs)) for n, st in enumerate(fwd[skip:upto])]

    def book(s: Session, t: Ticket, at: datetime) -> None:
        day = (now + timedelta(days=1)).astimezone(TZ).date()
        t.appointment_start = datetime.combine(day, time(10), tzinfo=TZ)
        t.appointment_end = datetime.combine(day, time(12), tzinfo=TZ)

    def verdict(ok: bool, comment: str = "") -> Callable[[Session, Ticket, datetime], object]:
        return lambda s, t, at: confirm_by_owner(s, t, satisfied=ok, now=at, rules=rules, comment=comment)

    def assign_eng(s: Session, t: Ticket, at: datetime) -> object:
        return assign(s, t, engineer.id, now=at, actor=cs)

    plans: list[tuple[Owner, Kind, Urgency, str | None, str | None, str, float, list[Step]]] = [
        (chw[0], Kind.REPAIR, Urgency.EMERGENCY, "water", "kitchen", "厨房水管爆裂，水漫到客厅了", 0.4,
         [(0.3, assign_eng)]),
        (chw[1], Kind.REPAIR, Urgency.NORMAL, "wall_floor_ceiling", "living_room", "客厅地砖空鼓，踩上去有响声",
         96, []),
        (chw[2], Kind.REPAIR, Urgency.HIGH, "door_window", "bedroom", "主卧窗户关不严，下雨会漏风进水", 72,
         walk(3, 70, 20) + [(30, book), (28, assign_eng)]),
        (chw[3], Kind.REPAIR, Urgency.NORMAL, "water", "bathroom", "卫生间洗手盆下水很慢", 150, walk(5, 148, 24)),
        (owners[0], Kind.REPAIR, Urgency.NORMAL, "fixtures", "bathroom", "马桶水箱一直在流水", 200,
         walk(6, 198, 30)),
        (chw[4], Kind.REPAIR, Urgency.NORMAL, "electrical", "living_room", "客厅一个插座没电", 120,
         walk(6, 118, 20) + [(3, verdict(True, "已修好，谢谢"))]),
        (chw[5], Kind.REPAIR, Urgency.NORMAL, "waterproofing", "bathroom", "卫生间地面渗水到楼下", 720,
         walk(6, 700, 20) + [(480, verdict(False, "还是渗水"))] + walk(6, 460, 20, skip=1)
         + [(230, verdict(False, "第二次修完还是漏，楼下又来找了"))]),
        (bjy[0], Kind.COMPLAINT, Urgency.NORMAL, None, None, "工地晚上十点以后还在施工，噪音太大", 26,
         walk(2, 24, 4)),
        (bjy[1], Kind.ENQUIRY, Urgency.NORMAL, None, None, "请问滨江苑什么时候交房？", 2, []),
        (chw[6], Kind.ENQUIRY, Urgency.NORMAL, None, None, "物业费在哪里交？", 120,
         [(119, _to(Status.CONTACTED, cs)), (118, _to(Status.CLOSED, cs, "已告知缴费方式"))]),
        (chw[7], Kind.REPAIR, Urgency.NORMAL, "other", "entrance", "门铃不响了", 50,
         [(30, _to(Status.CANCELLED, "owner", "业主已自行修好"))]),
    ]
    for owner, kind, urgency, category, location, text, hours_ago, steps in plans:
        unit_id = owner.ownerships[0].unit_id
        ticket = create_ticket(session, kind=kind, now=now - timedelta(hours=hours_ago), rules=rules,
                               urgency=urgency, category=category, location=location, description=text,
                               owner_id=owner.id, unit_id=unit_id)
        for step_ago, step in steps:
            step(session, ticket, now - timedelta(hours=step_ago))
    return len(plans)
