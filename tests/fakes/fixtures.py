"""pytest fixtures starting the fake platform servers (imported by ``tests/conftest.py``).

Each server is started once per session and ``reset()`` before every test that uses it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.server import FakeServer
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio
from tests.fakes.wechat import FakeWeChat

__all__ = [
    "fake_telegram",
    "fake_telegram_server",
    "fake_twilio",
    "fake_twilio_server",
    "fake_wechat",
    "fake_wechat_server",
]


def _serve(server: FakeServer) -> Iterator[FakeServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def fake_wechat_server() -> Iterator[FakeServer]:
    yield from _serve(FakeWeChat())


@pytest.fixture(scope="session")
def fake_twilio_server() -> Iterator[FakeServer]:
    yield from _serve(FakeTwilio())


@pytest.fixture(scope="session")
def fake_telegram_server() -> Iterator[FakeServer]:
    yield from _serve(FakeTelegram())


@pytest.fixture
def fake_wechat(fake_wechat_server: FakeWeChat) -> FakeWeChat:
    """A running :class:`FakeWeChat` (app id ``wx_fake_app``, secret ``fake-secret``), freshly reset."""
    fake_wechat_server.reset()
    return fake_wechat_server


@pytest.fixture
def fake_twilio(fake_twilio_server: FakeTwilio) -> FakeTwilio:
    """A running :class:`FakeTwilio` (sid ``AC0...01``, token ``fake-auth-token``), freshly reset."""
    fake_twilio_server.reset()
    return fake_twilio_server


@pytest.fixture
def fake_telegram(fake_telegram_server: FakeTelegram) -> FakeTelegram:
    """A running :class:`FakeTelegram` (token ``123456:FAKE-token``), freshly reset."""
    fake_telegram_server.reset()
    return fake_telegram_server
