"""``anju telegram set-webhook`` against the fake Bot API."""

from __future__ import annotations

import pytest

from bot.channels.cli import secret_problem
from bot.cli import main
from bot.settings import get_settings
from tests.fakes.telegram import FakeTelegram


@pytest.mark.parametrize(("secret", "ok"), [("e2e_Secret-token-42", True), ("YWJj+ZGVm/Z2g=", False), ("", False),
                                            ("x" * 257, False)])
def test_secret_rules(secret: str, ok: bool) -> None:
    assert (secret_problem(secret) is None) is ok


def test_set_webhook_sets_url_secret_and_updates(fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ANJU_TELEGRAM__BOT_TOKEN", fake_telegram.token)
    monkeypatch.setenv("ANJU_TELEGRAM__SECRET_TOKEN", "good_secret-1")
    monkeypatch.setenv("ANJU_TELEGRAM__API_BASE", fake_telegram.base_url)
    monkeypatch.setenv("ANJU_PUBLIC_URL", "https://anju.example.com")
    get_settings.cache_clear()
    assert main(["telegram", "set-webhook"]) == 0
    [call] = fake_telegram.calls("setWebhook")
    assert call["url"] == "https://anju.example.com/hooks/telegram" and call["secret_token"] == "good_secret-1"
    assert "my_chat_member" in call["allowed_updates"]
    monkeypatch.setenv("ANJU_TELEGRAM__SECRET_TOKEN", "bad+secret=")
    get_settings.cache_clear()
    assert main(["telegram", "set-webhook"]) == 2
    assert "A-Za-z0-9_-" in capsys.readouterr().out
    assert len(fake_telegram.calls("setWebhook")) == 1
    get_settings.cache_clear()
