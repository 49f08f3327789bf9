"""Ops fixtures: the in-process bot and estate of ``tests/bot`` (three-layer rota on Telegram)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.settings import get_settings
from tests.bot.conftest import NOW, Estate, bot, estate  # noqa: F401

__all__ = ["NOW", "Estate"]


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """``get_settings()`` re-read from a clean ``ANJU_*`` environment in an empty working directory."""
    import os

    for key in list(os.environ):
        if key.startswith("ANJU_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
