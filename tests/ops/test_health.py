"""/healthz, /readyz and /metrics; heartbeats; short page leases; a killed worker's leases released."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select

from backend import heartbeat
from backend.db import transaction
from backend.models import Outbox, WorkerHeartbeat
from backend.outbox import PAGE_PRIORITY, claim_due, enqueue
from bot.app import create_app
from bot.health import Heartbeat
from bot.services import build_services
from bot.settings import Settings
from tests.bot.harness import Bot
from tests.ops.conftest import Estate

METRICS_TOKEN = "metrics-token-for-tests"


def _client(bot: Bot) -> TestClient:
    from pydantic import SecretStr

    bot.svc.settings.metrics_token = SecretStr(METRICS_TOKEN)
    return TestClient(create_app(bot.svc.settings, services=bot.svc, embedded_worker=False))


def _beat(bot: Bot, name: str = "host:1", role: str = "worker", age_s: float = 0) -> None:
    with transaction(bot.svc.sessions) as s:
        heartbeat.beat(s, name, role=role, now=bot.now - timedelta(seconds=age_s),
                       info={"sweeps": {"escalate_pages": 0.012}})


def test_readyz_needs_a_live_worker_and_no_old_backlog(bot: Bot, estate: Estate) -> None:
    client = _client(bot)
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json()["failed"] == ["workers"]
    _beat(bot, age_s=120)  # a worker that stopped beating two minutes ago is gone
    assert client.get("/readyz").status_code == 503
    _beat(bot, "host:2")
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json()["checks"]["workers"] == 1
    bot.store("wechat", "oX", "水管爆了")  # stored, never processed
    bot.advance(seconds=bot.svc.settings.ready_max_inbound_age_s + 5)
    _beat(bot, "host:2")
    r = client.get("/readyz")
    assert r.status_code == 503 and "inbound_backlog" in r.json()["failed"]
    bot.worker.process_pending(100)  # processing queues a reply; nobody delivers it
    bot.advance(seconds=bot.svc.settings.ready_max_outbox_age_s + 5)
    _beat(bot, "host:2")
    body = client.get("/readyz").json()
    assert body["failed"] == ["outbox_backlog"] and body["checks"]["oldest_inbound_s"] == 0


def test_health_and_ready_answer_json_when_the_database_is_down(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(database_url=f"sqlite:///{tmp_path}/nowhere/x.db", _env_file=None, metrics_token="t" * 20)
    svc = build_services(settings, engine=create_engine(f"sqlite:///{tmp_path}/nowhere/x.db"), channels={},
                         nlu=object())
    client = TestClient(create_app(settings, services=svc, embedded_worker=False), raise_server_exceptions=False)
    assert client.get("/healthz").status_code == 200
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json() == {"status": "unavailable", "failed": ["database"],
                                                 "checks": {"database": "down"}}
    r = client.get("/metrics", headers={"Authorization": "Bearer " + "t" * 20})
    assert r.status_code == 503 and "Traceback" not in r.text


def test_metrics_are_token_protected_and_count_from_the_database(bot: Bot, estate: Estate) -> None:
    client = _client(bot)
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    bot.say("wechat", "oStranger", "救命 厨房水管爆了 水漫出来了")
    bot.store("wechat", "oY", "你好")
    _beat(bot, "host:9")
    with bot.svc.sessions() as s:
        page_id = s.scalar(select(Outbox.id).where(Outbox.purpose == "page").limit(1))
    assert page_id
    from backend import dispatch
    from backend.models import DispatchPage

    with transaction(bot.svc.sessions) as s:
        pg = s.scalars(select(DispatchPage)).one()
        dispatch.acknowledge(s, pg.id, staff_id=pg.staff_id, now=bot.now + timedelta(seconds=42))
    text = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
    lines = dict(line.rsplit(" ", 1) for line in text.splitlines() if line and not line.startswith("#"))
    assert float(lines['anju_inbound_received_total{channel="wechat"}']) == 2
    assert float(lines['anju_inbound_processed_total{channel="wechat"}']) == 1
    assert float(lines['anju_inbound_pending{channel="wechat"}']) == 1
    assert float(lines['anju_outbox_sent_total{channel="telegram",purpose="page"}']) >= 1
    assert float(lines["anju_pages_total"]) == 1 and float(lines["anju_pages_acked_total"]) == 1
    assert float(lines['anju_page_ack_latency_seconds_bucket{le="60.0"}']) == 1
    assert float(lines['anju_page_ack_latency_seconds_bucket{le="30.0"}']) == 0
    assert float(lines['anju_heartbeat_age_seconds{process="host:9",role="worker"}']) == 0
    assert float(lines['anju_sweep_last_duration_seconds{process="host:9",sweep="escalate_pages"}']) == 0.012
    assert "anju_outbox_queue_depth" in text and "anju_pages_unreachable_total" in text


def test_page_leases_are_short_and_recorded(bot: Bot, estate: Estate) -> None:
    with transaction(bot.svc.sessions) as s:
        enqueue(s, channel="telegram", recipient="1", text="page", now=bot.now, purpose="page", priority=PAGE_PRIORITY)
        enqueue(s, channel="telegram", recipient="2", text="reply", now=bot.now)
    with bot.svc.sessions() as s:
        rows = claim_due(s, now=bot.now, lease=timedelta(seconds=60), page_lease=timedelta(seconds=15), worker="w:1")
    by_text = {r.payload["text"]: r for r in rows}
    assert by_text["page"].next_attempt_at == bot.now + timedelta(seconds=15)
    assert by_text["reply"].next_attempt_at == bot.now + timedelta(seconds=60)
    assert {r.leased_by for r in rows} == {"w:1"}


def test_restarted_worker_releases_a_killed_workers_leases(bot: Bot, estate: Estate) -> None:
    me = heartbeat.process_name()
    host = me.rsplit(":", 1)[0]
    dead = f"{host}:999999999"  # no such pid on this host: killed with -9, never removed its row
    _beat(bot, dead)
    assert Heartbeat(bot.svc, "worker", me).reap() == ([], 0)  # it beat just now: maybe another machine's
    _beat(bot, dead, age_s=10)  # killed ten seconds ago: it has missed its beats
    with transaction(bot.svc.sessions) as s:
        enqueue(s, channel="telegram", recipient=estate.engineer1_chat, text="page", now=bot.now, purpose="page",
                priority=PAGE_PRIORITY)
    with bot.svc.sessions() as s:
        [row] = claim_due(s, now=bot.now, lease=timedelta(seconds=60), page_lease=timedelta(seconds=60), worker=dead)
    assert asyncio.run(bot.worker.deliver_due(10)) == 0  # still leased by the dead worker
    dead_names, released = Heartbeat(bot.svc, "worker", me).reap()
    assert dead_names == [dead] and released == 1
    assert asyncio.run(bot.worker.deliver_due(10)) == 1  # due at once, not after the lease
    assert bot.channels["telegram"].to(estate.engineer1_chat) == ["page"]
    with bot.svc.sessions() as s:
        assert s.get(WorkerHeartbeat, dead) is None


def test_worker_start_beats_and_stop_forgets(bot: Bot, estate: Estate) -> None:
    async def run() -> tuple[int, int]:
        await bot.worker.start()
        with bot.svc.sessions() as s:
            during = len(heartbeat.all_beats(s))
        await bot.worker.stop()
        with bot.svc.sessions() as s:
            return during, len(heartbeat.all_beats(s))

    assert asyncio.run(run()) == (1, 0)

