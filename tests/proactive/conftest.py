"""Fixtures for proactive-service tests: committed data (truncated afterwards) and a controllable world."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from backend.db import session_factory
from tests.db import truncate_all

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=SH)  # a Tuesday
TWILIO_SID, TWILIO_TOKEN = "AC00000000000000000000000000000001", "fake-auth-token"
PUBLIC = "https://anju.example.com"


@pytest.fixture
def clean(engine: Engine) -> Iterator[Engine]:
    """The engine; every table is emptied after the test (for tests that commit)."""
    truncate_all(engine)
    yield engine
    truncate_all(engine)


@pytest.fixture
def sessions(clean: Engine):  # noqa: ANN201
    """A session factory over the cleaned engine."""
    return session_factory(clean)
