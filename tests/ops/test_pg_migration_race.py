"""PostgreSQL: a web process and two workers started at once on a database with a pending migration.

In dev they queue on the advisory lock: one migrates, the others find nothing to do, all three run.
In prod all three refuse (one clear line, exit 2) and leave the database as it was.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import NullPool, text

from backend import migrate
from backend.db import make_engine
from nlu import ensure_trained
from tests.loadgen.stack import ANJU, ROOT, free_port

PG = os.environ.get("ANJU_TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not PG.startswith("postgresql"), reason="needs ANJU_TEST_DATABASE_URL (PostgreSQL)")
SECRET = "x" * 32


@pytest.fixture
def pending_db() -> Iterator[str]:
    """A fresh schema migrated to the revision before head."""
    schema = f"anju_race_{os.getpid()}"
    admin = make_engine(PG.split("?")[0], poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG.split('?')[0]}?options=-csearch_path%3D{schema}"
    migrate.upgrade(url, "0003")
    assert migrate.state(url)[0] == "pending"
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _env(url: str, data_dir: Path, env: str, port: int) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("ANJU_")}
    base.update(ANJU_ENV=env, ANJU_DATABASE_URL=url, ANJU_DATA_DIR=str(data_dir), ANJU_PORT=str(port),
                ANJU_LOG_LEVEL="INFO", ANJU_HEARTBEAT_S="1", ANJU_API_TOKEN=SECRET, ANJU_SESSION_SECRET=SECRET)
    return base


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([ANJU, *args], env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)


def test_dev_web_and_two_workers_started_together_migrate_once(pending_db: str, tmp_path: Path) -> None:
    ensure_trained(tmp_path / "nlu")  # the model is trained once here, not by three processes at once
    port = free_port()
    env = _env(pending_db, tmp_path, "dev", port)
    logs = [tmp_path / f"{n}.log" for n in ("web", "w1", "w2")]
    procs = [_start(["serve", "--no-worker"], env, logs[0]), _start(["worker", "--no-sweeps"], env, logs[1]),
             _start(["worker"], env, logs[2])]
    try:
        deadline = time.monotonic() + 180
        while True:
            assert all(p.poll() is None for p in procs), [log.read_text()[-2000:] for log in logs]
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                if ready.status_code == 200 and ready.json()["checks"]["workers"] == 2:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, [log.read_text()[-2000:] for log in logs]
            time.sleep(0.5)
        assert migrate.state(pending_db) == ("current", migrate.head_revision())
        for log in logs:
            assert "Traceback" not in log.read_text()
    finally:
        _stop(procs)
    assert procs[0].returncode in (0, -15)  # uvicorn re-raises SIGTERM after its graceful shutdown
    assert [p.returncode for p in procs[1:]] == [0, 0]


def test_prod_processes_refuse_a_pending_database(pending_db: str, tmp_path: Path) -> None:
    env = _env(pending_db, tmp_path, "prod", free_port())
    logs = [tmp_path / f"{n}.log" for n in ("web", "w1", "w2")]
    procs = [_start(["serve", "--no-worker"], env, logs[0]), _start(["worker"], env, logs[1]),
             _start(["worker"], env, logs[2])]
    for p in procs:
        p.wait(timeout=60)
    assert [p.returncode for p in procs] == [2, 2, 2]
    for log in logs:
        out = log.read_text().strip().splitlines()
        assert len(out) == 1 and "anju db upgrade" in out[0] and "Traceback" not in log.read_text()
    assert migrate.state(pending_db) == ("pending", "0003")


def test_upgrade_waits_for_the_advisory_lock(pending_db: str) -> None:
    import threading

    holder = make_engine(pending_db, poolclass=NullPool)
    with holder.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": migrate.ADVISORY_KEY})  # another migrator
        done = threading.Event()
        thread = threading.Thread(target=lambda: (migrate.upgrade(pending_db), done.set()))
        thread.start()
        assert not done.wait(2.0)
        assert migrate.state(pending_db)[0] == "pending"
        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": migrate.ADVISORY_KEY})
        conn.commit()
    assert done.wait(60)
    thread.join()
    holder.dispose()
    assert migrate.state(pending_db)[0] == "current"
