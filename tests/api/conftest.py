"""API test fixtures: a tiny app with the router, sharing the test's rolled-back connection."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from backend.models import Kind, Owner, Project, Role, Staff, Status, Ticket, Urgency
from backend.tickets import ServiceRules, create_ticket, transition
from bot.api import api_router
from bot.settings import Settings
from tests.factories import make_owner, make_staff

TOKEN = "s3cret-api-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=SH)


def build_app(session: Session, *, api_token: str | None = TOKEN, now: datetime = NOW) -> FastAPI:
    """An app like the lead's factory builds: settings, a session factory and a pinned clock on app.state.

    Its sessions join the test's connection in a savepoint, so what the API commits is rolled back
    with the test, on SQLite and PostgreSQL alike.
    """
    conn = session.bind
    assert isinstance(conn, Connection)
    app = FastAPI()
    app.include_router(api_router)
    app.state.settings = Settings(api_token=api_token, _env_file=None)
    app.state.sessions = sessionmaker(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    app.state.clock = lambda: now
    return app


@pytest.fixture
def client(session: Session) -> TestClient:
    """A client of an app with the API token set, authenticated."""
    return TestClient(build_app(session), headers=AUTH)


@pytest.fixture
def make_client(session: Session) -> Callable[..., TestClient]:
    """Build a client with other settings (``api_token``, ``now``), unauthenticated."""
    return lambda **kw: TestClient(build_app(session, **kw))


@dataclass
class Estate:
    """Two projects, an advisor, an engineer, owners and five tickets around :data:`NOW`."""

    agent: Staff
    engineer: Staff
    owner_a: Owner
    owner_b: Owner
    project_a: Project
    project_b: Project
    tickets: dict[str, Ticket]


@pytest.fixture
def estate(session: Session) -> Estate:
    """Tickets: ``emergency`` and ``old`` are overdue; ``contacted``, ``fresh``, ``complaint`` are not."""
    rules = ServiceRules()
    agent = make_staff(session, Role.AGENT)
    engineer = make_staff(session, Role.ENGINEER)
    owner_a = make_owner(session, advisor=agent, phone="13912345678")
    owner_b = make_owner(session, phone="13800001111")
    unit_a, unit_b = owner_a.ownerships[0].unit, owner_b.ownerships[0].unit

    def repair(owner: Owner, hours_ago: float, **kw: object) -> Ticket:
        kw.setdefault("category", "water")
        return create_ticket(session, kind=kw.pop("kind", Kind.REPAIR), now=NOW - timedelta(hours=hours_ago),
                             rules=rules, owner_id=owner.id, unit_id=owner.ownerships[0].unit_id, **kw)

    tickets = {
        "old": repair(owner_a, 72, location="kitchen"),
        "contacted": repair(owner_a, 71, location="bathroom"),
        "emergency": repair(owner_a, 1, urgency=Urgency.EMERGENCY, location="balcony"),
        "fresh": repair(owner_a, 0.5, category="electrical"),
        "complaint": repair(owner_b, 0.25, kind=Kind.COMPLAINT, category=None),
    }
    transition(session, tickets["contacted"], Status.CONTACTED, now=NOW - timedelta(hours=60), actor="staff:1")
    session.flush()
    return Estate(agent, engineer, owner_a, owner_b, unit_a.building.project, unit_b.building.project, tickets)
