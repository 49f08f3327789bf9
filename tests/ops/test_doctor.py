"""``anju doctor``: configuration, database, a real API call per platform (the fakes), rota coverage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import SecretStr

from backend.db import make_engine, session_factory, transaction
from backend.migrate import upgrade
from backend.models import OnCallShift, Role
from bot.health import doctor
from bot.settings import Settings
from tests.factories import make_staff
from tests.fakes.telegram import FakeTelegram
from tests.fakes.wechat import FakeWeChat


def _settings(url: str, tg: FakeTelegram, wx: FakeWeChat, **kw: object) -> Settings:
    return Settings(_env_file=None, database_url=url,
                    telegram={"bot_token": "123456:FAKE-token", "secret_token": "s", "api_base": tg.base_url},
                    wechat={"app_id": "wx_fake_app", "app_secret": "fake-secret", "token": "t",
                            "api_base": wx.base_url}, **kw)


def test_doctor_reports_each_check_and_fails_on_gaps(tmp_path: Path, fake_telegram: FakeTelegram,
                                                     fake_wechat: FakeWeChat) -> None:
    url = f"sqlite:///{tmp_path / 'd.db'}"
    lines: list[str] = []
    assert doctor(_settings(url, fake_telegram, fake_wechat), out=lines.append) == 1
    assert any(x.startswith("FAIL database") and "missing" in x for x in lines)
    assert not (tmp_path / "d.db").exists()
    upgrade(url)
    engine = make_engine(url)
    now = datetime.now(UTC)
    with transaction(session_factory(engine)) as s:
        for layer in (1, 2, 3):
            staff = make_staff(s, Role.ENGINEER if layer < 3 else Role.SUPERVISOR, telegram_chat_id=f"{layer}00")
            s.add(OnCallShift(layer=layer, staff_id=staff.id, starts_at=now - timedelta(hours=1),
                              ends_at=now + timedelta(days=15)))
    lines.clear()
    assert doctor(_settings(url, fake_telegram, fake_wechat), out=lines.append) == 0, lines
    assert any(x.startswith("ok   telegram: getMe") for x in lines)
    assert any(x.startswith("ok   wechat: access token") for x in lines)
    assert any(x.startswith("ok   rota coverage") for x in lines)
    lines.clear()
    bad = _settings(url, fake_telegram, fake_wechat)
    bad.wechat.app_secret = None
    bad.telegram.bot_token = SecretStr("999999:WRONG-token-value-xxxxxxxx")
    assert doctor(bad, out=lines.append) == 1
    assert any(x.startswith("FAIL telegram: getMe") for x in lines)
    assert any(x.startswith("FAIL wechat: ANJU_WECHAT__APP_SECRET") for x in lines)
    assert not any("WRONG-token" in x for x in lines)
    lines.clear()
    assert doctor(_settings(url, fake_telegram, fake_wechat, coverage_days=20), online=False, out=lines.append) == 1
    assert any(x.startswith("FAIL rota coverage") for x in lines) and not any("getMe" in x for x in lines)
    engine.dispose()


def test_webhooks_register_calls_telegram_with_the_secret(fake_telegram: FakeTelegram, capsys) -> None:  # type: ignore[no-untyped-def]
    from bot.ops_cli import cmd_register

    settings = Settings(_env_file=None, public_url="https://anju.example.com",
                        telegram={"bot_token": "123456:FAKE-token", "secret_token": "hook-secret",
                                  "api_base": fake_telegram.base_url})
    assert cmd_register(settings, None) == 0  # type: ignore[arg-type]
    [call] = [r for r in fake_telegram.requests if r.path.endswith("/setWebhook")]
    assert "https://anju.example.com/hooks/telegram" in str(call.data) and "hook-secret" in str(call.data)
