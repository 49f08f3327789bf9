"""``anju staff ...`` on a real database file: no silent demotion or reactivation, audited resets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from backend.db import make_engine, session_factory, transaction
from backend.migrate import upgrade
from backend.models import AuditLog, Outbox, Role, Staff, StaffBindCode, StaffSession
from bot.cli import main


@pytest.fixture
def db(fresh_settings: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'staff.db'}"
    upgrade(url)
    monkeypatch.setenv("ANJU_DATABASE_URL", url)
    monkeypatch.setenv("ANJU_TELEGRAM__BOT_TOKEN", "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    monkeypatch.setenv("ANJU_TELEGRAM__SECRET_TOKEN", "hook-secret")
    engine = make_engine(url)
    yield session_factory(engine)
    engine.dispose()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["staff", *argv])
    out = capsys.readouterr()
    return code, out.out + out.err


def _staff(factory, username: str) -> Staff:  # type: ignore[no-untyped-def]
    with factory() as s:
        return s.scalars(select(Staff).where(Staff.username == username)).one()


def test_add_never_demotes_or_reactivates_silently(db, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert _run(capsys, "add", "--name", "王主管", "--username", "wang", "--password", "password-1",
                "--role", "supervisor")[0] == 0
    code, out = _run(capsys, "add", "--name", "王主管", "--username", "wang", "--password", "password-2")
    assert code == 2 and "already exists" in out
    assert _staff(db, "wang").role is Role.SUPERVISOR
    assert _run(capsys, "disable", "wang")[0] == 0
    code, out = _run(capsys, "add", "--name", "王主管", "--username", "wang", "--password", "password-3", "--update")
    assert code == 0 and "still disabled" in out
    wang = _staff(db, "wang")
    assert wang.role is Role.SUPERVISOR and not wang.active  # --update without --role keeps the role


def test_passwd_revokes_sessions_is_audited_and_keeps_the_role(db, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    code, _ = _run(capsys, "add", "--name", "李", "--username", "li", "--password", "password-1", "--role", "admin")
    assert code == 0
    li = _staff(db, "li")
    now = datetime.now(UTC)
    with transaction(db) as s:
        s.add(StaffSession(token_hash="h1", staff_id=li.id, created_at=now, last_seen_at=now,
                           expires_at=now + timedelta(hours=8)))
    old_hash = li.password_hash
    code, out = _run(capsys, "passwd", "li", "--password", "new-password-9")
    assert code == 0 and "1 console session" in out
    with db() as s:
        li2 = s.get(Staff, li.id)
        assert li2.role is Role.ADMIN and li2.password_hash != old_hash
        assert s.scalars(select(StaffSession)).one().revoked_at is not None
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "password_reset")).one()
        assert entry.target == f"staff:{li.id}" and "new-password" not in str(entry.data)
    assert _run(capsys, "passwd", "li", "--password", "short")[0] == 2


def test_contact_code_and_test_from_the_cli(db, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert _run(capsys, "add", "--name", "赵工", "--username", "zhao", "--password", "password-1",
                "--role", "engineer")[0] == 0
    code, out = _run(capsys, "contact", "zhao")
    assert code == 3 and "cannot be paged" in out  # no address yet: said loudly
    code, out = _run(capsys, "test", "zhao")
    assert code == 3
    code, out = _run(capsys, "contact", "zhao", "--telegram", "424242", "--phone", "13912345678")
    assert code == 0 and "telegram" in out and "139****5678" in out and "13912345678" not in out
    code, out = _run(capsys, "contact", "zhao", "--telegram", "bad id")
    assert code == 2 and _staff(db, "zhao").telegram_chat_id == "424242"
    code, out = _run(capsys, "test", "zhao")
    assert code == 0
    with db() as s:
        [row] = s.scalars(select(Outbox)).all()  # SMS is not enabled here: Telegram only
        assert row.channel == "telegram" and row.recipient == "424242" and row.priority == 0
    code, out = _run(capsys, "code", "zhao")
    assert code == 0 and "bind code for zhao: S" in out
    with db() as s:
        assert s.scalars(select(StaffBindCode)).one().code_hash not in out
    code, out = _run(capsys, "list")
    assert "zhao" in out and "pageable on: telegram" in out


def test_rota_import_and_coverage_from_the_cli(db, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert _run(capsys, "add", "--name", "钱工", "--username", "qian", "--password", "password-1",
                "--role", "engineer")[0] == 0
    rota = tmp_path / "rota.csv"
    now = datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    rota.write_text("layer,username,starts_at,ends_at,repeat_weeks\n"
                    f"1,qian,{start:%Y-%m-%d %H:%M},{start + timedelta(hours=12):%Y-%m-%d %H:%M},1\n")
    code = main(["rota", "import", str(rota)])
    out = capsys.readouterr().out
    assert code == 3 and "added 2 shift(s)" in out and "qian cannot be paged" in out
    code = main(["rota", "coverage", "--days", "1"])
    out = capsys.readouterr().out
    assert code == 1 and "layer 1:" in out and "unreachable:qian" in out and "layer 2:" in out
