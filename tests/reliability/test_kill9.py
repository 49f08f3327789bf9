"""``kill -9`` of the web process with webhooks in flight, and of a worker in the middle of a send.

Recovery is what production has: the platforms retry webhooks that got no 2xx answer (same message id),
a restarted process picks up stored events still pending, and an outbox row whose worker died is due
again when its lease expires (the test moves the lease instead of waiting the 60 s).

The guarantee tested: every accepted message is processed exactly once and every reply is delivered;
a reply is delivered twice only if a worker died after the platform accepted it and before the worker
recorded that (the platforms have no idempotency keys), i.e. at most once more per row in flight.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import NullPool, select, update

from backend.db import make_engine
from backend.models import Outbox, utcnow
from tests.loadgen import driver, stack
from tests.reliability.conftest import Fakes
from tests.reliability.helpers import assert_nothing_lost_nothing_doubled


def _in_flight(url: str) -> Counter[tuple[str, str]]:
    """Rows leased (being sent) right now, per recipient."""
    engine = make_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        rows = conn.execute(select(Outbox.channel, Outbox.recipient).where(Outbox.status == "sending")).all()
    engine.dispose()
    return Counter((c, r) for c, r in rows)


def _expire_leases(url: str) -> None:
    """As if the 60 s lease of rows whose worker died had run out."""
    engine = make_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(update(Outbox).where(Outbox.status == "sending")
                     .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    engine.dispose()


def _platform_retries(items: list[driver.Planned], rate: float = 50) -> None:
    """Resend, as the platforms do, every webhook that got no 200 (same message id) until it does."""
    for _ in range(5):
        failed = [i for i in items if i.status != 200]
        if not failed:
            return
        for n, item in enumerate(failed):
            item.index, item.status, item.error = n, 0, ""
        driver.run_load(failed, rate)
    raise AssertionError(f"{sum(i.status != 200 for i in items)} webhooks still refused after retries")


def test_kill9_web_process_with_webhooks_in_flight(private_db: str, trained_data_dir: Path,
                                                   platforms: stack.PlatformUrls, fakes: Fakes,
                                                   procs: list[stack.AnjuProcess], tmp_path: Path) -> None:
    population = stack.seed(private_db, owners=30)
    port = stack.free_port()
    env = stack.anju_env(private_db, trained_data_dir, port, platforms)
    web = stack.serve_process(env, tmp_path, port, worker=True, name="web1").start()  # embedded worker dies too
    procs.append(web)
    items = driver.plan(population, 120, f"http://127.0.0.1:{port}")
    sender = threading.Thread(target=driver.run_load, args=(items, 40.0))
    sender.start()
    stack.wait_for(lambda: sum(i.status == 200 for i in items) >= 30, "some webhooks accepted")
    web.kill9()
    in_doubt = _in_flight(private_db)
    sender.join()
    refused = [i for i in items if i.status != 200]
    assert refused, "the kill came too late to hit webhooks in flight"

    _expire_leases(private_db)
    procs.append(stack.serve_process(env, tmp_path, port, worker=True, name="web2").start())
    _platform_retries(items)
    duplicates = [driver.build(n, i.channel, i.user, i.kind, i.text, f"http://127.0.0.1:{port}")
                  for n, i in enumerate(items[:10])]
    for dup, orig in zip(duplicates, items[:10], strict=True):  # platform retries of already accepted ones
        dup.provider_id = orig.provider_id
        dup.body, dup.params, dup.headers = orig.body, orig.params, orig.headers
    driver.run_load(duplicates, 50)
    assert all(d.status == 200 for d in duplicates)

    stack.wait_for(lambda: stack.unfinished(private_db) == 0, "recovery to process and deliver everything", 120)
    assert_nothing_lost_nothing_doubled(items, private_db, fakes.deliveries(), in_doubt)


def test_kill9_worker_while_it_delivers(private_db: str, trained_data_dir: Path, platforms: stack.PlatformUrls,
                                        fakes: Fakes, procs: list[stack.AnjuProcess], tmp_path: Path) -> None:
    population = stack.seed(private_db, owners=20)
    telegram_users = [u for u in population.users if u[0] == "telegram"]
    port = stack.free_port()
    env = stack.anju_env(private_db, trained_data_dir, port, platforms)
    procs.append(stack.serve_process(env, tmp_path, port, worker=False).start())
    worker = stack.worker_process(env, tmp_path, "worker1").start()
    procs.append(worker)
    fakes.telegram.hang_next(count=3, seconds=3.0, path="/sendMessage")  # sends in flight when the kill comes
    items = driver.plan(population, 40, f"http://127.0.0.1:{port}", users=telegram_users + population.users[:10])
    driver.run_load(items, 40)
    assert all(i.status == 200 for i in items)
    stack.wait_for(lambda: sum(r.path.endswith("/sendMessage") for r in fakes.telegram.requests) >= 1,
                   "the worker to be in the middle of a send", 60)
    worker.kill9()
    in_doubt = _in_flight(private_db)

    _expire_leases(private_db)
    procs.append(stack.worker_process(env, tmp_path, "worker2").start())
    stack.wait_for(lambda: stack.unfinished(private_db) == 0, "the new worker to finish everything", 120)
    counts = assert_nothing_lost_nothing_doubled(items, private_db, fakes.deliveries(), in_doubt)
    assert counts.inbound == {"done": len(items)}
    assert os.path.exists(tmp_path / "worker2.log")
