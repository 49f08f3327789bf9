"""End-to-end fixtures: the real app under uvicorn, the real builtin NLU, the fake platforms.

One server serves the whole ``tests/e2e`` package (``scope="package"``), so its embedded worker never
runs while other suites use the shared test database: the tables are truncated before it starts and
after it stops, and emptied between tests once the worker has gone idle.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from apscheduler.schedulers.base import STATE_PAUSED
from sqlalchemy import Engine

from backend.models import utcnow
from nlu import ensure_trained
from tests.e2e.live import Hooks, LiveServer, Platforms, World, clear_tables, running_app, seed_estate
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio
from tests.fakes.wechat import FakeWeChat


@pytest.fixture(scope="session")
def e2e_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir whose ``nlu/`` holds the builtin model, trained once per test session."""
    data_dir = tmp_path_factory.mktemp("e2e-data")
    ensure_trained(data_dir / "nlu")
    return data_dir


@pytest.fixture(scope="package")
def live(
    db_url: str,
    engine: Engine,
    e2e_data_dir: Path,
    fake_wechat_server: FakeWeChat,
    fake_twilio_server: FakeTwilio,
    fake_telegram_server: FakeTelegram,
) -> Iterator[LiveServer]:
    """The running app (all three channels against the fakes), shared by the e2e package."""
    fakes = (fake_wechat_server, fake_twilio_server, fake_telegram_server)
    with running_app(engine, db_url, e2e_data_dir, fakes) as server:
        yield server


@pytest.fixture(scope="package")
def http() -> Iterator[httpx.Client]:
    """The HTTP client playing the platforms' webhook senders."""
    with httpx.Client(timeout=10.0) as client:
        yield client


@pytest.fixture
def world(
    live: LiveServer,
    engine: Engine,
    http: httpx.Client,
    fake_wechat_server: FakeWeChat,
    fake_twilio_server: FakeTwilio,
    fake_telegram_server: FakeTelegram,
) -> Iterator[World]:
    """A clean database with the small estate seeded, fresh fakes, the real clock."""
    platforms = Platforms(fake_wechat_server, fake_twilio_server, fake_telegram_server)
    live.settle()
    clear_tables(engine)
    platforms.reset()
    live.services.clock = utcnow
    estate = seed_estate(live.sessions)
    try:
        yield World(live, Hooks(live, http), platforms, estate)
    finally:
        live.services.clock = utcnow
        scheduler = getattr(live.app.state.worker, "_scheduler", None)
        if scheduler is not None and scheduler.state == STATE_PAUSED:  # a test drove the sweeps itself
            scheduler.resume()
