"""The database unavailable or locked: webhooks answer 503 (the platform retries) instead of accepting and
losing the message; the worker backs off and resumes when the database returns; nothing is lost or doubled.
"""

from __future__ import annotations

import asyncio
import logging
import os

import pytest
from sqlalchemy import NullPool, func, select, text

from backend import db as backend_db
from backend.db import make_engine, session_factory
from backend.models import InboundEvent, Outbox
from tests.loadgen import driver
from tests.reliability.conftest import Fakes
from tests.reliability.inproc import BASE, InProcess
from tests.reliability.test_hostile import user_on

UNREACHABLE = {"sqlite": "sqlite:////nonexistent-dir/anju/no.db",
               "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=1"}


def _stored(app: InProcess) -> int:
    with app.svc.sessions() as s:
        return s.scalar(select(func.count()).select_from(InboundEvent)) or 0


def _break_database(app: InProcess) -> tuple:
    good = (app.svc.engine, app.svc.sessions)
    bad = make_engine(UNREACHABLE[app.svc.engine.dialect.name], poolclass=NullPool)
    app.svc.engine, app.svc.sessions = bad, session_factory(bad)
    return good


@pytest.mark.parametrize("channel", ["wechat", "sms", "telegram"])
def test_webhook_answers_503_while_the_database_is_down_then_the_retry_is_stored_once(
        inproc: InProcess, channel: str) -> None:
    item = driver.build(0, channel, user_on(inproc, channel), "test", "家里有很重的煤气味", BASE)
    good = _break_database(inproc)
    assert inproc.post(item).status_code == 503
    inproc.svc.engine, inproc.svc.sessions = good
    assert inproc.post(item).status_code == 200  # the platform's retry, same message id
    assert inproc.post(item).status_code == 200  # and a second one
    assert _stored(inproc) == 1


@pytest.mark.skipif(bool(os.environ.get("ANJU_TEST_DATABASE_URL")), reason="SQLite's database-level write lock")
def test_webhook_answers_503_while_sqlite_is_locked(inproc: InProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backend_db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    inproc.svc.engine.dispose()  # new connections get the short busy timeout
    item = driver.build(0, "sms", user_on(inproc, "sms"), "test", "马桶堵了", BASE)
    holder = make_engine(inproc.settings.database_url, poolclass=NullPool)
    with holder.connect() as conn:
        conn.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock, held until the block ends
        assert inproc.post(item).status_code == 503
    holder.dispose()
    assert inproc.post(item).status_code == 200
    assert _stored(inproc) == 1


@pytest.mark.skipif(not os.environ.get("ANJU_TEST_DATABASE_URL"), reason="PostgreSQL lock wait")
def test_webhook_waits_out_a_postgres_table_lock_and_loses_nothing(inproc: InProcess) -> None:
    item = driver.build(0, "telegram", user_on(inproc, "telegram"), "test", "马桶堵了", BASE)
    holder = make_engine(inproc.settings.database_url, poolclass=NullPool)
    import threading

    result: list[int] = []
    with holder.begin() as conn:
        conn.execute(text("LOCK TABLE inbound_events IN ACCESS EXCLUSIVE MODE"))
        thread = threading.Thread(target=lambda: result.append(inproc.post(item).status_code))
        thread.start()
        thread.join(0.5)
        assert not result, "the insert should wait for the lock, not fail or skip"
    thread.join(30)
    holder.dispose()
    assert result == [200] and _stored(inproc) == 1


async def _sending(app: InProcess) -> int:
    def count() -> int:
        with app.svc.sessions() as s:
            return s.scalar(select(func.count()).select_from(Outbox).where(Outbox.status != "sent")) or 0

    return await asyncio.to_thread(count)


def test_worker_backs_off_while_the_database_is_down_and_resumes(inproc: InProcess, fakes: Fakes,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    item = driver.build(0, "telegram", user_on(inproc, "telegram"), "test", "厨房水龙头坏了，一直滴水", BASE)
    assert inproc.post(item).status_code == 200
    good = _break_database(inproc)
    worker = inproc.worker
    worker.flags = (True, True, False)  # no sweeps

    async def scenario() -> None:
        await worker.start()
        try:
            for _ in range(200):  # until the loops have hit the outage (poll, no fixed sleep as assertion)
                if sum("database unavailable" in r.getMessage() for r in caplog.records) >= 2:
                    break
                await asyncio.sleep(0.05)
            assert all(not t.done() for t in worker._tasks), "a worker loop died on the outage"
            inproc.svc.engine, inproc.svc.sessions = good  # the database is back
            for _ in range(600):
                with inproc.svc.sessions() as s:
                    sent = s.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == "sent"))
                    pending = s.scalar(select(func.count()).select_from(InboundEvent)
                                       .where(InboundEvent.status != "done"))
                if sent and not pending and not await _sending(inproc):
                    return
                worker.wake_inbound()
                worker.wake_outbox()
                await asyncio.sleep(0.05)
            raise AssertionError("the worker did not resume")
        finally:
            await worker.stop()

    with caplog.at_level(logging.WARNING, logger="bot.worker"):
        inproc.loop.run_until_complete(scenario())
    assert sum(1 for c, r, _t in fakes.deliveries() if c == "telegram" and r == item.user) >= 1
    with inproc.svc.sessions() as s:
        rows = s.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == "sent"))
    with inproc.svc.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Outbox).where(Outbox.status != "sent")) == 0
    assert sum(1 for c, r, _t in fakes.deliveries() if c == "telegram" and r == item.user) == rows


def test_graceful_stop_records_the_send_in_flight(inproc: InProcess, fakes: Fakes) -> None:
    """Regression: ``Worker.stop`` cancelled a delivery between the platform's 200 and ``record_result``,
    leaving the row leased, so it was sent a second time after the lease (answered twice)."""
    from backend import outbox
    from backend.db import transaction

    with transaction(inproc.svc.sessions) as s:
        outbox.enqueue(s, channel="telegram", recipient="700000123", text="您好", now=inproc.now)
    fakes.telegram.hang_next(1, seconds=0.5, path="/sendMessage")
    worker = inproc.worker
    worker.flags = (False, True, False)

    async def scenario() -> None:
        await worker.start()
        for _ in range(200):
            if any(r.path.endswith("/sendMessage") for r in fakes.telegram.requests):
                break
            await asyncio.sleep(0.02)
        await worker.stop()  # while the send hangs

    inproc.loop.run_until_complete(scenario())
    with inproc.svc.sessions() as s:
        assert list(s.scalars(select(Outbox.status))) == ["sent"]
    assert len(fakes.telegram.calls("sendMessage")) == 1


def test_a_busy_database_after_a_send_does_not_lose_its_outcome(inproc: InProcess, fakes: Fakes,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression (seen as 'answered twice' under SQLite load): ``record_result`` hitting a busy database
    after the platform accepted a message left the row leased, so it was sent again after the lease."""
    from sqlalchemy.exc import OperationalError

    from backend import outbox
    from backend.db import transaction

    with transaction(inproc.svc.sessions) as s:
        row_id = outbox.enqueue(s, channel="sms", recipient="+8613900002222", text="您好", now=inproc.now).id
    real = outbox.record_result
    calls = {"n": 0}

    def busy_once(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("UPDATE outbox", {}, Exception("database is locked"))
        return real(*args, **kwargs)

    monkeypatch.setattr(outbox, "record_result", busy_once)
    inproc.deliver()
    with inproc.svc.sessions() as s:
        row = s.get(Outbox, row_id)
        assert row is not None and row.status == "sent"
    assert len(fakes.twilio.sent) == 1 and calls["n"] == 2
