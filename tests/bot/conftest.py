"""Fixtures for in-process conversation tests: a committed estate, on-call rota, and a bot."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from backend.db import session_factory, transaction
from backend.models import OnCallShift, Role
from tests.bot.harness import Bot
from tests.db import truncate_all
from tests.factories import make_owner, make_staff, make_unit

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=SH)  # a Tuesday


@dataclass
class Estate:
    """Ids of the estate the tests talk about."""

    owner_id: int
    owner_phone: str
    unit_id: int
    unit_room: str
    engineer1_chat: str
    engineer2_chat: str
    supervisor_chat: str
    advisor_id: int


@pytest.fixture
def estate(engine: Engine) -> Iterator[Estate]:
    """One owner in 3栋2单元<room>, an advisor, and a three-layer on-call rota around NOW."""
    with transaction(session_factory(engine)) as s:
        advisor = make_staff(s, Role.AGENT)
        e1 = make_staff(s, Role.ENGINEER, telegram_chat_id="9001", phone="13800000001")
        e2 = make_staff(s, Role.ENGINEER, telegram_chat_id="9002")
        sup = make_staff(s, Role.SUPERVISOR, telegram_chat_id="9003")
        unit = make_unit(s, room="1502")
        owner = make_owner(s, unit, advisor=advisor, phone="13912345678", handover_on=date(2025, 6, 30))
        for layer, staff in ((1, e1), (2, e2), (3, sup)):
            s.add(OnCallShift(layer=layer, staff_id=staff.id, starts_at=NOW - timedelta(hours=12),
                              ends_at=NOW + timedelta(days=2)))
        ids = Estate(owner.id, owner.phone, unit.id, unit.room, "9001", "9002", "9003", advisor.id)
    yield ids
    truncate_all(engine)


@pytest.fixture
def bot(engine: Engine, estate: Estate) -> Bot:
    """The bot at NOW."""
    return Bot(engine, NOW)
