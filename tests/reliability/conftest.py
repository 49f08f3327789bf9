"""Fixtures for the reliability tests: a private database per test, fake platforms, ``anju`` processes.

These tests commit through real processes, so each gets its own database (a SQLite file, or a fresh
PostgreSQL schema when ``ANJU_TEST_DATABASE_URL`` is set) instead of the suite's shared one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from nlu import ensure_trained
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio
from tests.fakes.wechat import FakeWeChat
from tests.loadgen import stack
from tests.reliability.inproc import InProcess, settings_for, short_timeout_channels


@pytest.fixture(scope="session")
def trained_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir whose ``nlu/`` holds the builtin model (trained once per session)."""
    data_dir = tmp_path_factory.mktemp("reliability-data")
    ensure_trained(data_dir / "nlu")
    return data_dir


@pytest.fixture
def private_db(tmp_path: Path) -> Iterator[str]:
    """A freshly migrated database of the suite's kind, only this test's."""
    pg = os.environ.get("ANJU_TEST_DATABASE_URL")
    with stack.fresh_database("pg" if pg else "sqlite", tmp_path, pg) as url:
        yield url


@pytest.fixture
def platforms(fake_wechat: FakeWeChat, fake_twilio: FakeTwilio, fake_telegram: FakeTelegram) -> stack.PlatformUrls:
    """The three (freshly reset) fake platforms' URLs."""
    return stack.PlatformUrls(fake_wechat.base_url, fake_twilio.base_url, fake_telegram.base_url)


class Fakes:
    """The three in-process fakes together."""

    def __init__(self, wechat: FakeWeChat, twilio: FakeTwilio, telegram: FakeTelegram) -> None:
        """Wrap the session's fakes."""
        self.wechat, self.twilio, self.telegram = wechat, twilio, telegram

    def deliveries(self) -> list[tuple[str, str, float]]:
        """Accepted messages: (channel, recipient, time)."""
        return stack.deliveries_of(self.wechat, self.twilio, self.telegram)


@pytest.fixture
def fakes(fake_wechat: FakeWeChat, fake_twilio: FakeTwilio, fake_telegram: FakeTelegram) -> Fakes:
    """The fakes, reset."""
    return Fakes(fake_wechat, fake_twilio, fake_telegram)


@pytest.fixture
def procs() -> Iterator[list[stack.AnjuProcess]]:
    """Processes a test starts; all stopped (or killed) at the end whatever happens."""
    started: list[stack.AnjuProcess] = []
    yield started
    for proc in started:
        proc.stop(timeout=5)


@pytest.fixture
def inproc(private_db: str, trained_data_dir: Path, platforms: stack.PlatformUrls) -> Iterator[InProcess]:
    """App + worker in this process on a private database, channels with 1 s send timeouts."""
    settings = settings_for(private_db, trained_data_dir, platforms)
    app = InProcess(settings, channels=short_timeout_channels(settings))
    try:
        yield app
    finally:
        app.close()
