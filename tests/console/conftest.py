"""Console fixtures: the in-process bot (recording channels, fake NLU, pinned clock) plus the console app."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from backend.db import transaction
from backend.models import Role, Staff
from bot.app import create_app
from bot.console.auth import hasher
from tests.bot.conftest import NOW, Estate, bot, estate  # noqa: F401 - fixtures re-exported
from tests.bot.harness import Bot
from tests.factories import make_staff

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


@lru_cache(maxsize=1)
def password_hash() -> str:
    """One argon2 hash for every test account (hashing is deliberately slow)."""
    return hasher.hash(PASSWORD)


@dataclass
class Console:
    """The console over the bot's services; ``login`` returns a client with its own cookies."""

    bot: Bot
    app: Any
    users: dict[str, int] = field(default_factory=dict)

    def client(self, base_url: str = "http://127.0.0.1") -> TestClient:
        """A fresh browser-like client (no cookies)."""
        return TestClient(self.app, base_url=base_url, follow_redirects=False,
                          headers={"accept": "text/html"})

    def login(self, username: str, password: str = PASSWORD) -> TestClient:
        """Log ``username`` in and return the client."""
        client = self.client()
        resp = login(client, username, password)
        assert resp.status_code == 303 and resp.headers["location"] == "/console", resp.text
        return client


def login(client: TestClient, username: str, password: str) -> Any:
    """Fill in and post the login form."""
    form = client.get("/console/login")
    token = CSRF_RE.search(form.text)
    assert token is not None
    return client.post("/console/login", data={"username": username, "password": password, "csrf": token.group(1),
                                                "next": "/console"})


def csrf_of(client: TestClient, path: str = "/console") -> str:
    """The CSRF token on a console page."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = CSRF_RE.search(page.text)
    assert found is not None
    return found.group(1)


def post(client: TestClient, path: str, **data: str) -> Any:
    """POST a console form with the session's CSRF token."""
    return client.post(path, data={"csrf": csrf_of(client), **data})


@pytest.fixture
def console(bot: Bot, estate: Estate, engine: Engine) -> Iterator[Console]:  # noqa: F811
    """Accounts: ``advisor`` (the owner's advisor, agent), ``agent2``, ``sup``, ``admin``, ``eng`` (engineer)."""
    users = {}
    with transaction(bot.svc.sessions) as s:
        advisor = s.get(Staff, estate.advisor_id)
        assert advisor is not None
        advisor.username, advisor.password_hash = "advisor", password_hash()
        users["advisor"] = advisor.id
        for username, role in (("agent2", Role.AGENT), ("sup", Role.SUPERVISOR), ("admin", Role.ADMIN),
                               ("eng", Role.ENGINEER)):
            staff = make_staff(s, role, username=username, password_hash=password_hash(), name=f"{username}员工")
            users[username] = staff.id
    app = create_app(bot.svc.settings, services=bot.svc, embedded_worker=False)
    yield Console(bot, app, users)
