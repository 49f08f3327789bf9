"""Settings validated at start (one clear line, no secret), JSON logs, and the migration guard rails."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest

from backend import migrate
from bot.cli import main
from bot.logs import JsonFormatter, configure, redact
from bot.settings import Settings, channel_problems

AES_OK = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters that decode to 32 bytes
SECRET = "a-very-long-session-secret-value-1234567890"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_anju_env_must_be_dev_or_prod(fresh_settings: None, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    for value in ("production", "PROD", "test"):
        monkeypatch.setenv("ANJU_ENV", value)
        from bot.settings import get_settings

        get_settings.cache_clear()
        code, out = _run(capsys, "db", "current")
        assert code == 2
        assert out.strip().splitlines() == [f"anju: configuration error: ANJU_ENV must be dev or prod, not {value!r}"]


def test_prod_secret_error_is_one_line_without_the_secret(fresh_settings: None, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ANJU_ENV", "prod")
    monkeypatch.setenv("ANJU_SESSION_SECRET", SECRET)
    monkeypatch.setenv("ANJU_API_TOKEN", "short")
    code, out = _run(capsys, "db", "current")
    assert code == 2 and len(out.strip().splitlines()) == 1
    assert "ANJU_API_TOKEN must be set" in out and "Traceback" not in out
    assert SECRET[-22:] not in out and "short" not in out.replace("ANJU_", "")


def test_channel_settings_are_checked_for_consistency() -> None:
    base = {"_env_file": None}
    assert channel_problems(Settings(**base)) == []
    [tg] = channel_problems(Settings(**base, telegram={"bot_token": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"}))
    assert "SECRET_TOKEN" in tg and "ABCDEFGH" not in tg
    bad_aes = AES_OK[:-1] + "!"
    probs = channel_problems(Settings(**base, wechat={"app_id": "wx1", "token": "t", "app_secret": "s",
                                                      "encoding_aes_key": bad_aes}))
    assert len(probs) == 1 and "ENCODING_AES_KEY" in probs[0] and bad_aes not in probs[0]
    assert channel_problems(Settings(**base, wechat={"app_id": "wx1", "token": "t", "app_secret": "s",
                                                     "encoding_aes_key": AES_OK})) == []
    prod = {"env": "prod", "api_token": SECRET, "session_secret": SECRET}
    twilio = {"account_sid": "AC1", "auth_token": "x", "from_number": "+15550001"}
    [url] = channel_problems(Settings(**base, **prod, twilio=twilio, public_url="http://anju.example.com"))
    assert "https://" in url
    assert channel_problems(Settings(**base, **prod, twilio=twilio, public_url="https://anju.example.com")) == []
    [sid] = channel_problems(Settings(**base, twilio={"account_sid": "AC1"}))
    assert "AUTH_TOKEN" in sid


def test_serve_and_worker_refuse_inconsistent_channels(fresh_settings: None, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ANJU_TELEGRAM__BOT_TOKEN", "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    for command in ("serve", "worker"):
        code, out = _run(capsys, command)
        assert code == 2 and "ANJU_TELEGRAM__SECRET_TOKEN" in out and "ABCDEFGHIJ" not in out
        assert "Traceback" not in out


def test_logs_mask_bot_tokens_query_secrets_and_phones() -> None:
    line = redact("GET https://api.telegram.org/bot123456:AAbbCCddEEffGGhhIIjjKK/sendMessage?x=1 for 13912345678")
    assert "AAbbCC" not in line and "13912345678" not in line and "123456:***" in line
    assert redact("/webhooks/wechat?signature=abc&nonce=1&msg_signature=def") == \
        "/webhooks/wechat?signature=***&nonce=1&msg_signature=***"


def test_json_log_lines_and_quiet_sdk_loggers(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure("DEBUG", "json")
        assert isinstance(root.handlers[0].formatter, JsonFormatter)
        logging.getLogger("anju.test").info("call %s", "13912345678", extra={"status": 200})
        logging.getLogger("twilio.http_client").info("-- BEGIN Twilio API Request --")
        logging.getLogger("httpx").debug("GET https://api.telegram.org/bot1234567:AAAAAAAAAAAAAAAAAAAAAAAA/getMe")
        lines = [json.loads(x) for x in capsys.readouterr().err.splitlines() if x.strip()]
    finally:
        root.handlers[:], _ = saved[0], root.setLevel(saved[1])
    assert lines == [{"ts": lines[0]["ts"], "level": "INFO", "logger": "anju.test", "msg": "call 139****5678",
                      "status": 200}]


def test_access_log_has_no_query_secrets(bot, estate, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from bot.app import create_app

    client = TestClient(create_app(bot.svc.settings, services=bot.svc, embedded_worker=False))
    with caplog.at_level(logging.INFO, logger="anju.access"):
        client.get("/healthz?token=supersecret123&x=1")
    [record] = [r for r in caplog.records if r.name == "anju.access"]
    assert "supersecret123" not in record.getMessage() and "/healthz?token=***&x=1" in record.getMessage()
    assert record.status == 200


# --- migrations -------------------------------------------------------------------------------------


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def test_database_states_and_the_guard(tmp_path: Path) -> None:
    url = _url(tmp_path / "a.db")
    assert migrate.state(url) == ("missing", None)
    with pytest.raises(migrate.DatabaseNotReady, match="does not exist"):
        migrate.ensure_ready(url, env="dev")
    assert not (tmp_path / "a.db").exists()  # never created by accident
    migrate.upgrade(url, "0003")
    assert migrate.state(url) == ("pending", "0003")
    with pytest.raises(migrate.DatabaseNotReady, match="anju db upgrade"):
        migrate.ensure_ready(url, env="prod")  # prod never migrates on start
    assert migrate.current(url) == "0003"
    assert migrate.ensure_ready(url, env="dev") == "current"  # dev migrates a pending database of ours
    assert migrate.state(url) == ("current", migrate.head_revision())
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE accounts (id INTEGER)")
    with pytest.raises(migrate.DatabaseNotReady, match="not Anju's"):
        migrate.ensure_ready(_url(foreign), env="dev", create=True)
    with sqlite3.connect(tmp_path / "a.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    assert migrate.state(url) == ("foreign", "9999_future")


def test_db_commands(fresh_settings: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ANJU_DATABASE_URL", _url(tmp_path / "b.db"))
    code, out = _run(capsys, "db", "current")
    assert code == 1 and "missing" in out and not (tmp_path / "b.db").exists()
    code, out = _run(capsys, "staff", "list")
    assert code == 2 and "does not exist" in out and not (tmp_path / "b.db").exists()
    code, out = _run(capsys, "db", "upgrade")
    assert code == 0 and migrate.head_revision() in out
    code, out = _run(capsys, "db", "current")
    assert code == 0 and "current" in out


def test_upgrade_takes_the_sqlite_lock(tmp_path: Path) -> None:
    import fcntl
    import os
    import threading

    url = _url(tmp_path / "c.db")
    fd = os.open(f"{tmp_path / 'c.db'}.migrate.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another migrator holds the lock
    done = threading.Event()
    worker = threading.Thread(target=lambda: (migrate.upgrade(url), done.set()))
    worker.start()
    assert not done.wait(1.0)  # waits for it
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)
    assert done.wait(30)
    worker.join()
    assert migrate.state(url)[0] == "current"


def test_sqlite_online_backup_while_a_connection_writes(fresh_settings: None, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    url = _url(tmp_path / "live.db")
    migrate.upgrade(url)
    monkeypatch.setenv("ANJU_DATABASE_URL", url)
    writer = sqlite3.connect(tmp_path / "live.db")
    writer.execute("INSERT INTO staff (name, username, password_hash, role, language, active, failed_logins) "
                   "VALUES ('a', 'a', '', 'agent', 'zh', 1, 0)")  # an open write transaction
    code = main(["db", "backup", str(tmp_path / "copy.db")])
    writer.commit()
    writer.close()
    assert code == 0 and "integrity ok" in capsys.readouterr().out
    assert migrate.state(_url(tmp_path / "copy.db")) == ("current", migrate.head_revision())
    assert main(["db", "backup", str(tmp_path / "copy.db")]) == 2  # never overwrites
