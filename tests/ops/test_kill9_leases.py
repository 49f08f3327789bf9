"""``kill -9`` of a worker in the middle of sends: a restarted worker releases its leases at once.

Unlike ``tests/reliability/test_kill9.py`` the leases are not expired by the test: the new worker must
find the dead one's heartbeat row (same host, pid gone) and make its claimed rows due itself, so recovery
takes seconds, not the 60 s lease.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from tests.loadgen import driver, stack
from tests.reliability.conftest import Fakes, fakes, platforms, private_db, procs, trained_data_dir  # noqa: F401
from tests.reliability.helpers import assert_nothing_lost_nothing_doubled
from tests.reliability.test_kill9 import _in_flight


def test_restarted_worker_sends_a_killed_workers_claims_without_waiting_for_the_lease(
        private_db: str, trained_data_dir: Path, platforms: stack.PlatformUrls,  # noqa: F811
        fakes: Fakes, procs: list[stack.AnjuProcess], tmp_path: Path) -> None:  # noqa: F811
    population = stack.seed(private_db, owners=20)
    telegram_users = [u for u in population.users if u[0] == "telegram"]
    port = stack.free_port()
    env = stack.anju_env(private_db, trained_data_dir, port, platforms,
                         extra={"ANJU_OUTBOX__LEASE_S": "600", "ANJU_OUTBOX__PAGE_LEASE_S": "600",
                                "ANJU_HEARTBEAT_S": "1"})  # only the release can make them due in time
    procs.append(stack.serve_process(env, tmp_path, port, worker=False).start())
    worker = stack.worker_process(env, tmp_path, "worker1").start()
    procs.append(worker)
    fakes.telegram.hang_next(count=3, seconds=3.0, path="/sendMessage")  # sends in flight when the kill comes
    items = driver.plan(population, 30, f"http://127.0.0.1:{port}", users=telegram_users)
    driver.run_load(items, 30)
    assert all(i.status == 200 for i in items)
    stack.wait_for(lambda: sum(r.path.endswith("/sendMessage") for r in fakes.telegram.requests) >= 1,
                   "the worker to be in the middle of a send", 60)
    worker.kill9()
    in_doubt = _in_flight(private_db)
    assert in_doubt, "the kill came when nothing was leased"
    killed_at = time.monotonic()
    procs.append(stack.worker_process(env, tmp_path, "worker2").start())
    stack.wait_for(lambda: stack.unfinished(private_db) == 0, "the new worker to finish everything", 120)
    recovered_s = time.monotonic() - killed_at
    assert recovered_s < 60, recovered_s  # with a 600 s lease: only the release explains it
    assert "released" in (tmp_path / "worker2.log").read_text()
    assert_nothing_lost_nothing_doubled(items, private_db, fakes.deliveries(), in_doubt)
    logging.getLogger(__name__).warning("recovered %d leased row(s) %.1f s after kill -9",
                                        sum(in_doubt.values()), recovered_s)
